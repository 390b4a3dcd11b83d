"""Checkers for notebook 15 · Audit your own model: fix the unmasked branch, a batch cuDNN refuses."""

from __future__ import annotations

import importlib

import numpy as np

from helpers.exercises import exercise

_SEED = 15  # the checkers' own batch: not the notebook's


def _numpy(value, dtype=None) -> np.ndarray:
    import keras

    return np.asarray(keras.ops.convert_to_numpy(value), dtype=dtype)


def _ids() -> np.ndarray:
    from helpers.audit.zoo import token_batch

    return token_batch(_SEED)


# --- 15.1 fixed_tagger() -----------------------------------------------------------------------------

def _tagger(branch_mask: bool = True, join: str = "add", compiled: bool = True):
    """The zoo's tagger, with or without a mask on the second branch, joined by Add or Concatenate."""
    import keras

    layers = keras.layers
    ids = keras.Input((None,), dtype="int32", name="ids")
    states = layers.Bidirectional(layers.LSTM(8, return_sequences=True), name="encoder")(
        layers.Embedding(20, 8, mask_zero=True, name="embed")(ids))
    branch = layers.Embedding(20, 16, mask_zero=branch_mask, name="ids_branch")(ids)
    joined = (layers.Add(name="add") if join == "add" else layers.Concatenate(name="join"))([states, branch])
    tags = layers.TimeDistributed(layers.Dense(4, activation="softmax"), name="tags")(joined)
    model = keras.Model(ids, tags)
    if compiled:
        model.compile(loss="sparse_categorical_crossentropy")
    return model


def _still_unmasked():
    return _tagger(branch_mask=False)


def _concatenated_instead():
    return _tagger(join="concatenate")


def _not_compiled():
    return _tagger(compiled=False)


def _unmasked_with_mean_loss():
    model = _tagger(branch_mask=False, compiled=False)
    model.compile(loss="sparse_categorical_crossentropy", weighted_metrics=["accuracy"])
    return model


def _compiled_loss(model, ids, targets) -> float:
    return float(model.compute_loss(x=ids, y=targets, y_pred=model(ids)))


@exercise("15.1", "Fix the unmasked branch", answer_name="fixed_tagger",
          wrong_answers=(_still_unmasked, _concatenated_instead, _not_compiled, _unmasked_with_mean_loss))
def _check_fixed_tagger(fixed_tagger) -> str | None:
    import warnings

    import keras

    from helpers import audit

    if not callable(fixed_tagger):
        return "expected a function fixed_tagger() that returns a compiled keras.Model."
    model = fixed_tagger()
    if model is None:
        return "fixed_tagger() returns None: replace the `...` with code that builds and returns the model."
    if not isinstance(model, keras.Model):
        return f"fixed_tagger() returned {type(model).__name__}, not a keras.Model: return the model."
    ids = _ids()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        output = model(ids)
    if tuple(output.shape) != (*ids.shape, 4):
        return f"expected an output of shape (batch, time, 4) = {(*ids.shape, 4)}, got {tuple(output.shape)}."
    if not any(isinstance(layer, keras.layers.Add) for layer in model.layers):
        return "keep the Add layer: fix its unmasked branch rather than joining the branches another way."
    if not getattr(model, "compiled", False) or model.loss is None:
        return 'compile the model: model.compile(loss="sparse_categorical_crossentropy").'
    mask = getattr(output, "_keras_mask", None)
    if mask is None:
        return ("the output carries no mask: Add drops it when one of its inputs has none. Which of the "
                "two branches makes no mask?")
    if not np.array_equal(_numpy(mask, bool), ids != 0):
        return "the output's mask is not ids != 0: the mask must mark the real steps, as mask_zero does."
    probabilities = _numpy(output)
    tags = probabilities.argmax(axis=-1)
    junk = np.where(ids == 0, probabilities.argmin(axis=-1), tags)
    if not np.isclose(_compiled_loss(model, ids, tags), _compiled_loss(model, ids, junk), rtol=1e-6):
        return "junk targets at the padded steps change the compiled loss: the mask does not reach the loss."
    report = audit(model, ids)
    if not report.ok:
        return f"the audit says {report.verdict()}: {report.findings[0].kind} ({report.findings[0].message})."
    return None


# --- 15.2 cudnn_trap(ids) ----------------------------------------------------------------------------

def _unchanged(ids):
    return ids


def _reversed_rows(ids):
    return ids[:, ::-1]


def _minus_one_pads(ids):
    return np.where(ids == 0, -1, np.roll(ids, 1, axis=1))


def _empty_first_row(ids):
    trapped = ids.copy()
    trapped[0] = 0
    return trapped


def _extra_pad_in_front(ids):
    return np.pad(ids, ((0, 0), (1, 0)))


def _tokens_per_row(ids: np.ndarray) -> list[list[int]]:
    return [row[row != 0].tolist() for row in ids]


def cudnn_accepts(mask: np.ndarray) -> bool:
    """Whether Keras's own cuDNN mask check (TensorFlow backend) lets ``mask`` (batch, time) through."""
    import tensorflow as tf

    rnn = importlib.import_module("keras.src.backend.tensorflow.rnn")
    try:
        rnn._assert_valid_mask(mask)
    except tf.errors.InvalidArgumentError:
        return False
    return True


@exercise("15.2", "A batch cuDNN refuses", answer_name="cudnn_trap",
          wrong_answers=(_unchanged, _reversed_rows, _minus_one_pads, _empty_first_row, _extra_pad_in_front))
def _check_cudnn_trap(cudnn_trap) -> str | None:
    import keras

    from helpers import audit
    from helpers.audit.zoo import ZOO

    if not callable(cudnn_trap):
        return "expected a function cudnn_trap(ids) that returns ids of the same shape."
    ids = _ids()
    trapped = cudnn_trap(ids.copy())
    if trapped is None:
        return "your function returns None: return the new ids."
    trapped = np.asarray(trapped)
    if trapped.shape != ids.shape:
        return f"expected ids of the same shape {ids.shape}, got {trapped.shape}: move the pads, add none."
    if not np.issubdtype(trapped.dtype, np.integer):
        return f"expected integer token ids, got {trapped.dtype}."
    if (trapped < 0).any():
        return "pad with 0: mask_zero masks id 0 only, so another pad value changes the model's mask."
    if _tokens_per_row(trapped) != _tokens_per_row(ids):
        return ("each row must keep its tokens, in the same order (and none may lose all of them): move "
                "only the zeros.")
    if cudnn_accepts(trapped != 0):
        return ("Keras's cuDNN check accepts this mask: cuDNN takes real steps first, padding last. "
                "Which layout does it refuse?")
    model, _, _ = ZOO["mask_zero_classifier"].build(_SEED)
    report = audit(model, trapped)
    kinds = {f.kind for f in report.findings if f.severity != "note"}
    # The zoo's pre-padded classifier is this model on such a batch: what it expects on this backend
    # (cuDNN's rule is TensorFlow's: on JAX and PyTorch Keras never hands a masked LSTM to cuDNN).
    _, _, expected = ZOO["pre_padded_classifier"].expected(keras.backend.backend())
    if kinds != expected:
        return f"the audit found {sorted(kinds)}, expected {sorted(expected)} on this backend."
    return None
