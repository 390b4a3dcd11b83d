"""Checkers for notebook 14 · Where the mask survives: ragged readings padded, a time-changing layer."""

from __future__ import annotations

import tempfile
from pathlib import Path

import numpy as np

from helpers.exercises import exercise

# Switch logs (notebook 09): 0 = "off" is a real reading; the last log is the longest.
_LOGS = [[1.0, 0.0, 0.0], [0.0], [1.0, 1.0, 0.0, 1.0, 0.0], [0.0, 0.0], [1.0, 0.0, 1.0, 1.0, 1.0, 0.0]]
_LENGTHS = np.array([len(log) for log in _LOGS])
_TIME = int(_LENGTHS.max())
_VALUES = np.array([log + [0.0] * (_TIME - len(log)) for log in _LOGS], "float32")[..., None]
_MASK = np.arange(_TIME)[None, :] < _LENGTHS[:, None]


def _ragged():
    import tensorflow as tf

    return tf.ragged.constant([[[v] for v in log] for log in _LOGS], dtype=tf.float32, ragged_rank=1)


def _numpy(value, dtype=float) -> np.ndarray:
    import keras

    return np.asarray(keras.ops.convert_to_numpy(value), dtype=dtype)


# --- 14.1 to_padded(ragged) -------------------------------------------------------------------------

def _mask_from_values(ragged):
    values = ragged.to_tensor()
    return values, _numpy(values)[..., 0] != 0


def _padded_in_front(ragged):
    rows = [_numpy(row) for row in ragged]
    values = np.stack([np.concatenate([np.zeros((_TIME - len(r), 1)), r]) for r in rows]).astype("float32")
    mask = np.arange(_TIME)[None, :] >= (_TIME - _LENGTHS)[:, None]
    return values, mask


def _every_step_real(ragged):
    values = ragged.to_tensor()
    return values, np.ones(values.shape[:2], bool)


def _mask_with_a_feature_axis(ragged):
    import tensorflow as tf

    return ragged.to_tensor(), tf.sequence_mask(ragged.row_lengths())[..., None]


@exercise("14.1", "Ragged readings, padded", answer_name="to_padded",
          wrong_answers=(_mask_from_values, _padded_in_front, _every_step_real, _mask_with_a_feature_axis))
def _check_to_padded(to_padded) -> str | None:
    if not callable(to_padded):
        return "expected a function to_padded(ragged) that returns (values, mask)."
    result = to_padded(_ragged())
    if result is None:
        return "your function returns None: replace the `...` with code that returns (values, mask)."
    if not isinstance(result, tuple | list) or len(result) != 2:
        return "expected two results, values and mask: return values, mask."
    values, mask = _numpy(result[0]), _numpy(result[1])
    if values.shape != _VALUES.shape:
        return f"expected values of shape {_VALUES.shape} (batch, longest log, 1), got {values.shape}."
    if mask.shape != _MASK.shape:
        return (f"expected a mask of shape {_MASK.shape} (batch, time), without the feature axis; "
                f"got {mask.shape}.")
    mask = mask.astype(bool)
    if mask.all():
        return "your mask calls every step real: the padded steps must be False."
    if np.array_equal(mask, _VALUES[..., 0] != 0):
        return ("your mask is values != 0, but 0 is a real reading here (switch off): take the mask from "
                "the row lengths, e.g. tf.sequence_mask(ragged.row_lengths()).")
    if not np.array_equal(values, _VALUES):
        return "the values are not padded at the end with 0: ragged.to_tensor() does that."
    if not np.array_equal(mask, _MASK):
        return "the mask does not mark each log's first `length` steps: use the row lengths."
    return None


# --- 14.2 EveryKthStep(k) ---------------------------------------------------------------------------

# Padding at the end, none, a single real step, and a gap; Masking(0.0) finds it from the zeros.
_STEP_MASK = np.array([[1, 1, 1, 1, 0, 0, 0], [1, 1, 1, 1, 1, 1, 1], [1, 0, 0, 0, 0, 0, 0],
                       [1, 1, 0, 1, 1, 0, 1]], bool)
_STEP_REAL_VALUES = np.random.default_rng(14).uniform(0.5, 1.5, (*_STEP_MASK.shape, 2))
_STEP_VALUES = np.where(_STEP_MASK[..., None], _STEP_REAL_VALUES, 0.0).astype("float32")
_K = 3


def _wrong_layers():
    """Typical mistakes, each a class; registered under their own package, never the learner's name."""
    import keras

    class NoComputeMask(keras.layers.Layer):
        def __init__(self, k, **kwargs):
            super().__init__(**kwargs)
            self.k = k
            self.supports_masking = True

        def call(self, inputs):
            return inputs[:, ::self.k]

    class MaskUnchanged(NoComputeMask):
        def compute_mask(self, inputs, mask=None):
            return mask

    class NotRegistered(NoComputeMask):
        def compute_mask(self, inputs, mask=None):
            return None if mask is None else mask[:, ::self.k]

    class ConfigWithoutK(NotRegistered):
        def get_config(self):
            return super().get_config()  # a get_config of its own: Keras no longer adds k by itself

    class DefaultKInstead(ConfigWithoutK):
        def __init__(self, k=2, **kwargs):
            super().__init__(k, **kwargs)

    register = keras.saving.register_keras_serializable(package="nb14_wrong_answers")
    return (register(NoComputeMask), register(MaskUnchanged), NotRegistered, register(ConfigWithoutK),
            register(DefaultKInstead))


def _reloads_with_k(layer_class) -> str | None:
    import keras

    values_in = keras.Input((None, 2), name="values")
    masked = keras.layers.Masking(0.0, name="masking")(values_in)
    model = keras.Model(values_in, layer_class(k=_K, name="every_kth")(masked))
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "every_kth.keras"
        model.save(path)
        try:
            reloaded = keras.models.load_model(path)
        except TypeError as error:
            if "Could not locate class" in str(error):
                return "the model saves but does not load: Keras cannot find the class. Register it."
            return ("the model saves but Keras cannot rebuild your layer from its config: the config must "
                    "hold every argument of __init__, k included (without a get_config of your own, Keras "
                    "records k by itself).")
    layer = reloaded.get_layer("every_kth")
    if getattr(layer, "k", None) != _K:
        return (f"the reloaded layer has k = {getattr(layer, 'k', None)!r}, not {_K}: its config must hold k "
                "(do not override get_config, or add k to it).")
    if not np.array_equal(_numpy(reloaded(_STEP_VALUES)), _STEP_VALUES[:, ::_K]):
        return "the reloaded model gives other values than the model you saved."
    return None


@exercise("14.2", "Keep every k-th step", answer_name="EveryKthStep",
          wrong_answers=_wrong_layers())
def _check_every_kth_step(EveryKthStep) -> str | None:  # the answer is a class
    import warnings

    import keras

    if not (isinstance(EveryKthStep, type) and issubclass(EveryKthStep, keras.layers.Layer)):
        return "expected a class EveryKthStep(keras.layers.Layer)."
    layer = EveryKthStep(k=_K)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        output = layer(keras.layers.Masking(0.0)(_STEP_VALUES))
    if output is None:
        return "call returns None: replace the `...` with code."
    if not np.allclose(_numpy(output), _STEP_VALUES[:, ::_K]):
        return (f"expected the values of steps 0, k, 2k, ... (shape {_STEP_VALUES[:, ::_K].shape}), "
                f"got shape {_numpy(output).shape}.")
    mask = getattr(output, "_keras_mask", None)
    if mask is None:
        return "the output carries no mask: give the layer a compute_mask that returns one."
    mask = _numpy(mask, bool)
    if mask.shape != _STEP_MASK[:, ::_K].shape:
        return (f"the output's mask has {mask.shape[1]} steps for {_STEP_VALUES[:, ::_K].shape[1]} values: "
                "compute_mask must keep the same steps as call.")
    if not np.array_equal(mask, _STEP_MASK[:, ::_K]):
        return "the mask does not follow the kept steps: take every k-th column of the incoming mask."
    name = keras.saving.get_registered_name(EveryKthStep)
    if ">" not in name or keras.saving.get_registered_object(name) is not EveryKthStep:
        return ('the class is not registered: decorate it with '
                '@keras.saving.register_keras_serializable(package="my_layers") and run the cell again.')
    return _reloads_with_k(EveryKthStep)
