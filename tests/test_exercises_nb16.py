"""The 16 checkers: what they take for right is what Keras (and PyTorch, where installed) computes."""

import runpy
from pathlib import Path

import numpy as np
import pytest

from helpers.exercises import check, nb16
from helpers.models import make_bilstm
from helpers.padding import mask_from_lengths

SOLUTIONS = Path(__file__).resolve().parents[1] / "notebooks" / "solutions"


def _solution(name, answer_name):
    return runpy.run_path(str(SOLUTIONS / name))[answer_name]


def _keras_weights(layer):
    import keras

    cell = layer.cell
    return [keras.ops.convert_to_numpy(w) for w in (cell.kernel, cell.recurrent_kernel, cell.bias)]


def test_16_1_pytorch_equations_are_keras_own_lstm_with_the_solution():
    layer, inputs, keras_h = nb16._keras_layer_and_inputs()
    parameters = _solution("16.1-to-torch-parameters.py", "to_torch_parameters")(*_keras_weights(layer))
    np.testing.assert_allclose(nb16.pytorch_equations(parameters, inputs), keras_h, atol=1e-6)
    reordered = nb16._gates_reordered(*_keras_weights(layer))
    assert np.abs(nb16.pytorch_equations(reordered, inputs) - keras_h).max() > 1e-3


def test_16_1_real_torch_lstm_agrees_with_the_equations():
    pytest.importorskip("torch")
    layer, inputs, _ = nb16._keras_layer_and_inputs()
    parameters = nb16._bias_twice(*_keras_weights(layer))
    np.testing.assert_allclose(nb16._torch_final_h(parameters, inputs),
                               nb16.pytorch_equations(parameters, inputs), atol=1e-5)


def test_16_1_without_torch_checks_the_equations_and_says_so(monkeypatch, capsys):
    monkeypatch.setattr("helpers.backends.installed", lambda name: False)
    assert check("16.1", _solution("16.1-to-torch-parameters.py", "to_torch_parameters")).correct
    assert "PyTorch is not installed here" in capsys.readouterr().out
    assert not check("16.1", nb16._gates_reordered).correct


def test_16_1_hints_name_the_mistake():
    assert "transpose" in check("16.1", nb16._not_transposed).message
    assert "not twice it" in check("16.1", nb16._bias_twice).message
    assert "two biases" in check("16.1", nb16._no_hh_bias).message
    assert "gates" in check("16.1", nb16._gates_reordered).message


def test_16_2_solution_packs_what_keras_masks():
    import keras

    layer = make_bilstm(3, 2, seed=16)
    pack_ready = _solution("16.2-pack-ready.py", "pack_ready")
    for inputs, mask in nb16._cases():
        ready, lengths = pack_ready(inputs.astype("float32"), mask)
        masked = keras.ops.convert_to_numpy(layer(inputs.astype("float32"), mask=mask))
        packed_like = keras.ops.convert_to_numpy(layer(ready, mask=mask_from_lengths(lengths, mask.shape[1])))
        np.testing.assert_allclose(packed_like, masked, atol=1e-6)


def test_16_2_hints_name_the_mistake():
    assert "padded in front" in check("16.2", nb16._lengths_only).message
    assert "number of real steps" in check("16.2", nb16._last_real_step).message
    assert "integers" in check("16.2", nb16._float_lengths).message
    assert "two things back" in check("16.2", lambda inputs, mask: inputs).message
