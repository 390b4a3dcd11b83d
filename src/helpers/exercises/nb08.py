"""Checkers for notebook 08 · Mask propagation and custom layers."""

from __future__ import annotations

import functools

import numpy as np

from helpers.exercises import exercise

# Padding at the end, in front, a gap, and one real step; junk (not 0) in the padded slots.
_MASK = np.array([[1, 1, 1, 0, 0, 0], [0, 0, 1, 1, 1, 1], [1, 0, 1, 1, 0, 1], [0, 0, 0, 1, 0, 0]], bool)
_VALUES = np.random.default_rng(7).normal(1.0, 2.0, size=(*_MASK.shape, 3)).astype("float32")


def _numpy(result):
    import keras

    return np.asarray(keras.ops.convert_to_numpy(result), dtype=float)


def _mean_over_all_steps(x, mask):
    return x.mean(axis=1)


def _masked_sum_over_all_steps(x, mask):
    return (x * mask[..., None]).sum(axis=1) / x.shape[1]


def _pads_left_in_the_sum(x, mask):
    return x.sum(axis=1) / mask.sum(axis=1, keepdims=True)


def _one_mean_for_everything(x, mask):
    return x[mask].mean(axis=0)


@exercise("08.1", "Masked mean pooling", answer_name="masked_mean",
          wrong_answers=(_mean_over_all_steps, _masked_sum_over_all_steps, _pads_left_in_the_sum,
                         _one_mean_for_everything))
def _check_masked_mean(masked_mean) -> str | None:
    if not callable(masked_mean):
        return "expected a function masked_mean(x, mask)."
    result = masked_mean(_VALUES.copy(), _MASK.copy())
    if result is None or result is Ellipsis:
        return "your function returns None: replace the `...` with code that returns an array."
    result = _numpy(result)
    batch, _, features = _VALUES.shape
    if result.shape != (batch, features):
        return f"expected one mean per sequence and feature, shape {(batch, features)}, got {result.shape}."
    expected = np.stack([_VALUES[b][_MASK[b]].mean(axis=0) for b in range(batch)])
    if np.allclose(result, expected, rtol=1e-5, atol=1e-6):
        return None
    counted = (_VALUES * _MASK[..., None]).sum(axis=1)
    if np.allclose(result * _MASK.shape[1], counted, rtol=1e-5, atol=1e-5):
        return "you sum the right steps but divide by the number of all steps, padding included."
    return ("the padded steps still count: they hold junk here, not zeros. Sum only the real steps and "
            "divide by how many there are in each row.")


@functools.cache
def _destroyers() -> frozenset[str]:
    from helpers.propagation import mask_propagation_table, more_cases

    return frozenset(row.layer for row in mask_propagation_table(more_cases()) if row.verdict == "destroys")


def _names():
    from helpers.propagation import more_cases

    return set(more_cases())


_WRONG_SETS = (
    {"MaxPooling1D"},
    {"Cropping1D", "MaxPooling1D", "Permute", "ZeroPadding1D", "SpatialDropout1D"},
    {"Cropping1D", "MaxPooling1D", "Permute", "ZeroPadding1D", "UpSampling1D", "GRU(return_sequences=True)"},
)


@exercise("08.2", "Which layers destroy the mask?", answer_name="destroyers", wrong_answers=_WRONG_SETS)
def _check_destroyers(destroyers) -> str | None:
    if isinstance(destroyers, str) or not hasattr(destroyers, "__iter__"):
        return 'expected a set of layer names, such as {"Permute", "Rescaling"}.'
    answer = set(destroyers)
    unknown = answer - _names()
    if unknown:
        return f"unknown names {sorted(unknown)}: use the names of more_cases(), e.g. {sorted(_names())[:2]}."
    truth = _destroyers()
    wrong, missing = answer - truth, truth - answer
    if not wrong and not missing:
        return None
    parts = []
    if wrong:
        parts.append(f"{len(wrong)} of your layers do not destroy the mask")
    if missing:
        parts.append(f"{len(missing)} layer(s) that do are missing")
    return "; ".join(parts) + ". Run mask_propagation_table(more_cases()) and look at the verdicts."


def _hide_step_zero():
    import keras

    class HideStepZero(keras.layers.Layer):
        def call(self, inputs):
            return keras.ops.copy(inputs)

        def compute_mask(self, inputs, mask=None):
            first = keras.ops.arange(keras.ops.shape(mask)[1]) == 0
            return keras.ops.logical_and(mask, keras.ops.logical_not(first))

    return HideStepZero


def _no_mask_support():
    import keras

    class HideNothing(keras.layers.Layer):
        def call(self, inputs):
            return keras.ops.copy(inputs)

    return HideNothing


def _mask_unchanged():
    import keras

    class PassOn(keras.layers.Layer):
        def __init__(self, **kwargs):
            super().__init__(**kwargs)
            self.supports_masking = True

        def call(self, inputs):
            return keras.ops.copy(inputs)

    return PassOn


def _returns_inputs_itself():
    import keras

    class SameTensor(keras.layers.Layer):
        def call(self, inputs):
            return inputs

        def compute_mask(self, inputs, mask=None):
            seen = keras.ops.cumsum(keras.ops.cast(mask, "int32"), axis=1)
            return keras.ops.logical_and(mask, seen > 1)

    return SameTensor


def _first_real_step(mask: np.ndarray) -> np.ndarray:
    return mask & (np.cumsum(mask, axis=1) == 1)


@exercise("08.3", "A layer that hides the first real step", answer_name="HideFirstStep",
          wrong_answers=(_hide_step_zero(), _no_mask_support(), _mask_unchanged(), _returns_inputs_itself()))
def _check_hide_first_step(HideFirstStep) -> str | None:  # the answer is a class
    import warnings

    import keras

    layer = HideFirstStep() if isinstance(HideFirstStep, type) else HideFirstStep
    if not isinstance(layer, keras.layers.Layer):
        return "expected a class HideFirstStep(keras.layers.Layer)."
    x = np.where(_MASK[..., None], _VALUES, 0.0).astype("float32")
    masked = keras.layers.Masking(mask_value=0.0)(x)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            output = layer(masked)
        except NotImplementedError:
            return "your layer has no call method yet: write call and compute_mask."
    if output is None:
        return "call returns None: replace the `...` in call and compute_mask with code."
    mask_out = getattr(output, "_keras_mask", None)
    if not np.allclose(_numpy(output), x):
        return "the values must pass through unchanged; only the mask changes."
    if mask_out is None:
        if any("destroy the mask" in str(w.message) for w in caught):
            return "Keras says your layer destroys the mask: it needs a compute_mask method."
        return "your layer's output has no mask: compute_mask must return one."
    mask_out = _numpy(mask_out).astype(bool)
    expected = _MASK & ~_first_real_step(_MASK)
    if mask_out.shape != _MASK.shape:
        return f"expected a (batch, time) mask of shape {_MASK.shape}, got {mask_out.shape}."
    if np.array_equal(mask_out, expected):
        return None
    if np.array_equal(mask_out, _MASK):
        new = _numpy(layer.compute_mask(masked, keras.ops.convert_to_tensor(_MASK))).astype(bool)
        if np.array_equal(new, expected):
            return ("compute_mask is right, but the output carries the old mask: call returns the input "
                    "tensor itself, which already has a mask. Return a new tensor.")
        return "the output's mask is the input's mask: nothing is hidden yet."
    if (mask_out & ~_MASK).any():
        return "your mask marks padded steps as real: start from the incoming mask."
    if np.array_equal(mask_out, _MASK & (np.arange(_MASK.shape[1]) > 0)):
        return "you hide step 0, but with padding in front the first real step comes later."
    return "some rows are wrong: hide exactly one step per row, the first one whose mask is True."
