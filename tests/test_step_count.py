"""helpers.step_count counts the cell calls Keras's generic loop makes, and copies the LSTM exactly."""

import keras
import numpy as np
import pytest
import tensorflow as tf

from helpers.models import make_lstm
from helpers.step_count import CountingLSTMCell, count_steps, counting_copy

TIME, FEATURES, UNITS = 5, 3, 4
MASK = np.array([[1, 1, 0, 0, 0], [0, 0, 1, 1, 1], [1, 0, 1, 0, 1]], dtype=bool)


@pytest.fixture(scope="module")
def data():
    return np.random.default_rng(0).normal(size=(len(MASK), TIME, FEATURES)).astype("float32")


@pytest.mark.parametrize("mask", [MASK, None])
def test_generic_loop_calls_the_cell_once_per_step_and_once_more_for_the_shape_off_jax(data, mask):
    count = count_steps(make_lstm(UNITS, FEATURES, 0, use_cudnn=False), data, mask)
    # TensorFlow's and PyTorch's loops call it once more, on step 0, to learn the output's shape;
    # JAX's lax.scan (run op by op by count_steps) does not
    assert count.calls == TIME + (keras.backend.backend() != "jax")
    np.testing.assert_array_equal(count.rows_per_call, len(MASK))


def test_unrolled_loop_calls_the_cell_exactly_once_per_step(data):
    count = count_steps(make_lstm(UNITS, FEATURES, 0, unroll=True), data, MASK)
    assert count.calls == TIME


@pytest.mark.parametrize("kwargs", [{}, {"return_sequences": True}, {"go_backwards": True},
                                    {"return_sequences": True, "zero_output_for_mask": True}])
def test_the_copy_returns_what_the_lstm_returns(data, kwargs):
    lstm = make_lstm(UNITS, FEATURES, 1, **kwargs)
    count = count_steps(lstm, data, MASK)
    np.testing.assert_array_equal(count.output, keras.ops.convert_to_numpy(lstm(data, mask=MASK)))


@pytest.mark.tensorflow_only
def test_cell_counts_nothing_when_traced(data):
    copy = counting_copy(make_lstm(UNITS, FEATURES, 2))
    tf.function(lambda x: copy(x))(data)
    assert copy.cell.rows_per_call == []
    assert isinstance(copy.cell, CountingLSTMCell)


@pytest.mark.tensorflow_only
def test_count_steps_refuses_a_traced_call(data):
    lstm = make_lstm(UNITS, FEATURES, 3)
    with pytest.raises(RuntimeError, match="expected eager execution"):
        tf.function(lambda x: count_steps(lstm, x).output)(data)


@pytest.mark.parametrize(("layer", "inputs", "error", "match"), [
    (keras.layers.LSTM(UNITS), np.zeros((1, TIME, FEATURES)), ValueError, "expected a built layer"),
    (keras.layers.GRU(UNITS), np.zeros((1, TIME, FEATURES)), TypeError, "expected keras.layers.LSTM"),
    (None, np.zeros((1, TIME, FEATURES + 1)), ValueError, "expected 3 features"),
    (None, np.zeros((TIME,)), ValueError, "inputs: expected shape"),
])
def test_bad_arguments_are_named(layer, inputs, error, match):
    lstm = make_lstm(UNITS, FEATURES, 4) if layer is None else layer
    with pytest.raises(error, match=match):
        count_steps(lstm, inputs)
