"""Checkers for notebook 04 · Explicit masks."""

from __future__ import annotations

import numpy as np

from helpers.exercises import exercise
from helpers.padding import mask_from_lengths

# (lengths, dropped (sequence, step) pairs, maxlen)
_MASK_CASES = (
    ([4, 2, 5], [(0, 1), (2, 3)], 5),
    ([3, 6], [], 6),
    ([1, 4, 4, 2], [(1, 0), (1, 2), (2, 3)], 4),
)


def _expected_mask(lengths, dropped, maxlen) -> np.ndarray:
    mask = mask_from_lengths(np.asarray(lengths), maxlen)
    for sequence, step in dropped:
        mask[sequence, step] = False
    return mask


def _lengths_only(lengths, dropped, maxlen):
    return mask_from_lengths(np.asarray(lengths), maxlen)


def _dropped_only(lengths, dropped, maxlen):
    mask = np.ones((len(lengths), maxlen), dtype=bool)
    for sequence, step in dropped:
        mask[sequence, step] = False
    return mask


def _true_marks_padding(lengths, dropped, maxlen):
    return ~_expected_mask(lengths, dropped, maxlen)


def _pre_padded(lengths, dropped, maxlen):
    mask = mask_from_lengths(np.asarray(lengths), maxlen, padding="pre")
    for sequence, step in dropped:
        mask[sequence, step] = False
    return mask


@exercise("04.1", "A mask from lengths and dropped readings", answer_name="build_mask",
          wrong_answers=(_lengths_only, _dropped_only, _true_marks_padding, _pre_padded))
def _check_build_mask(build_mask) -> str | None:
    if not callable(build_mask):
        return "expected a function build_mask(lengths, dropped, maxlen)."
    for lengths, dropped, maxlen in _MASK_CASES:
        result = build_mask(np.array(lengths), list(dropped), maxlen)
        if result is None or result is Ellipsis:
            return "your function returns None: replace the `...` with code that returns the mask."
        result = np.asarray(result)
        expected = _expected_mask(lengths, dropped, maxlen)
        if result.shape != expected.shape:
            return (f"for {len(lengths)} sequences and maxlen={maxlen} expected shape (batch, time) = "
                    f"{expected.shape}, got {result.shape}.")
        if result.dtype != bool:
            return f"expected a bool mask (True = real step), got dtype {result.dtype}."
        if np.array_equal(result, expected):
            continue
        if np.array_equal(result, ~expected):
            return "True must mark the real steps; padding and dropped readings are False."
        if np.array_equal(result, _lengths_only(lengths, dropped, maxlen)):
            return "the padding is right, but the dropped readings must be False too."
        if np.array_equal(result, _dropped_only(lengths, dropped, maxlen)):
            return "the dropped readings are right, but the padding after each sequence must be False too."
        if np.array_equal(result, _pre_padded(lengths, dropped, maxlen)):
            return "the sequences are padded at the end (post), so the real steps come first."
        return f"for lengths={lengths}, dropped={dropped}, maxlen={maxlen} your mask is not right yet."
    return None


def _ignores_the_mask(features, units):
    import keras

    values = keras.Input((None, features), name="values")
    mask = keras.Input((None,), dtype="bool", name="mask")
    outputs = keras.layers.Bidirectional(keras.layers.LSTM(units), name="bilstm")(values)
    return keras.Model([values, mask], outputs)


def _masking_layer_instead(features, units):
    import keras

    values = keras.Input((None, features), name="values")
    masked = keras.layers.Masking(mask_value=0.0, name="masking")(values)
    outputs = keras.layers.Bidirectional(keras.layers.LSTM(units), name="bilstm")(masked)
    return keras.Model(values, outputs)


def _multiplies_by_the_mask(features, units):
    import keras

    values = keras.Input((None, features), name="values")
    mask = keras.Input((None,), dtype="bool", name="mask")
    zeroed = values * keras.ops.expand_dims(keras.ops.cast(mask, "float32"), -1)
    outputs = keras.layers.Bidirectional(keras.layers.LSTM(units), name="bilstm")(zeroed)
    return keras.Model([values, mask], outputs)


@exercise("04.2", "A functional model with a mask input", answer_name="build_masked_model",
          wrong_answers=(_ignores_the_mask, _masking_layer_instead, _multiplies_by_the_mask))
def _check_build_masked_model(build_masked_model) -> str | None:
    import keras

    if not callable(build_masked_model):
        return "expected a function build_masked_model(features, units)."
    features, units, lengths = 2, 3, np.array([4, 2, 5])
    model = build_masked_model(features, units)
    if model is None or model is Ellipsis:
        return "your function returns None: replace the `...` with code that returns a keras.Model."
    if not isinstance(model, keras.Model):
        return f"expected a keras.Model, got {type(model).__name__}."
    if len(model.inputs) != 2:
        return f"your model takes {len(model.inputs)} input(s); it needs two: the values and the mask."
    if len(model.inputs[1].shape) != 2:
        shape = model.inputs[1].shape
        return f"the mask input should be (batch, time), like keras.Input((None,), ...); got {shape}."
    rng = np.random.default_rng(0)
    mask = mask_from_lengths(lengths, maxlen=5)
    x = rng.normal(size=(3, 5, features)).astype("float32")
    out = keras.ops.convert_to_numpy(model([x, mask]))
    if out.shape != (3, 2 * units):
        return (f"expected an output of shape (batch, 2 * units) = {(3, 2 * units)}, got {out.shape}: "
                "a Bidirectional LSTM that returns its final output (no return_sequences).")
    x_other_junk = np.where(mask[..., None], x, rng.normal(5.0, 3.0, x.shape)).astype("float32")
    if not np.allclose(keras.ops.convert_to_numpy(model([x_other_junk, mask])), out, atol=1e-6):
        return ("different junk in the padded slots changes the output: the mask does not reach the LSTM. "
                "Pass it when you call the layer.")
    for row, n in enumerate(lengths):
        alone = model([x[row:row + 1, :n], np.ones((1, n), dtype=bool)])
        if not np.allclose(keras.ops.convert_to_numpy(alone)[0], out[row], atol=1e-5):
            return ("for a padded sequence your output differs from the output for the sequence alone: "
                    "the LSTM still reads the padded steps.")
    return None
