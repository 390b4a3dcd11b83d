"""helpers.torch_packing: PyTorch's layout of Keras weights, and packed runs equal to Keras's mask."""

import numpy as np
import pytest

from helpers.models import make_bilstm, make_lstm
from helpers.padding import mask_from_lengths
from helpers.torch_packing import lengths_from_mask, real_steps_first, torch_parameters
from helpers.trace import LSTMWeights

MASK = np.array([[0, 0, 1, 1, 1], [1, 1, 1, 1, 1], [1, 0, 1, 0, 0]], bool)
RNG = np.random.default_rng(0)
X = (RNG.normal(size=(3, 5, 2)) + 4.0 * ~MASK[..., None]).astype("float32")  # junk at the pads


def _numpy(value):
    import keras

    return keras.ops.convert_to_numpy(value)


def test_torch_parameters_are_keras_weights_transposed_with_one_bias():
    weights = LSTMWeights(RNG.normal(size=(2, 12)), RNG.normal(size=(3, 12)), RNG.normal(size=12))
    parameters = torch_parameters(weights)
    np.testing.assert_array_equal(parameters["weight_ih"], weights.kernel.T)
    np.testing.assert_array_equal(parameters["weight_hh"], weights.recurrent_kernel.T)
    np.testing.assert_array_equal(parameters["bias_ih"] + parameters["bias_hh"], weights.bias)
    assert not parameters["bias_hh"].any()


def test_torch_parameters_refuse_other_activations():
    weights = LSTMWeights(np.zeros((2, 4)), np.zeros((1, 4)), np.zeros(4), activation="relu")
    with pytest.raises(ValueError, match="tanh and sigmoid only"):
        torch_parameters(weights)


def test_lengths_count_real_steps_wherever_they_are():
    lengths = lengths_from_mask(MASK)
    np.testing.assert_array_equal(lengths, [3, 5, 2])
    assert lengths.dtype == np.int64
    with pytest.raises(ValueError, match="mask: expected shape"):
        lengths_from_mask(MASK[0])
    with pytest.raises(ValueError, match="bool or 0/1"):
        lengths_from_mask(MASK * 2)


def test_real_steps_first_moves_each_row_in_order():
    moved, lengths = real_steps_first(X, MASK)
    for row in range(3):
        np.testing.assert_array_equal(moved[row, : lengths[row]], X[row, MASK[row]])
        assert not moved[row, lengths[row]:].any()
    np.testing.assert_array_equal(real_steps_first(X, mask_from_lengths(lengths, 5))[0][:, 0], X[:, 0])
    with pytest.raises(ValueError, match="to match inputs"):
        real_steps_first(X, MASK[:, :4])
    with pytest.raises(ValueError, match="inputs: expected shape"):
        real_steps_first(X[0], MASK)


def test_a_bidirectional_copy_packed_equals_the_masked_keras_layer():
    pytest.importorskip("torch")
    from helpers.torch_packing import run_packed, torch_lstm_from_keras

    layer = make_bilstm(3, 2, seed=4)
    keras_out = _numpy(layer(X, mask=MASK))
    lstm = torch_lstm_from_keras(layer)
    _, h_n, _ = run_packed(lstm, *real_steps_first(X, MASK))
    np.testing.assert_allclose(np.concatenate([h_n[0], h_n[1]], -1), keras_out, atol=1e-6)
    _, as_is, _ = run_packed(lstm, X, lengths_from_mask(MASK))
    as_is_joined = np.concatenate([as_is[0], as_is[1]], -1)  # packing read each row's first steps
    assert np.abs(as_is_joined - keras_out).max() > 1e-3


def test_a_one_direction_copy_and_its_outputs():
    pytest.importorskip("torch")
    from helpers.torch_packing import run_packed, torch_lstm_from_keras

    layer = make_lstm(3, 2, seed=5, return_sequences=True)
    lstm = torch_lstm_from_keras(layer)
    assert not lstm.bidirectional
    lengths = np.array([5, 3, 1])
    post = mask_from_lengths(lengths, 5)
    outputs, h_n, _ = run_packed(lstm, X, lengths, total_length=5)
    keras_out = _numpy(layer(X, mask=post))
    np.testing.assert_allclose(outputs[post], keras_out[post], atol=1e-6)
    assert not outputs[~post].any()
    np.testing.assert_allclose(h_n[0], keras_out[np.arange(3), lengths - 1], atol=1e-6)


def test_torch_lstm_from_keras_refuses_backward_and_other_layers():
    pytest.importorskip("torch")
    import keras

    from helpers.torch_packing import torch_lstm_from_keras

    with pytest.raises(ValueError, match="go_backwards=False"):
        torch_lstm_from_keras(make_lstm(2, 2, seed=1, go_backwards=True))
    with pytest.raises(TypeError):
        torch_lstm_from_keras(keras.layers.Dense(3))
