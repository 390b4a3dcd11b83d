"""Checkers for notebook 07 · Broken recipes, fixed."""

from __future__ import annotations

import numpy as np

from helpers.exercises import exercise
from helpers.invariance import probe_padding

_VOCAB = 6
# Token ids 1.._VOCAB; the largest id occurs, so a too-small Embedding table shows.
_SENTENCES = [np.array([3, 6, 1, 4]), np.array([5, 2]), np.array([6, 1, 2, 3, 5])]
_TOLERANCE = {"rtol": 1e-4, "atol": 1e-5}


def _randomise_lstm_biases(model, seed: int = 0) -> None:
    """Non-zero biases in every (Bidirectional) LSTM of ``model``, so that padding would show."""
    import keras

    from helpers.models import randomise_biases

    for layer in getattr(model, "layers", []):
        inner = layer.forward_layer if isinstance(layer, keras.layers.Bidirectional) else layer
        if isinstance(inner, keras.layers.LSTM) and layer.built:
            randomise_biases(layer, seed)


def _error_hint(error: Exception) -> str | None:
    text = str(error)
    if "expected ndim=3, found ndim=2" in text:
        return ("the LSTM receives 2-D input (batch, time). Masking reads the last axis as features, so "
                "token ids need either a feature axis or, better, an Embedding in front of the LSTM.")
    if "is not in [0," in text:
        return ("an id is out of range of the Embedding table. With mask_zero=True index 0 is reserved "
                "for padding, so the table needs one row more than the number of real ids.")
    return None


def _build_and_probe(build, predict, befores=(0, 2)) -> tuple[str | None, list]:
    """Build a model with ``build(_VOCAB)``, randomise its LSTM biases, probe it; (hint, probes)."""
    import tensorflow as tf

    model = build(_VOCAB)
    if model is None or model is Ellipsis:
        return "your function returns None: replace the `...` with code that returns a model.", []
    if not callable(model):
        return f"expected a Keras model, got {type(model).__name__}.", []
    try:
        probes = []
        for before in befores:
            if not probes:  # build the layers, then make padding effects visible
                probe_padding(lambda x, m: predict(model, x, m), _SENTENCES[:1], pad_value=0)
                _randomise_lstm_biases(model)
            probes.append(probe_padding(lambda x, m: predict(model, x, m), _SENTENCES,
                                        pad_value=0, before=before))
    except (ValueError, tf.errors.InvalidArgumentError) as error:
        hint = _error_hint(error)
        if hint is None:
            raise
        return hint, []
    first = probes[0].unpadded
    if first.ndim != 2 or first.shape[0] != len(_SENTENCES):
        return (f"expected one vector per sequence, shape (batch, units), got {first.shape}: "
                "use the LSTM without return_sequences."), []
    return None, probes


def _padding_hint(probe, where: str) -> str | None:
    if not np.allclose(probe.padded, probe.unpadded, **_TOLERANCE):
        return (f"with padding {where} the output differs from the output of the unpadded sequences: "
                "the LSTM does not get a mask that hides the padded steps.")
    if not np.allclose(probe.longer, probe.padded, **_TOLERANCE):
        return f"with padding {where} the output changes with the number of padded steps."
    return None


def _recipe_as_found(vocab_size):
    import keras

    return keras.Sequential([keras.layers.Masking(mask_value=0),
                             keras.layers.Bidirectional(keras.layers.LSTM(4))])


def _embedding_without_mask(vocab_size):
    import keras

    return keras.Sequential([keras.layers.Embedding(vocab_size + 1, 4),
                             keras.layers.Bidirectional(keras.layers.LSTM(4))])


def _masking_after_embedding(vocab_size):
    import keras

    return keras.Sequential([keras.layers.Embedding(vocab_size + 1, 4), keras.layers.Masking(0.0),
                             keras.layers.Bidirectional(keras.layers.LSTM(4))])


def _table_one_row_short(vocab_size):
    import keras

    return keras.Sequential([keras.layers.Embedding(vocab_size, 4, mask_zero=True),
                             keras.layers.Bidirectional(keras.layers.LSTM(4))])


def _probe_answer(build, predict, answer_name: str) -> tuple[str | None, list]:
    """Build and probe the learner's model; (the first hint that applies, the probes).

    Hints in order: not a function, no model or an error, padding (at the end, then at both ends)
    that changes the output, the same output for every sequence.
    """
    if not callable(build):
        return f"expected a function {answer_name}(vocab_size) that returns a Keras model.", []
    hint, probes = _build_and_probe(build, predict)
    if hint:
        return hint, probes
    for probe, where in zip(probes, ("at the end", "at both ends"), strict=True):
        hint = _padding_hint(probe, where)
        if hint:
            return hint, probes
    if np.ptp(probes[0].unpadded, axis=0).max() < 1e-6:
        return "every sequence gets the same output: the model must read the ids.", probes
    return None, probes


def _call_on_ids(model, x, mask):
    return model(x)


@exercise("07.1", "Fix the Masking recipe for token ids", answer_name="build_model",
          wrong_answers=(_recipe_as_found, _embedding_without_mask, _masking_after_embedding,
                         _table_one_row_short))
def _check_build_model(build_model) -> str | None:
    return _probe_answer(build_model, _call_on_ids, "build_model")[0]


_SHIFT_CASES = (
    (np.array([[-1, -1, 0, 4, 2, -1], [-1, 3, 0, -1, -1, -1]]), -1),
    (np.array([[5, 0, 1, 99, 99], [99, 2, 2, 0, 99]]), 99),
    (np.array([[-7, 1, 0, -7], [0, 0, 3, -7]]), -7),
)


def _plus_one(x, pad_value):
    return x + 1


def _pads_to_zero_only(x, pad_value):
    return np.where(x == pad_value, 0, x)


def _minus_pad_value(x, pad_value):
    return x - pad_value


def _absolute_value(x, pad_value):
    return np.abs(x)


@exercise("07.2", "Free the id 0 for padding", answer_name="shift_ids",
          wrong_answers=(_plus_one, _pads_to_zero_only, _minus_pad_value, _absolute_value))
def _check_shift_ids(shift_ids) -> str | None:
    if not callable(shift_ids):
        return "expected a function shift_ids(x, pad_value)."
    for x, pad_value in _SHIFT_CASES:
        result = shift_ids(x.copy(), pad_value)
        if result is None or result is Ellipsis:
            return "your function returns None: replace the `...` with code that returns an array."
        result = np.asarray(result)
        if result.shape != x.shape:
            return f"expected the shape of x, {x.shape}, got {result.shape}."
        if not np.issubdtype(result.dtype, np.integer):
            return f"expected integer ids for the Embedding, got dtype {result.dtype}."
        pads = x == pad_value
        if not (result[pads] == 0).all():
            return (f"with pad_value={pad_value} some padded slots do not become 0, the id that "
                    "Embedding(mask_zero=True) masks.")
        if (result[~pads] == 0).any():
            return (f"with pad_value={pad_value} a real id becomes 0, so Embedding(mask_zero=True) would "
                    "mask a real token: real ids must move out of the way.")
        if not np.array_equal(result[~pads], x[~pads] + 1):
            return (f"with pad_value={pad_value} the real ids end up outside 1, 2, 3, ...: how far a real "
                    "id moves must not depend on the pad value.")
    return None


def _call_with_mask(model, x, mask):
    return model([x, mask])


def _mask_input_unused(vocab_size):
    import keras

    ids = keras.Input((None,), dtype="int32")
    mask = keras.Input((None,), dtype="bool")
    h = keras.layers.Embedding(vocab_size + 1, 4, mask_zero=True)(ids)
    return keras.Model([ids, mask], keras.layers.Bidirectional(keras.layers.LSTM(4))(h))


def _mask_as_a_feature(vocab_size):
    import keras

    ids = keras.Input((None,), dtype="int32")
    mask = keras.Input((None,), dtype="bool")
    h = keras.layers.Embedding(vocab_size + 1, 4)(ids)
    flag = keras.layers.Reshape((-1, 1))(keras.ops.cast(mask, "float32"))
    h = keras.layers.Concatenate()([h, flag])
    return keras.Model([ids, mask], keras.layers.Bidirectional(keras.layers.LSTM(4))(h))


@exercise("07.3", "An explicit mask input", answer_name="build_masked_model",
          wrong_answers=(_mask_input_unused, _mask_as_a_feature))
def _check_build_masked_model(build_masked_model) -> str | None:
    hint, probes = _probe_answer(build_masked_model, _call_with_mask, "build_masked_model")
    if hint:
        return hint
    for probe in probes:
        if not np.allclose(probe.junk, probe.padded, **_TOLERANCE):
            return ("other ids in the padded slots change your output: the model still decides from the "
                    "values. Hand the mask input to the LSTM instead.")
    return None
