"""Small mask-aware Keras layers: masked softmax over time, masked max pooling, an embedding masking ids."""

from __future__ import annotations

from collections.abc import Iterable

import keras
from keras import ops

# Every layer here is registered under this package ("helpers>TemporalSoftmax", ...) and its config holds
# every constructor argument, so that keras.models.load_model rebuilds a saved model that uses it, in any
# process that has imported this module. Without the registration, loading fails with
# "TypeError: <class 'keras.src.models.functional.Functional'> could not be deserialized properly".
PACKAGE = "helpers"


def masked_softmax(scores, mask=None, axis: int = 1):
    """Softmax of ``scores`` along ``axis`` (time) over the real steps only.

    scores: (batch, time) or (batch, time, ...) floats; mask: (batch, time) bool, True = real step,
    or None (a plain softmax). Returns the shape of ``scores``: weights that are 0 at padded steps
    and sum to 1 over the real steps of each row; a row without real steps gets all zeros.
    """
    scores = ops.convert_to_tensor(scores)
    if mask is None:
        return ops.softmax(scores, axis=axis)
    mask = ops.cast(ops.convert_to_tensor(mask), "bool")
    if len(mask.shape) != 2 or len(scores.shape) < 2:
        raise ValueError(
            f"mask: expected shape (batch, time) for scores of shape (batch, time, ...), "
            f"got mask {tuple(mask.shape)} and scores {tuple(scores.shape)}"
        )
    while len(mask.shape) < len(scores.shape):
        mask = ops.expand_dims(mask, -1)
    # Subtract the largest real score, so that exp never overflows; pads are left out of it.
    lowest = ops.full_like(scores, -1e9)
    largest = ops.max(ops.where(mask, scores, lowest), axis=axis, keepdims=True)
    shifted = ops.where(mask, scores - ops.stop_gradient(largest), ops.zeros_like(scores))
    exps = ops.where(mask, ops.exp(shifted), ops.zeros_like(scores))
    totals = ops.sum(exps, axis=axis, keepdims=True)
    return ops.divide_no_nan(exps, totals)


@keras.saving.register_keras_serializable(package=PACKAGE)
class TemporalSoftmax(keras.layers.Layer):
    """Softmax over the time axis (axis 1) that gives padded steps weight 0; keeps the mask.

    inputs: (batch, time, units) scores, for example from ``Dense(1)``; mask: (batch, time) bool,
    found on the inputs or passed as ``mask=``. Output: the shape of ``inputs``, weights that sum to
    1 over the real steps of each row (all zeros for a row without real steps).
    """

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.supports_masking = True  # the output still has a time axis: pass the mask on

    def call(self, inputs, mask=None):
        return masked_softmax(inputs, mask, axis=1)


@keras.saving.register_keras_serializable(package=PACKAGE)
class MaskedGlobalMaxPooling1D(keras.layers.Layer):
    """Largest value of each feature over the real steps only; consumes the mask.

    inputs: (batch, time, features); mask: (batch, time) bool. Output: (batch, features).
    ``GlobalMaxPooling1D`` ignores the mask (and destroys it), so padded values take part in its
    maximum. A row without real steps gives zeros here.
    """

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.supports_masking = True

    def call(self, inputs, mask=None):
        if mask is None:
            return ops.max(inputs, axis=1)
        real = ops.expand_dims(ops.cast(mask, "bool"), -1)
        largest = ops.max(ops.where(real, inputs, ops.full_like(inputs, float("-inf"))), axis=1)
        has_real = ops.any(real, axis=1)
        return ops.where(has_real, largest, ops.zeros_like(largest))

    def compute_mask(self, inputs, mask=None):
        return None  # the time axis is gone: nothing left to mask


@keras.saving.register_keras_serializable(package=PACKAGE)
class MaskedIdsEmbedding(keras.layers.Embedding):
    """An ``Embedding`` whose mask hides every id in ``masked_ids`` (for example padding and [UNK]).

    inputs: (batch, time) int ids. Output: (batch, time, output_dim), with the mask
    ``ids not in masked_ids`` (batch, time) bool, and'ed with any mask that arrives with the ids.
    ``masked_ids=(0,)`` behaves like ``Embedding(mask_zero=True)``.
    """

    def __init__(self, input_dim: int, output_dim: int, masked_ids: Iterable[int] = (0,), **kwargs):
        if kwargs.get("mask_zero"):
            raise ValueError("mask_zero: expected False (put 0 in masked_ids instead), got True")
        masked_ids = tuple(int(i) for i in masked_ids)
        if not masked_ids:
            raise ValueError("masked_ids: expected at least one id, got an empty collection")
        if any(not 0 <= i < input_dim for i in masked_ids):
            raise ValueError(f"masked_ids: expected ids from 0 to input_dim - 1 = {input_dim - 1}, "
                             f"got {masked_ids}")
        super().__init__(input_dim, output_dim, **kwargs)
        self.masked_ids = masked_ids
        self.supports_masking = True

    def compute_mask(self, inputs, mask=None):
        ids = ops.convert_to_tensor(inputs)
        keep = ops.ones_like(ids, dtype="bool")
        for masked_id in self.masked_ids:
            keep = ops.logical_and(keep, ops.not_equal(ids, masked_id))
        return keep if mask is None else ops.logical_and(keep, ops.cast(mask, "bool"))

    def get_config(self):
        """Embedding's config plus ``masked_ids``: without it a reloaded layer would mask only id 0."""
        return {**super().get_config(), "masked_ids": list(self.masked_ids)}
