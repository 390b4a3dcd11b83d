"""Checkers for notebook 09 (training with masks): a masked mean squared error, and what Keras divides by."""

from __future__ import annotations

import numpy as np

from helpers.exercises import exercise

NO_ANSWER = "no answer yet: your function returns None; replace the `...` with your code."

# Padding at the end, in front, a gap, and a single real step; junk (not 0) at the padded slots.
_MASK = np.array([[1, 1, 1, 1, 1, 1], [1, 1, 1, 0, 0, 0], [0, 0, 1, 1, 1, 1], [1, 0, 1, 1, 0, 0],
                  [0, 0, 0, 1, 0, 0]], bool)
_RNG = np.random.default_rng(8)
_TRUE = _RNG.normal(0.0, 1.0, (*_MASK.shape, 2)).astype("float32")
_PRED = np.where(_MASK[..., None], _RNG.normal(0.0, 1.0, _TRUE.shape), 7.0).astype("float32")


def _scalar(value) -> float:
    import keras

    array = np.asarray(keras.ops.convert_to_numpy(value), dtype=float)
    if array.size != 1:
        raise ValueError(f"expected one number, got an array of shape {array.shape}")
    return float(array.reshape(()))


def _per_step(y_true, y_pred):
    return ((np.asarray(y_pred) - np.asarray(y_true)) ** 2).mean(axis=-1)


# --- 09.1 masked_mse(y_true, y_pred, mask) ----------------------------------------------------------

def _mse_everywhere(y_true, y_pred, mask):
    return _per_step(y_true, y_pred).mean()


def _mse_divides_by_all_steps(y_true, y_pred, mask):
    return (_per_step(y_true, y_pred) * mask).sum() / mask.size


def _mse_per_sequence_first(y_true, y_pred, mask):
    steps = _per_step(y_true, y_pred)
    return np.mean([row[keep].mean() for row, keep in zip(steps, mask, strict=True)])


def _mse_sums_features(y_true, y_pred, mask):
    squares = ((np.asarray(y_pred) - np.asarray(y_true)) ** 2).sum(axis=-1)
    return squares[mask].sum() / mask.sum()


@exercise("09.1", "A masked mean squared error", answer_name="masked_mse",
          wrong_answers=(_mse_everywhere, _mse_divides_by_all_steps, _mse_per_sequence_first,
                         _mse_sums_features))
def _check_masked_mse(masked_mse) -> str | None:
    if not callable(masked_mse):
        return "expected a function masked_mse(y_true, y_pred, mask)."
    result = masked_mse(_TRUE.copy(), _PRED.copy(), _MASK.copy())
    if result is None:
        return NO_ANSWER
    got = _scalar(result)
    steps = _per_step(_TRUE, _PRED)
    if np.isclose(got, steps[_MASK].sum() / _MASK.sum(), rtol=1e-5):
        return None
    if np.isclose(got, steps.mean(), rtol=1e-5):
        return "the padded steps still count: here they hold junk predictions, so the loss is far too large."
    if np.isclose(got, (steps * _MASK).sum() / _MASK.size, rtol=1e-5):
        return "you sum the right steps, but divide by every step of the batch, padding included."
    if np.isclose(got, _mse_per_sequence_first(_TRUE, _PRED, _MASK), rtol=1e-5):
        return ("you average each sequence first, so a short sequence weighs as much as a long one. Keras "
                "pools the real steps of the whole batch and divides once.")
    if np.isclose(got, _mse_sums_features(_TRUE, _PRED, _MASK), rtol=1e-5):
        return "each step's error is the mean over the feature axis (as in mean_squared_error), not the sum."
    return ("not the value Keras computes. Take the mean squared error over the feature axis at every step, "
            "then average it over the real steps only.")


# --- 09.2 loss_divisor(mask, sample_weight) ---------------------------------------------------------

_DIVISOR_CASES = (
    (_MASK, None),
    (_MASK, np.array([[1.0], [2.0], [0.5], [3.0], [1.0]])),
    (_MASK[1:3], np.array([[4.0], [4.0]])),
    (np.ones((2, 3), bool), np.array([[0.5], [0.5]])),
)


def _divides_by_all_steps(mask, sample_weight=None):
    return np.asarray(mask).size


def _divides_by_weights(mask, sample_weight=None):
    mask = np.asarray(mask, dtype=float)
    return mask.sum() if sample_weight is None else (np.asarray(sample_weight) * mask).sum()


def _divides_by_sequences(mask, sample_weight=None):
    return np.asarray(mask).shape[0]


def _divides_per_sequence(mask, sample_weight=None):
    return np.asarray(mask).sum(axis=1)


@exercise("09.2", "What does Keras divide the loss by?", answer_name="loss_divisor",
          wrong_answers=(_divides_by_all_steps, _divides_by_weights, _divides_by_sequences,
                         _divides_per_sequence))
def _check_loss_divisor(loss_divisor) -> str | None:
    if not callable(loss_divisor):
        return "expected a function loss_divisor(mask, sample_weight=None)."
    for mask, weights in _DIVISOR_CASES:
        result = loss_divisor(mask.copy(), None if weights is None else weights.copy())
        if result is None:
            return NO_ANSWER
        if np.asarray(result).size != 1:
            return "expected one number for the whole batch: Keras divides once, not per sequence."
        got, expected = _scalar(result), float(mask.sum())
        if np.isclose(got, expected):
            continue
        if np.isclose(got, mask.size):
            return "the padded steps do not count: compare the loss with and without junk at the padding."
        if weights is not None and np.isclose(got, float((weights * mask).sum())):
            return ("with sample weights, Keras does not divide by the sum of the weights: a weight of 2 "
                    "makes a sequence count twice. Compare both candidates with compute_loss.")
        if np.isclose(got, mask.shape[0]):
            return "Keras averages over steps, not over sequences."
        return "not what Keras divides by. Count what the mask says is real in the whole batch."
    return None
