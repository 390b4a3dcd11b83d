"""helpers.models."""

import keras
import numpy as np
import pytest

from helpers.models import make_bilstm, make_lstm, randomise_biases


def test_make_bilstm_is_built_with_nonzero_biases_in_both_directions():
    layer = make_bilstm(4, 3, seed=0)
    assert layer.built
    for lstm in (layer.forward_layer, layer.backward_layer):
        assert np.abs(keras.ops.convert_to_numpy(lstm.cell.bias)).min() > 0


def test_nonzero_biases_make_leading_zero_padding_visible():
    x = np.zeros((1, 3, 3), "float32")
    fresh = keras.layers.LSTM(4)
    assert not keras.ops.convert_to_numpy(fresh(x)).any()  # the trap: padding looks harmless
    assert keras.ops.convert_to_numpy(make_lstm(4, 3, seed=0)(x)).any()


def test_same_seed_same_layer():
    a, b = make_bilstm(4, 3, seed=5), make_bilstm(4, 3, seed=5)
    for wa, wb in zip(a.get_weights(), b.get_weights(), strict=True):
        np.testing.assert_array_equal(wa, wb)


def test_randomise_biases_rejects_other_layers():
    gru = keras.layers.Bidirectional(keras.layers.GRU(2))
    gru.build((None, 3, 2))
    with pytest.raises(TypeError, match="layer: expected an LSTM or Bidirectional"):
        randomise_biases(gru, 0)
    with pytest.raises(ValueError, match="expected a built layer"):
        randomise_biases(keras.layers.LSTM(2), 0)


def test_make_bilstm_names_the_wrapper():
    layer = make_bilstm(2, 3, seed=0, name="bilstm", return_sequences=True)
    assert layer.name == "bilstm" and layer.forward_layer.return_sequences
