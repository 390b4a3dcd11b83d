"""Checkers for notebook 06 · What Bidirectional returns: the final output, the states of return_state."""

from __future__ import annotations

import functools

import numpy as np

from helpers.exercises import exercise
from helpers.exercises.nb05 import MASKS, NO_ANSWER, describe_case
from helpers.trace import LSTMWeights, run_bilstm

# --- 06.1 final_from_sequence(sequence, mask) -> (batch, 2 * units) ---------------------------------

def _final_last_column(sequence, mask):
    return sequence[:, -1]


def _final_both_last_valid(sequence, mask):
    last = [np.flatnonzero(row)[-1] for row in mask]
    return np.stack([sequence[b, t] for b, t in enumerate(last)])


def _final_backward_at_step_zero(sequence, mask):
    units = sequence.shape[-1] // 2
    last = [np.flatnonzero(row)[-1] for row in mask]
    return np.stack([np.concatenate([sequence[b, t, :units], sequence[b, 0, units:]])
                     for b, t in enumerate(last)])


def _final_first_column_backward(sequence, mask):
    units = sequence.shape[-1] // 2
    last = [np.flatnonzero(row)[-1] for row in mask]
    return np.stack([np.concatenate([sequence[b, t, :units], sequence[b, -1, units:]])
                     for b, t in enumerate(last)])


def _random_weights(rng: np.random.Generator, units: int, features: int) -> LSTMWeights:
    """One direction's weights with non-zero biases, so that padding would show."""
    return LSTMWeights(rng.normal(0, 0.6, (features, 4 * units)), rng.normal(0, 0.6, (units, 4 * units)),
                       rng.normal(0, 0.5, 4 * units))


def _sequence_case(seed: int = 53, units: int = 3, features: int = 2):
    rng = np.random.default_rng(seed)
    forward, backward = _random_weights(rng, units, features), _random_weights(rng, units, features)
    mask = np.stack(MASKS)
    x = rng.normal(size=(*mask.shape, features))
    trace = run_bilstm(forward, backward, x, mask)
    return trace.output("concat", return_sequences=True), mask, trace.output("concat")


@exercise("06.1", "The final output from the sequence output", "final_from_sequence",
          wrong_answers=(_final_last_column, _final_both_last_valid, _final_backward_at_step_zero,
                         _final_first_column_backward))
def _check_final_from_sequence(final_from_sequence):
    sequence, mask, expected = _sequence_case()
    got = final_from_sequence(sequence.copy(), mask.copy())
    if got is None:
        return NO_ANSWER
    got = np.asarray(got, dtype=float)
    if got.shape != expected.shape:
        return f"expected shape (batch, 2 * units) = {expected.shape}, got {got.shape}."
    units = expected.shape[-1] // 2
    wrong_rows = [b for b in range(len(mask)) if not np.allclose(got[b], expected[b], atol=1e-12)]
    if not wrong_rows:
        return None
    if np.allclose(got, _final_last_column(sequence, mask), atol=1e-12):
        return ("the last column of the sequence output is exactly 0 wherever the last step is padded: "
                "look for the steps that produced the final states instead.")
    row = wrong_rows[0]
    where = describe_case(mask[row])
    if not np.allclose(got[row, :units], expected[row, :units], atol=1e-12):
        return f"{where} the forward half (the first units) is wrong: where did the forward direction stop?"
    return (f"{where} the forward half is right, the backward half (the last units) is not. The backward "
            "outputs are already in input order: at which step does the backward direction finish?")


# --- 06.2 joined_states(outputs) -> (h, c), each (batch, 2 * units) -----------------------------------

MERGE_MODES = ("concat", "sum", "mul", "ave", None)


def _joined_after_one_output(outputs):
    _, forward_h, forward_c, backward_h, backward_c = outputs[:5]
    return np.concatenate([forward_h, backward_h], -1), np.concatenate([forward_c, backward_c], -1)


def _joined_h_first(outputs):
    forward_h, backward_h, forward_c, backward_c = outputs[-4:]
    return np.concatenate([forward_h, backward_h], -1), np.concatenate([forward_c, backward_c], -1)


def _joined_backward_first(outputs):
    forward_h, forward_c, backward_h, backward_c = outputs[-4:]
    return np.concatenate([backward_h, forward_h], -1), np.concatenate([backward_c, forward_c], -1)


def _joined_h_from_output(outputs):
    _, forward_c, _, backward_c = outputs[-4:]
    return outputs[0], np.concatenate([forward_c, backward_c], -1)


@functools.lru_cache(maxsize=1)
def _return_state_cases(seed: int = 61, units: int = 3, features: int = 2, time: int = 7):
    """{merge mode: (the layer's outputs as NumPy arrays, expected (h, c))} for one padded, masked batch.

    The outputs come from Keras; the expected states from the NumPy reference with the same weights.
    """
    import keras

    rng = np.random.default_rng(seed)
    weights = _random_weights(rng, units, features), _random_weights(rng, units, features)
    mask = np.array([[1, 1, 1, 1, 1, 0, 0], [0, 0, 1, 1, 1, 1, 1], [1, 1, 0, 0, 1, 1, 0]], dtype=bool)
    x = rng.normal(size=(len(mask), time, features))
    trace = run_bilstm(*weights, x, mask)
    expected = (np.concatenate([trace.forward_final, trace.backward_final], -1),
                np.concatenate([trace.forward_c[:, -1], trace.backward_c[:, 0]], -1))
    cases = {}
    for mode in MERGE_MODES:
        layer = keras.layers.Bidirectional(keras.layers.LSTM(units, return_state=True), merge_mode=mode)
        layer.build((None, None, features))
        for lstm, w in zip((layer.forward_layer, layer.backward_layer), weights, strict=True):
            lstm.set_weights([w.kernel, w.recurrent_kernel, w.bias])
        outputs = tuple(keras.ops.convert_to_numpy(t) for t in layer(x.astype("float32"), mask=mask))
        cases[mode] = outputs, expected
    return cases


def _joined_hint(got, outputs, expected, mode) -> str | None:
    """None if ``got`` is the expected (h, c) pair, else a hint for merge_mode ``mode``."""
    where = f"for merge_mode={mode!r} ({len(outputs)} outputs)"
    if not isinstance(got, tuple | list) or len(got) != 2:
        return f"return a pair (h, c); got {type(got).__name__}."
    h, c = (np.asarray(part, dtype=float) for part in got)
    if h.shape == outputs[0].shape and np.allclose(h, outputs[0], atol=1e-6) and mode != "concat":
        return (f"{where} you took the layer's output as h: it is [forward h, backward h] only for "
                "merge_mode='concat'. Take h from the states, which come after the output.")
    if h.shape != expected[0].shape or c.shape != expected[1].shape:
        return (f"{where} expected h and c of shape (batch, 2 * units) = {expected[0].shape}, "
                f"got {h.shape} and {c.shape}.")
    if np.allclose(h, expected[0], atol=1e-5) and np.allclose(c, expected[1], atol=1e-5):
        return None
    units = expected[0].shape[-1] // 2
    if np.allclose(h, np.roll(expected[0], units, axis=-1), atol=1e-5):
        return f"{where} you put the backward direction first: join them forward first, as 'concat' does."
    if mode is None:
        return (f"{where} the layer returns two outputs, one per direction, before the four states. "
                "Count the states from the end of the list.")
    forward_h_c = np.concatenate([expected[0][:, :units], expected[1][:, :units]], -1)
    if np.allclose(h, forward_h_c, atol=1e-5):
        return (f"{where} your h holds the forward h and the forward c. The states come direction by "
                "direction: forward h, forward c, then backward h, backward c.")
    return (f"{where} your (h, c) is not right yet: which entries of the list are the four states, "
            "and in which order?")


@exercise("06.2", "Both directions' final states, joined", "joined_states",
          wrong_answers=(_joined_after_one_output, _joined_h_first, _joined_backward_first,
                         _joined_h_from_output))
def _check_joined_states(joined_states):
    for mode, (outputs, expected) in _return_state_cases().items():
        got = joined_states([o.copy() for o in outputs])
        if got is None:
            return NO_ANSWER
        hint = _joined_hint(got, outputs, expected, mode)
        if hint is not None:
            return hint
    return None
