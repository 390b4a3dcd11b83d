"""Checkers for notebook 11 (an LSTM from scratch): carry the state, one LSTM step, the backward direction."""

from __future__ import annotations

import numpy as np

from helpers.exercises import exercise
from helpers.trace import LSTMWeights, lstm_step, run_lstm

NO_ANSWER = "no answer yet: your function returns None; replace the `...` with your code."


def _weights(rng: np.random.Generator, features: int, units: int) -> LSTMWeights:
    return LSTMWeights(
        kernel=rng.normal(0, 0.6, (features, 4 * units)),
        recurrent_kernel=rng.normal(0, 0.6, (units, 4 * units)),
        bias=rng.normal(0, 0.5, 4 * units),
    )


# --- 11.1 carry(new, old, mask) -------------------------------------------------------------------

def _carry_inverted(new, old, mask):
    return np.where(mask[:, None], old, new)


def _carry_zeroes(new, old, mask):
    return new * mask[:, None]


def _carry_unaligned(new, old, mask):
    return np.where(mask, new, old)


def _carry_ignores_mask(new, old, mask):
    return new


def _carry_case(batch: int, units: int, seed: int):
    rng = np.random.default_rng(seed)
    new, old = rng.normal(size=(batch, units)), rng.normal(size=(batch, units))
    mask = np.arange(batch) % 3 != 1
    return new, old, mask, np.where(mask[:, None], new, old)


@exercise("11.1", "Carry the state through a masked step", "carry",
          wrong_answers=(_carry_inverted, _carry_zeroes, _carry_unaligned, _carry_ignores_mask))
def _check_carry(carry):
    for batch, units in ((5, 3), (4, 4)):
        new, old, mask, expected = _carry_case(batch, units, seed=batch)
        try:
            got = carry(new.copy(), old.copy(), mask.copy())
        except ValueError as error:
            if "broadcast" in str(error):
                return ("the mask is (batch,) and the states are (batch, units): give the mask a units axis "
                        "so that it lines up with the rows, not with the units.")
            raise
        if got is None:
            return NO_ANSWER
        got = np.asarray(got)
        if got.shape != expected.shape:
            return f"expected an array of shape (batch, units) = {expected.shape}, got {got.shape}."
        real, masked = mask, ~mask
        if np.array_equal(got[real], old[real]):
            return "at a real step (mask True) the new state wins; the old one is kept only at a masked step."
        if not np.array_equal(got[real], new[real]):
            if batch == units:
                return ("the rows are mixed up when batch == units: make sure the mask selects rows "
                        "(sequences), not columns (units).")
            return "at a real step (mask True) the result should be the new state, unchanged."
        if np.array_equal(got[masked], np.zeros_like(old[masked])):
            return "a masked step does not reset the state to zero: it keeps the old state."
        if not np.array_equal(got[masked], old[masked]):
            return "at a masked step (mask False) the result should be the old state, unchanged."
    return None


# --- 11.2 my_lstm_step(x_t, h_prev, c_prev, weights) -> (h, c) ------------------------------------

def _sigmoid(z):
    return 1.0 / (1.0 + np.exp(-z))


def _blocks(x_t, h_prev, weights, recurrent=True):
    z = x_t @ weights.kernel + weights.bias
    if recurrent:
        z = z + h_prev @ weights.recurrent_kernel
    return np.split(z, 4, axis=-1)


def _step_gate_order_ifoc(x_t, h_prev, c_prev, weights):
    zi, zf, zo, zc = _blocks(x_t, h_prev, weights)
    c = _sigmoid(zf) * c_prev + _sigmoid(zi) * np.tanh(zc)
    return _sigmoid(zo) * np.tanh(c), c


def _step_without_recurrence(x_t, h_prev, c_prev, weights):
    zi, zf, zc, zo = _blocks(x_t, h_prev, weights, recurrent=False)
    c = _sigmoid(zf) * c_prev + _sigmoid(zi) * np.tanh(zc)
    return _sigmoid(zo) * np.tanh(c), c


def _step_h_without_tanh(x_t, h_prev, c_prev, weights):
    zi, zf, zc, zo = _blocks(x_t, h_prev, weights)
    c = _sigmoid(zf) * c_prev + _sigmoid(zi) * np.tanh(zc)
    return _sigmoid(zo) * c, c


def _step_without_forget(x_t, h_prev, c_prev, weights):
    zi, zf, zc, zo = _blocks(x_t, h_prev, weights)
    c = _sigmoid(zi) * np.tanh(zc)
    return _sigmoid(zo) * np.tanh(c), c


@exercise("11.2", "Write one LSTM step", "my_lstm_step",
          wrong_answers=(_step_gate_order_ifoc, _step_without_recurrence, _step_h_without_tanh,
                         _step_without_forget))
def _check_lstm_step(my_lstm_step):
    for batch, features, units in ((3, 2, 4), (2, 5, 2)):
        rng = np.random.default_rng(10 + units)
        weights = _weights(rng, features, units)
        x_t = rng.normal(size=(batch, features))
        h_prev, c_prev = rng.normal(0, 0.5, (batch, units)), rng.normal(0, 1.0, (batch, units))
        expected = lstm_step(x_t, h_prev, c_prev, weights)
        got = my_lstm_step(x_t, h_prev.copy(), c_prev.copy(), weights)
        if got is None:
            return NO_ANSWER
        if not isinstance(got, tuple | list) or len(got) != 2:
            return "return a pair (h, c): the new hidden state and the new cell state."
        h, c = (np.asarray(v, dtype=float) for v in got)
        if h.shape != (batch, units) or c.shape != (batch, units):
            return f"h and c should both be (batch, units) = {(batch, units)}; got {h.shape} and {c.shape}."
        if not np.allclose(c, expected.c, atol=1e-9):
            return _cell_state_hint(x_t, h_prev, c_prev, weights, c)
        if not np.allclose(h, expected.h, atol=1e-9):
            return "c is right; look at h again: the output gate scales the tanh of the new cell state."
    return None


def _cell_state_hint(x_t, h_prev, c_prev, weights, c) -> str:
    diagnoses = (
        (_step_gate_order_ifoc, "the four blocks of z come in Keras' order i, f, c, o (candidate third)."),
        (_step_without_recurrence, "z also depends on the previous hidden state, through recurrent_kernel."),
        (_step_without_forget, "the new cell state keeps part of the old one, scaled by the forget gate."),
    )
    for wrong, hint in diagnoses:
        if np.allclose(c, wrong(x_t, h_prev, c_prev, weights)[1], atol=1e-9):
            return hint
    return ("c differs from Keras' equations: check z = x_t @ kernel + h_prev @ recurrent_kernel + bias, "
            "the split into four blocks, sigmoid for the gates and tanh for the candidate.")


# --- 11.3 backward_final_h(weights, x, mask) -> (units,) ------------------------------------------

def _run(weights, steps, x, mask):
    units = weights.units
    h, c = np.zeros((1, units)), np.zeros((1, units))
    for t in steps:
        step = lstm_step(x[None, t], h, c, weights)
        if mask is None or mask[t]:
            h, c = step.h, step.c
    return h[0]


def _backward_ignores_mask(weights, x, mask):
    return _run(weights, range(len(x) - 1, -1, -1), x, None)


def _backward_reads_forwards(weights, x, mask):
    return _run(weights, range(len(x)), x, mask)


def _backward_mask_not_reversed(weights, x, mask):
    return _run(weights, range(len(x) - 1, -1, -1), x, np.asarray(mask)[::-1])


BACKWARD_MASKS = (
    np.array([1, 1, 1, 1, 0, 0, 0], dtype=bool),
    np.array([0, 0, 1, 1, 1, 1, 1], dtype=bool),
    np.array([1, 1, 0, 0, 1, 1, 0], dtype=bool),
    np.ones(7, dtype=bool),
)


@exercise("11.3", "Run the backward direction over a padded sequence", "backward_final_h",
          wrong_answers=(_backward_ignores_mask, _backward_reads_forwards, _backward_mask_not_reversed))
def _check_backward(backward_final_h):
    rng = np.random.default_rng(103)
    weights = _weights(rng, 2, 3)
    for mask in BACKWARD_MASKS:
        x = rng.normal(size=(mask.size, 2))
        expected = run_lstm(weights, x[None], mask[None], go_backwards=True).final_h[0]
        got = backward_final_h(weights, x.copy(), mask.copy())
        if got is None:
            return NO_ANSWER
        got = np.asarray(got, dtype=float)
        if got.shape != (weights.units,):
            return f"return the final hidden state of shape (units,) = {(weights.units,)}, got {got.shape}."
        if np.allclose(got, expected, atol=1e-9):
            continue
        where = f"for the mask {mask.astype(int).tolist()}"
        if np.allclose(got, _backward_ignores_mask(weights, x, mask), atol=1e-9):
            return f"{where} your state changes at padded steps: a masked step keeps the old state."
        if np.allclose(got, _backward_reads_forwards(weights, x, mask), atol=1e-9):
            return f"{where} you read the steps first to last; the backward direction starts at the end."
        if np.allclose(got, _backward_mask_not_reversed(weights, x, mask), atol=1e-9):
            return f"{where} step t and mask[t] no longer belong together: reverse both or neither."
        return f"{where} the final backward state differs; start from zeros and read t = time - 1 down to 0."
    return None
