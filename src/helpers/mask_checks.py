"""Check that an explicit mask fits its inputs before Keras turns a mistake into a cryptic error."""

from __future__ import annotations

import numpy as np

from helpers.trace import validated_mask


def checked_mask(inputs, mask) -> np.ndarray:
    """Return ``mask`` as a (batch, time) bool array, after checking that it fits ``inputs``.

    inputs: (batch, time, features) values or (batch, time) token ids; a NumPy array, an eager
        tensor, or anything else with a concrete ``shape``.
    mask: (batch, time), bool or 0/1 integers (True or 1 = a real step); an array, tensor or list.

    Keras' own errors for a mask that does not fit rarely mention the mask (or do not appear at all
    in graph mode), so call this first: ``model([x, checked_mask(x, m)])``.
    Raises ValueError for a wrong rank, shape or value and TypeError for a wrong dtype; each message
    names the argument, the expected form and what arrived.
    """
    batch_time = _batch_time(inputs)
    if mask is None:
        raise TypeError(f"mask: expected a (batch, time) = {batch_time} array of bool, got None")
    try:
        m = np.asarray(mask)
    except Exception as error:  # symbolic tensors and other objects NumPy cannot read
        raise TypeError(f"mask: expected an array of bool, got {type(mask).__name__} ({error})") from None
    if m.dtype == object:
        raise TypeError(f"mask: expected an array of bool, got {type(mask).__name__} of mixed objects")
    if m.shape != batch_time:
        raise ValueError(
            f"mask: expected rank 2, shape (batch, time) = {batch_time} to match inputs of shape "
            f"{tuple(np.shape(inputs))}, got rank {m.ndim}, shape {m.shape}{_shape_hint(m.shape, batch_time)}"
        )
    return validated_mask(m, batch_time, single=False)


def _batch_time(inputs) -> tuple[int, int]:
    shape = getattr(inputs, "shape", None)
    if shape is None:
        shape = np.shape(inputs)
    shape = tuple(shape)
    if len(shape) not in (2, 3):
        raise ValueError(
            "inputs: expected shape (batch, time, features) or (batch, time) token ids, "
            f"got shape {shape} (rank {len(shape)})"
        )
    if any(not isinstance(size, int | np.integer) for size in shape):
        raise TypeError(
            f"inputs: expected a concrete array (NumPy or eager tensor), got shape {shape}; "
            "a symbolic keras.Input has no batch size to check against"
        )
    return int(shape[0]), int(shape[1])


def _shape_hint(shape: tuple[int, ...], batch_time: tuple[int, int]) -> str:
    batch, time = batch_time
    if shape == (time,) or shape == (batch,):
        return "; this looks like one mask for one sequence: give each sequence its own row"
    if shape == (time, batch):
        return "; this looks transposed: rows are sequences, columns are steps"
    if len(shape) == 3 and shape[:2] == batch_time:
        return "; one value per step, not per feature: drop the last axis (e.g. mask.all(axis=-1))"
    if len(shape) == 2 and shape[0] == batch:
        more_or_fewer = "more" if shape[1] > time else "fewer"
        return f"; the mask has {more_or_fewer} steps than the inputs: build both with the same maxlen"
    return ""
