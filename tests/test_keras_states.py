"""helpers.keras_states reports what Keras itself computes at every step, and rejects bad input."""

import keras
import numpy as np
import pytest

from helpers.keras_states import keras_lstm_states, keras_step_states, reporting_copy, state_before
from helpers.models import make_bilstm, make_lstm

TIME, FEATURES, UNITS = 6, 3, 4
MASK = np.array([[1, 1, 1, 1, 0, 0], [0, 0, 1, 1, 1, 1], [1, 0, 0, 1, 1, 0]], dtype=bool)


@pytest.fixture(scope="module")
def data():
    rng = np.random.default_rng(0)
    x = rng.normal(size=(len(MASK), TIME, FEATURES)).astype("float32")
    return np.where(MASK[..., None], x, rng.normal(0, 50, x.shape)).astype("float32")  # junk pads


def test_real_steps_are_the_bidirectional_layers_own_sequence_output(data):
    layer = make_bilstm(UNITS, FEATURES, 0, return_sequences=True)
    states = keras_step_states(layer, data, MASK)
    both = np.concatenate([states.forward_h, states.backward_h], axis=-1)
    np.testing.assert_allclose(both[MASK], states.output[MASK], atol=1e-6)
    np.testing.assert_array_equal(states.output[~MASK], 0)  # Bidirectional zeroes masked steps itself
    assert np.abs(both[~MASK]).max() > 0  # the copies report the carried state there instead


def test_final_states_match_return_state(data):
    layer = make_bilstm(UNITS, FEATURES, 2, return_state=True)
    states = keras_step_states(layer, data, MASK, cell_states=True)
    _, fh, fc, bh, bc = states.output
    for got, expected in [(states.forward_h[:, -1], fh), (states.forward_c[:, -1], fc),
                          (states.backward_h[:, 0], bh), (states.backward_c[:, 0], bc)]:
        np.testing.assert_allclose(got, expected, atol=1e-6)


def test_backward_states_are_in_input_time_order(data):
    layer = make_bilstm(UNITS, FEATURES, 3)
    states = keras_step_states(layer, data, MASK)
    reader = make_lstm(UNITS, FEATURES, 3, go_backwards=True, return_state=True)
    reader.set_weights(layer.backward_layer.get_weights())
    _, h, _ = reader(data[:1, 2:4])  # row 0 read from step 3 down to step 2
    np.testing.assert_allclose(states.backward_h[0, 2], keras.ops.convert_to_numpy(h)[0], atol=1e-6)


def test_single_lstm_and_single_sequence(data):
    lstm = make_lstm(UNITS, FEATURES, 4, go_backwards=True)
    states = keras_lstm_states(lstm, data[0], MASK[0], cell_states=True)
    assert states.h.shape == states.c.shape == (1, TIME, UNITS)
    final = keras.ops.convert_to_numpy(lstm(data[:1], mask=MASK[:1]))
    np.testing.assert_allclose(states.h[:, 0], final, atol=1e-6)
    assert keras_lstm_states(lstm, data, MASK).c is None


def test_layer_output_can_be_left_out(data):
    layer = make_bilstm(UNITS, FEATURES, 7)
    with_output = keras_step_states(layer, data, MASK)
    without = keras_step_states(layer, data, MASK, layer_output=False)
    assert without.output is None and with_output.output is not None
    np.testing.assert_array_equal(with_output.forward_h, without.forward_h)


def test_nan_pads_are_allowed_and_stay_out_of_the_states(data):
    nan_pads = np.where(MASK[..., None], data, np.nan).astype("float32")
    states = keras_step_states(make_bilstm(UNITS, FEATURES, 5), nan_pads, MASK)
    assert np.isfinite(states.forward_h).all() and np.isfinite(states.backward_h).all()


def test_reporting_copy_keeps_configuration_and_weights():
    lstm = make_lstm(UNITS, FEATURES, 6, go_backwards=True, return_state=True)
    copy = reporting_copy(lstm)
    assert copy.go_backwards and copy.return_sequences and not copy.zero_output_for_mask
    assert not copy.return_state
    for a, b in zip(lstm.get_weights(), copy.get_weights(), strict=True):
        np.testing.assert_array_equal(a, b)


def test_rejects_what_it_cannot_run(data):
    with pytest.raises(TypeError, match="layer: expected keras.layers.Bidirectional, got LSTM"):
        keras_step_states(make_lstm(UNITS, FEATURES, 0), data)
    with pytest.raises(TypeError, match="lstm: expected keras.layers.LSTM, got Bidirectional"):
        keras_lstm_states(make_bilstm(UNITS, FEATURES, 0), data)
    with pytest.raises(ValueError, match=r"mask: expected shape \(batch, time\) = \(3, 6\)"):
        keras_step_states(make_bilstm(UNITS, FEATURES, 0), data, MASK[:2])
    with pytest.raises(ValueError, match=f"inputs: expected {FEATURES} features"):
        keras_step_states(make_bilstm(UNITS, FEATURES, 0), data[..., :2])


def test_state_before_shifts_by_one_step_in_reading_order():
    states = np.arange(1.0, 5.0)[None, :, None]  # the states after steps 0..3
    np.testing.assert_array_equal(state_before(states)[0, :, 0], [0, 1, 2, 3])
    np.testing.assert_array_equal(state_before(states, backwards=True)[0, :, 0], [2, 3, 4, 0])
    with pytest.raises(ValueError, match=r"states: expected shape \(batch, time, units\)"):
        state_before(np.zeros((3, 4)))


def test_keras_masked_steps_keep_the_state_before(data):
    states = keras_step_states(make_bilstm(UNITS, FEATURES, 8), data, MASK, layer_output=False)
    np.testing.assert_array_equal(states.forward_h[~MASK], state_before(states.forward_h)[~MASK])
    np.testing.assert_array_equal(states.backward_h[~MASK],
                                  state_before(states.backward_h, backwards=True)[~MASK])
