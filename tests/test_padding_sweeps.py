"""helpers.padding_sweeps."""

import keras
import numpy as np
import pytest

from helpers.models import make_bilstm, make_lstm
from helpers.padding_sweeps import drift_by_pads, outputs_by_padding


def padded_for_real(layer, sequence, n_pads, side):
    """(units,): the layer's last output for ``sequence`` padded with ``keras.utils.pad_sequences``."""
    padded = keras.utils.pad_sequences([sequence], maxlen=len(sequence) + n_pads, dtype="float32",
                                       padding=side)
    return keras.ops.convert_to_numpy(layer(padded))[0, -1]


@pytest.fixture(scope="module")
def lstm():
    return make_lstm(4, features=2, seed=0, return_sequences=True)


@pytest.fixture(scope="module")
def sequence():
    return np.random.default_rng(0).normal(size=(3, 2)).astype("float32")


def test_drift_by_pads_equals_padding_for_real(lstm, sequence):
    drifts = drift_by_pads(lstm, sequence, 4)
    unpadded = padded_for_real(lstm, sequence, 0, "pre")
    for side in ("pre", "post"):
        assert drifts[side].shape == (5,) and drifts[side][0] == 0
        for k in (1, 4):
            expected = np.linalg.norm(padded_for_real(lstm, sequence, k, side) - unpadded)
            np.testing.assert_allclose(drifts[side][k], expected, rtol=1e-5, atol=1e-6)
            assert drifts[side][k] > 0  # non-zero biases: every pad shows


def test_drift_by_pads_with_no_pads_is_zero(lstm, sequence):
    drifts = drift_by_pads(lstm, sequence, 0)
    np.testing.assert_array_equal(drifts["pre"], [0.0])
    np.testing.assert_array_equal(drifts["post"], [0.0])


def test_drift_by_pads_rejects_layers_that_do_not_read_left_to_right(sequence):
    backwards = make_lstm(4, features=2, seed=0, return_sequences=True, go_backwards=True)
    with pytest.raises(ValueError, match="reads left to right"):
        drift_by_pads(backwards, sequence, 2)
    with pytest.raises(ValueError, match="reads left to right"):
        drift_by_pads(make_bilstm(4, features=2, seed=0, return_sequences=True), sequence, 2)
    with pytest.raises(ValueError, match="return_sequences=True"):
        drift_by_pads(make_lstm(4, features=2, seed=0), sequence, 2)


@pytest.mark.parametrize("bad", [-1, 1.5, True, "3"])
def test_drift_by_pads_rejects_a_bad_max_pads(lstm, sequence, bad):
    with pytest.raises(ValueError, match="max_pads: expected an int >= 0"):
        drift_by_pads(lstm, sequence, bad)


@pytest.mark.parametrize("bad", [np.zeros(3), np.zeros((0, 2)), np.zeros((1, 3, 2))])
def test_drift_by_pads_rejects_a_bad_sequence(lstm, bad):
    with pytest.raises(ValueError, match=r"sequence: expected shape \(steps, features\)"):
        drift_by_pads(lstm, bad, 2)


@pytest.fixture(scope="module")
def model():
    ids = keras.Input((None,), dtype="int32")
    embedded = keras.layers.Embedding(6, 2, mask_zero=True)(ids)
    return keras.Model(ids, make_bilstm(3, features=2, seed=0)(embedded))


def test_outputs_by_padding_equals_one_call_per_padding(model):
    sequences = [[1, 2, 3], [4], [5, 1]]
    outputs = outputs_by_padding(model, sequences, maxlens=(3, 5))
    assert sorted(outputs) == [("post", 3), ("post", 5), ("pre", 3), ("pre", 5)]
    for (side, maxlen), output in outputs.items():
        padded = keras.utils.pad_sequences(sequences, maxlen=maxlen, padding=side)
        one_call = keras.ops.convert_to_numpy(model(padded))
        assert output.shape == (3, 6)
        np.testing.assert_allclose(output, one_call, rtol=1e-5, atol=1e-6)


def test_outputs_by_padding_takes_one_call_per_width():
    calls = []

    def count_rows(batch):
        calls.append(batch.shape)
        return batch.sum(axis=1)

    outputs = outputs_by_padding(count_rows, [[1, 2], [3]], maxlens=(2, 4), sides=("post", "pre"))
    assert calls == [(4, 2), (4, 4)]
    np.testing.assert_array_equal(outputs["pre", 4], [3, 3])


@pytest.mark.parametrize(("kwargs", "message"), [
    ({"sequences": []}, "sequences: expected at least one"),
    ({"maxlens": ()}, "maxlens: expected one or more ints"),
    ({"maxlens": (0,)}, "maxlens: expected one or more ints"),
    ({"maxlens": (2.5,)}, "maxlens: expected one or more ints"),
    ({"sides": ("middle",)}, "sides: expected one or more of"),
    ({"sides": ()}, "sides: expected one or more of"),
])
def test_outputs_by_padding_rejects_bad_input(kwargs, message):
    arguments = {"model": lambda batch: batch, "sequences": [[1]], "maxlens": (2,), **kwargs}
    with pytest.raises(ValueError, match=message):
        outputs_by_padding(**arguments)


def test_outputs_by_padding_rejects_a_model_that_mixes_rows():
    with pytest.raises(ValueError, match="one output row per sequence"):
        outputs_by_padding(lambda batch: batch.sum(axis=0), [[1], [2]], maxlens=(2,))
