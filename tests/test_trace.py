"""helpers.trace agrees with Keras and rejects bad input with clear errors."""

import keras
import numpy as np
import pytest

from helpers import models
from helpers.keras_states import keras_lstm_states, keras_step_states
from helpers.trace import BiLSTMTrace, LSTMTrace, LSTMWeights, lstm_step, trace_bilstm, trace_lstm

BATCH, TIME, FEATURES, UNITS = 4, 7, 3, 5
MERGE_MODES = ["concat", "sum", "mul", "ave", None]


def make_bilstm(seed, merge_mode="concat", return_sequences=True, return_state=False):
    return models.make_bilstm(UNITS, FEATURES, seed, merge_mode=merge_mode,
                              return_sequences=return_sequences, return_state=return_state)


def make_lstm(seed, **kwargs):
    return models.make_lstm(UNITS, FEATURES, seed, **kwargs)


def padding_mask(pattern, rng):
    mask = np.ones((BATCH, TIME), dtype=bool)
    for b in range(BATCH):
        pads = b + 1  # mixed lengths: 1..BATCH pads
        if pattern == "post":
            mask[b, TIME - pads:] = False
        elif pattern == "pre":
            mask[b, :pads] = False
        elif pattern == "middle":
            mask[b, 2:2 + pads] = False
        elif pattern == "random":
            mask[b, rng.choice(TIME, pads, replace=False)] = False
    return mask


PATTERNS = ["post", "pre", "middle", "random", None]


@pytest.mark.parametrize("seed", [0, 1, 2])
@pytest.mark.parametrize("pattern", PATTERNS)
def test_sequence_outputs_agree_with_keras_at_valid_steps(seed, pattern):
    rng = np.random.default_rng(seed)
    layer = make_bilstm(seed, merge_mode="concat")
    x = rng.normal(size=(BATCH, TIME, FEATURES)).astype("float32")
    mask = None if pattern is None else padding_mask(pattern, rng)
    expected = keras.ops.convert_to_numpy(layer(x, mask=mask))
    trace = trace_bilstm(layer, x, mask)
    valid = trace.mask
    got = np.concatenate([trace.forward_h, trace.backward_h], axis=-1)
    np.testing.assert_allclose(got[valid], expected[valid], atol=1e-5)
    np.testing.assert_allclose(trace.output("concat", return_sequences=True), expected, atol=1e-5)


@pytest.mark.parametrize("seed", [0, 3])
@pytest.mark.parametrize("pattern", PATTERNS)
def test_final_states_agree_with_keras(seed, pattern):
    rng = np.random.default_rng(seed)
    layer = make_bilstm(seed, return_sequences=False, return_state=True)
    x = rng.normal(size=(BATCH, TIME, FEATURES)).astype("float32")
    mask = None if pattern is None else padding_mask(pattern, rng)
    output, fh, fc, bh, bc = (keras.ops.convert_to_numpy(t) for t in layer(x, mask=mask))
    trace = trace_bilstm(layer, x, mask)
    for got, expected in [(trace.forward_final, fh), (trace.forward_c[:, -1], fc),
                          (trace.backward_final, bh), (trace.backward_c[:, 0], bc)]:
        np.testing.assert_allclose(got, expected, atol=1e-5)
    np.testing.assert_allclose(trace.output("concat"), output, atol=1e-5)


@pytest.mark.parametrize("merge_mode", MERGE_MODES)
@pytest.mark.parametrize("return_sequences", [True, False])
def test_every_merge_mode_agrees_with_keras(merge_mode, return_sequences):
    rng = np.random.default_rng(5)
    layer = make_bilstm(5, merge_mode=merge_mode, return_sequences=return_sequences)
    x = rng.normal(size=(BATCH, TIME, FEATURES)).astype("float32")
    mask = padding_mask("random", rng)
    expected = layer(x, mask=mask)
    got = trace_bilstm(layer, x, mask).output(merge_mode, return_sequences)
    if merge_mode is None:
        for g, e in zip(got, expected, strict=True):
            np.testing.assert_allclose(g, keras.ops.convert_to_numpy(e), atol=1e-5)
    else:
        np.testing.assert_allclose(got, keras.ops.convert_to_numpy(expected), atol=1e-5)


def test_single_sequence_is_returned_batched():
    rng = np.random.default_rng(0)
    layer = make_bilstm(0)
    x = rng.normal(size=(TIME, FEATURES))
    mask = np.array([1, 1, 1, 1, 0, 0, 0])
    trace = trace_bilstm(layer, x, mask)
    assert isinstance(trace, BiLSTMTrace)
    for field in (trace.forward_h, trace.forward_c, trace.backward_h, trace.backward_c):
        assert field.shape == (1, TIME, UNITS)
    assert trace.mask.shape == (1, TIME) and trace.mask.dtype == bool
    batched = trace_bilstm(layer, x[None], mask[None].astype(bool))
    np.testing.assert_array_equal(trace.forward_h, batched.forward_h)


def with_junk(x, mask, rng, scale=100.0):
    """x with large random junk in every padded slot."""
    return np.where(mask[..., None], x, rng.normal(0, scale, x.shape)).astype("float32")


@pytest.mark.parametrize("seed", [0, 1])
@pytest.mark.parametrize("pattern", PATTERNS)
@pytest.mark.parametrize("junk", [False, True], ids=["zero-pads", "junk-pads"])
def test_states_agree_with_keras_at_every_step_masked_ones_included(seed, pattern, junk):
    rng = np.random.default_rng(seed)
    layer = make_bilstm(seed)
    x = rng.normal(size=(BATCH, TIME, FEATURES)).astype("float32")
    mask = np.ones((BATCH, TIME), bool) if pattern is None else padding_mask(pattern, rng)
    x = with_junk(x, mask, rng) if junk else np.where(mask[..., None], x, 0).astype("float32")
    keras_states = keras_step_states(layer, x, mask)
    trace = trace_bilstm(layer, x, mask)
    np.testing.assert_allclose(trace.forward_h, keras_states.forward_h, atol=1e-5)
    np.testing.assert_allclose(trace.backward_h, keras_states.backward_h, atol=1e-5)


@pytest.mark.parametrize("pattern", ["post", "pre", "middle", "random"])
def test_cell_states_agree_with_keras_at_every_step(pattern):
    rng = np.random.default_rng(3)
    layer = make_bilstm(3)
    mask = padding_mask(pattern, rng)
    x = with_junk(rng.normal(size=(BATCH, TIME, FEATURES)), mask, rng)
    keras_states = keras_step_states(layer, x, mask, cell_states=True)
    trace = trace_bilstm(layer, x, mask)
    np.testing.assert_allclose(trace.forward_c, keras_states.forward_c, atol=1e-5)
    np.testing.assert_allclose(trace.backward_c, keras_states.backward_c, atol=1e-5)


def test_keras_carries_the_state_through_masked_steps_as_the_trace_does():
    rng = np.random.default_rng(1)
    layer = make_bilstm(1)
    x = with_junk(rng.normal(size=(1, TIME, FEATURES)), np.ones((1, TIME), bool), rng)
    mask = np.array([[0, 1, 1, 0, 0, 1, 0]], dtype=bool)
    keras_states = keras_step_states(layer, x, mask)
    trace = trace_bilstm(layer, x, mask)
    for states in (keras_states, trace):
        forward, backward = states.forward_h[0], states.backward_h[0]
        np.testing.assert_array_equal(forward[0], 0)  # before the first real step
        np.testing.assert_array_equal(forward[3], forward[2])
        np.testing.assert_array_equal(forward[4], forward[2])
        np.testing.assert_array_equal(forward[6], forward[5])
        np.testing.assert_array_equal(backward[6], 0)  # backward starts at the last real step
        np.testing.assert_array_equal(backward[4], backward[5])
        np.testing.assert_array_equal(backward[0], backward[1])
        assert not np.allclose(forward[5], forward[2])
    assert trace.forward_final_step == [5] and trace.backward_final_step == [1]


@pytest.mark.parametrize("merge_mode", MERGE_MODES)
@pytest.mark.parametrize("pattern", ["post", "pre", "middle", "random"])
def test_every_merge_mode_with_return_state_agrees_with_keras_at_every_step(merge_mode, pattern):
    rng = np.random.default_rng(6)
    layer = make_bilstm(6, merge_mode=merge_mode, return_sequences=True, return_state=True)
    mask = padding_mask(pattern, rng)
    x = with_junk(rng.normal(size=(BATCH, TIME, FEATURES)), mask, rng)
    keras_states = keras_step_states(layer, x, mask)
    trace = trace_bilstm(layer, x, mask)
    *outputs, fh, fc, bh, bc = keras_states.output
    sequences = trace.output(merge_mode, return_sequences=True)
    for got, expected in zip(sequences if merge_mode is None else [sequences], outputs, strict=True):
        np.testing.assert_allclose(got, expected, atol=1e-5)
    for got, expected in [(trace.forward_final, fh), (trace.forward_c[:, -1], fc),
                          (trace.backward_final, bh), (trace.backward_c[:, 0], bc),
                          (keras_states.forward_h[:, -1], fh), (keras_states.backward_h[:, 0], bh)]:
        np.testing.assert_allclose(got, expected, atol=1e-5)
    np.testing.assert_allclose(trace.forward_h, keras_states.forward_h, atol=1e-5)
    np.testing.assert_allclose(trace.backward_h, keras_states.backward_h, atol=1e-5)


def test_all_padded_row_keeps_zero_states():
    layer = make_bilstm(2)
    x, mask = np.ones((1, TIME, FEATURES)), np.zeros((1, TIME), dtype=bool)
    trace = trace_bilstm(layer, x, mask)
    keras_states = keras_step_states(layer, x, mask)
    for states in (trace, keras_states):
        assert not states.forward_h.any() and not states.backward_h.any()
    assert trace.forward_final_step == [None] and trace.backward_final_step == [None]


@pytest.mark.parametrize("seed", [0, 1])
@pytest.mark.parametrize("pattern", PATTERNS)
@pytest.mark.parametrize("go_backwards", [False, True])
def test_trace_lstm_agrees_with_keras(seed, pattern, go_backwards):
    rng = np.random.default_rng(seed)
    layer = make_lstm(seed, return_sequences=True, return_state=True, go_backwards=go_backwards)
    x = rng.normal(size=(BATCH, TIME, FEATURES)).astype("float32")
    mask = None if pattern is None else padding_mask(pattern, rng)
    _, h, c = (keras.ops.convert_to_numpy(t) for t in layer(x, mask=mask))
    trace = trace_lstm(layer, x, mask)
    assert isinstance(trace, LSTMTrace) and trace.h.shape == (BATCH, TIME, UNITS)
    np.testing.assert_allclose(trace.final_h, h, atol=1e-5)
    np.testing.assert_allclose(trace.final_c, c, atol=1e-5)
    keras_states = keras_lstm_states(layer, x, mask, cell_states=seed == 0)
    np.testing.assert_allclose(trace.h, keras_states.h, atol=1e-5)  # every step, masked ones included
    if seed == 0:
        np.testing.assert_allclose(trace.c, keras_states.c, atol=1e-5)


def test_trace_lstm_sequence_matches_plain_lstm_output_at_valid_steps():
    rng = np.random.default_rng(7)
    layer = make_lstm(7, return_sequences=True)
    x = rng.normal(size=(BATCH, TIME, FEATURES)).astype("float32")
    mask = padding_mask("post", rng)
    expected = keras.ops.convert_to_numpy(layer(x, mask=mask))
    trace = trace_lstm(layer, x, mask)
    np.testing.assert_allclose(trace.h[mask], expected[mask], atol=1e-5)
    # A plain LSTM repeats its last valid output at masked steps; the trace carries the state the same way.
    np.testing.assert_allclose(trace.h, expected, atol=1e-5)


def test_lstm_step_names_the_gates_and_matches_keras_cell():
    rng = np.random.default_rng(8)
    layer = make_lstm(8)
    weights = LSTMWeights.from_layer(layer)
    x, h, c = rng.normal(size=(2, FEATURES)), rng.normal(size=(2, UNITS)), rng.normal(size=(2, UNITS))
    step = lstm_step(x, h, c, weights)
    out, (h_keras, c_keras) = layer.cell(x.astype("float32"), [h.astype("float32"), c.astype("float32")])
    np.testing.assert_allclose(step.h, keras.ops.convert_to_numpy(h_keras), atol=1e-5)
    np.testing.assert_allclose(step.c, keras.ops.convert_to_numpy(c_keras), atol=1e-5)
    assert 0 < step.forget_gate.min() and step.forget_gate.max() < 1


# --- bad input --------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def bilstm():
    return make_bilstm(0)


def test_rejects_wrong_input_rank(bilstm):
    with pytest.raises(ValueError, match=r"inputs: expected shape \(batch, time, features\).*rank 1"):
        trace_bilstm(bilstm, np.zeros(TIME))
    with pytest.raises(ValueError, match="rank 4"):
        trace_bilstm(bilstm, np.zeros((1, 1, TIME, FEATURES)))


def test_rejects_wrong_feature_count(bilstm):
    with pytest.raises(ValueError, match=f"inputs: expected {FEATURES} features"):
        trace_bilstm(bilstm, np.zeros((2, TIME, FEATURES + 1)))


def test_rejects_non_numeric_inputs(bilstm):
    with pytest.raises(TypeError, match="inputs: expected a numeric array, got dtype"):
        trace_bilstm(bilstm, np.full((TIME, FEATURES), "a"))


def test_rejects_nan_in_inputs(bilstm):
    x = np.zeros((TIME, FEATURES))
    x[2, 1] = np.nan
    with pytest.raises(ValueError, match=r"inputs: expected no NaN, got 1 NaN"):
        trace_bilstm(bilstm, x)


@pytest.mark.parametrize("mask_shape", [(2, TIME - 1), (3, TIME), (TIME,), (2, TIME, 1)])
def test_rejects_mask_that_does_not_match_inputs(bilstm, mask_shape):
    with pytest.raises(ValueError, match=r"mask: expected shape \(batch, time\) = \(2, 7\)"):
        trace_bilstm(bilstm, np.zeros((2, TIME, FEATURES)), np.ones(mask_shape, dtype=bool))


def test_rejects_single_sequence_mask_of_wrong_length(bilstm):
    with pytest.raises(ValueError, match=r"mask: expected shape \(time,\) = \(7,\)"):
        trace_bilstm(bilstm, np.zeros((TIME, FEATURES)), np.ones(TIME + 1, dtype=bool))


def test_rejects_mask_values_other_than_zero_and_one(bilstm):
    with pytest.raises(ValueError, match=r"mask: expected only 0 and 1, got values \[2\]"):
        trace_bilstm(bilstm, np.zeros((TIME, FEATURES)), np.array([1, 1, 2, 0, 0, 0, 0]))


def test_rejects_float_mask(bilstm):
    with pytest.raises(TypeError, match="mask: expected bool or 0/1 integers, got dtype float64"):
        trace_bilstm(bilstm, np.zeros((TIME, FEATURES)), np.ones(TIME))


def test_rejects_unbuilt_layer():
    layer = keras.layers.Bidirectional(keras.layers.LSTM(UNITS))
    with pytest.raises(ValueError, match="layer: expected a built layer, got an unbuilt Bidirectional"):
        trace_bilstm(layer, np.zeros((TIME, FEATURES)))
    with pytest.raises(ValueError, match="layer: expected a built layer, got an unbuilt LSTM"):
        trace_lstm(keras.layers.LSTM(UNITS), np.zeros((TIME, FEATURES)))


def test_rejects_layer_that_is_not_bidirectional(bilstm):
    expected = "layer: expected keras.layers.Bidirectional, got LSTM; use trace_lstm"
    with pytest.raises(TypeError, match=expected):
        trace_bilstm(make_lstm(0), np.zeros((TIME, FEATURES)))
    with pytest.raises(TypeError, match="got Bidirectional; use trace_bilstm"):
        trace_lstm(bilstm, np.zeros((TIME, FEATURES)))


def test_rejects_bidirectional_that_does_not_wrap_an_lstm():
    layer = keras.layers.Bidirectional(keras.layers.GRU(UNITS))
    layer.build((None, TIME, FEATURES))
    expected = r"expected Bidirectional wrapping keras.layers.LSTM, got Bidirectional\(GRU\)"
    with pytest.raises(TypeError, match=expected):
        trace_bilstm(layer, np.zeros((TIME, FEATURES)))
    with pytest.raises(TypeError, match="layer: expected keras.layers.LSTM, got Dense"):
        trace_lstm(keras.layers.Dense(3), np.zeros((TIME, FEATURES)))


def test_rejects_activation_the_reference_does_not_know():
    layer = keras.layers.LSTM(UNITS, activation="softsign")
    layer.build((None, TIME, FEATURES))
    with pytest.raises(ValueError, match="activation: expected one of .* got 'softsign'"):
        trace_lstm(layer, np.zeros((TIME, FEATURES)))
