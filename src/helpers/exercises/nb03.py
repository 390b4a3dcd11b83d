"""Checkers for notebook 03 · The Masking layer."""

from __future__ import annotations

import numpy as np

from helpers.exercises import exercise
from helpers.padding import mask_from_lengths

# Real readings, (steps, features) each; some contain 0, -1 and whole steps of them.
_DATA_SETS = (
    [np.array([[0.0], [2.5], [0.0]]), np.array([[1.2]])],
    [np.array([[-1.0], [3.5], [0.0], [4.0]]), np.array([[2.0], [-1.0]])],
    [np.array([[0.0, 0.0], [1.0, -1.0]]), np.array([[-1.0, -1.0], [2.0, 2.0], [0.5, 0.5]])],
    [np.array([[250.0, -30.0], [-300.5, 12.0]]), np.array([[999.0, 0.0], [-2.0, -2.0], [7.0, 7.0]])],
)


def _masking_mask(x: np.ndarray, mask_value: float) -> np.ndarray:
    import keras

    layer = keras.layers.Masking(mask_value=mask_value)
    return keras.ops.convert_to_numpy(layer.compute_mask(x))


def _zero(sequences):
    return 0.0


def _minus_one(sequences):
    return -1.0


def _nan(sequences):
    return float("nan")


def _smallest_value(sequences):
    return float(np.min(np.concatenate(sequences)))


@exercise("03.1", "Choose a pad value for Masking", answer_name="choose_mask_value",
          wrong_answers=(_zero, _minus_one, _nan, _smallest_value))
def _check_choose_mask_value(choose_mask_value) -> str | None:
    import keras

    if not callable(choose_mask_value):
        return "expected a function choose_mask_value(sequences) that returns a float."
    for sequences in _DATA_SETS:
        value = choose_mask_value([s.copy() for s in sequences])
        if value is None or value is Ellipsis:
            return "your function returns None: replace the `...` with code that returns a float."
        try:
            value = float(value)
        except (TypeError, ValueError):
            return f"expected a float, got {type(value).__name__}."
        if np.isnan(value):
            return "NaN never equals anything, not even NaN: Masking would mask nothing."
        if not np.isfinite(value):
            return "pick a finite value: infinity becomes a huge input to any layer that ignores the mask."
        x = keras.utils.pad_sequences(sequences, padding="post", dtype="float32", value=value)
        expected = mask_from_lengths(np.array([len(s) for s in sequences]), maxlen=x.shape[1])
        if not np.array_equal(_masking_mask(x, value), expected):
            return ("with your value some real steps are masked too: a data set has a step whose features "
                    "all equal it. Pick a value that lies outside the range of the readings.")
    return None


_SPEEDS = np.array([[1.2, 1.4, 1.1, 0.0, 0.0], [0.9, 1.0, 1.3, 1.6, 1.5], [1.7, 0.0, 0.0, 0.0, 0.0]],
                   dtype="float32")
_SPEED_LENGTHS = np.array([3, 5, 1])


def _unchanged(x):
    return x


def _batch_axis_in_front(x):
    return x[None]


def _axis_in_the_middle(x):
    return x[:, None, :]


def _flattened(x):
    return x.reshape(-1, 1)


@exercise("03.2", "Add the missing feature axis", answer_name="add_feature_axis",
          wrong_answers=(_unchanged, _batch_axis_in_front, _axis_in_the_middle, _flattened))
def _check_add_feature_axis(add_feature_axis) -> str | None:
    if not callable(add_feature_axis):
        return "expected a function add_feature_axis(x)."
    for x in (_SPEEDS, _SPEEDS[:2, :4]):
        result = add_feature_axis(x.copy())
        if result is None or result is Ellipsis:
            return "your function returns None: replace the `...` with code that returns an array."
        result = np.asarray(result)
        batch, time = x.shape
        if result.ndim != 3:
            return (f"for input of shape {x.shape} you return shape {result.shape}; the LSTM needs 3 axes: "
                    "(batch, time, features).")
        if result.shape != (batch, time, 1):
            return (f"for input of shape {x.shape} you return shape {result.shape}: batch and time must stay "
                    "where they are, and the new axis (features) goes last.")
        if not np.array_equal(result[..., 0], x):
            return "the shape is right but the values changed: only add an axis."
    expected = mask_from_lengths(_SPEED_LENGTHS, maxlen=_SPEEDS.shape[1])
    if not np.array_equal(_masking_mask(add_feature_axis(_SPEEDS.copy()), 0.0), expected):
        return "Masking(0.0) does not find the padding in your result."
    return None


_PADDED_LENGTHS = np.array([4, 2, 5])
_PADDED = np.zeros((3, 5, 2), dtype="float32")
for _row, _n in enumerate(_PADDED_LENGTHS):
    _PADDED[_row, :_n] = np.random.default_rng(_row).normal([20.0, 3.0], [4.0, 1.0], size=(_n, 2))
_PADDED_MASK = mask_from_lengths(_PADDED_LENGTHS, maxlen=5)


def _standardise_with_pads(x, mask):
    return (x - x.mean(axis=(0, 1))) / x.std(axis=(0, 1))


def _real_steps_but_pads_moved(x, mask):
    real = x[mask]
    return (x - real.mean(axis=0)) / real.std(axis=0)


def _one_mean_for_all_features(x, mask):
    real = x[mask]
    return np.where(mask[..., None], (x - real.mean()) / real.std(), 0.0)


@exercise("03.3", "Standardise a padded batch on its real steps", answer_name="standardise_real_steps",
          wrong_answers=(_standardise_with_pads, _real_steps_but_pads_moved, _one_mean_for_all_features))
def _check_standardise_real_steps(standardise_real_steps) -> str | None:
    if not callable(standardise_real_steps):
        return "expected a function standardise_real_steps(x, mask)."
    result = standardise_real_steps(_PADDED.copy(), _PADDED_MASK.copy())
    if result is None or result is Ellipsis:
        return "your function returns None: replace the `...` with code that returns an array."
    result = np.asarray(result, dtype=float)
    if result.shape != _PADDED.shape:
        return f"expected the shape of x, {_PADDED.shape}, got {result.shape}."
    if not (result[~_PADDED_MASK] == 0.0).all():
        return "your padded steps are no longer 0, so Masking(0.0) will not find them: set them back to 0."
    real = _PADDED[_PADDED_MASK].astype(float)
    if not any(np.allclose(result[_PADDED_MASK], (real - real.mean(axis=0)) / real.std(axis=0, ddof=ddof),
                           rtol=1e-4, atol=1e-5) for ddof in (0, 1)):
        return ("the real steps are not standardised right: use the mean and standard deviation of each "
                "feature (axis=0) over the real steps only.")
    return None
