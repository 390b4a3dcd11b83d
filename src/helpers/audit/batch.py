"""A model's inputs as the audit sees them: which arrays padding moves, where the padding sits,
and the same real steps laid out in other ways."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace

import numpy as np

from helpers.unpadded import by_length

SEQUENCE, MASK, STATIC = "sequence", "mask", "static"


@dataclass(frozen=True)
class ModelInputs:
    """The arrays a model takes, with the container they came in.

    kind: "array" (one input), "list" or "dict"; keys: positions or names; arrays: one per key,
    each (batch, ...). roles: per array, once the time axis is known: ``SEQUENCE`` (batch, time,
    ...) values that padding moves, ``MASK`` a (batch, time) bool mask input, ``STATIC`` anything else.
    """

    kind: str
    keys: tuple
    arrays: tuple
    roles: tuple = ()

    @property
    def batch_size(self) -> int:
        return len(self.arrays[0])

    def for_model(self):
        """The arrays in the container the model takes."""
        if self.kind == "array":
            return self.arrays[0]
        if self.kind == "dict":
            return dict(zip(self.keys, self.arrays, strict=True))
        return list(self.arrays)

    def with_arrays(self, arrays) -> ModelInputs:
        return replace(self, arrays=tuple(arrays))

    def rows(self, index) -> ModelInputs:
        """The same inputs for the rows ``index`` only."""
        return self.with_arrays(a[index] for a in self.arrays)


def model_inputs(batch) -> ModelInputs:
    """``batch`` (an array, a list/tuple of arrays or a dict of them) as ``ModelInputs``."""
    if isinstance(batch, Mapping):
        kind, keys, values = "dict", tuple(batch), list(batch.values())
    elif isinstance(batch, list | tuple) and batch and all(hasattr(v, "shape") for v in batch):
        kind, keys, values = "list", tuple(range(len(batch))), list(batch)
    else:
        kind, keys, values = "array", (0,), [batch]
    if not values:
        raise ValueError("batch: expected at least one input array, got an empty container")
    arrays = []
    for key, value in zip(keys, values, strict=True):
        array = np.asarray(value)
        if array.dtype == object or array.ndim == 0:
            raise TypeError(
                f"batch[{key!r}]: expected a numeric array (batch, ...), got {type(value).__name__}"
            )
        arrays.append(array)
    sizes = {len(a) for a in arrays}
    if len(sizes) > 1:
        raise ValueError(
            f"batch: expected the same batch size in every input, got {[a.shape for a in arrays]}"
        )
    return ModelInputs(kind, keys, tuple(arrays))


def assign_roles(inputs: ModelInputs, time: int) -> ModelInputs:
    """Mark each array ``SEQUENCE``, ``MASK`` or ``STATIC`` for a padding of ``time`` steps."""
    roles = []
    for array in inputs.arrays:
        if array.dtype == bool and array.shape[1:] == (time,):
            roles.append(MASK)
        elif array.ndim >= 2 and array.shape[1] == time:
            roles.append(SEQUENCE)
        else:
            roles.append(STATIC)
    if SEQUENCE not in roles:
        shapes = [a.shape for a in inputs.arrays]
        raise ValueError(
            f"batch: expected an input with {time} steps on axis 1 (the padding's), got {shapes}"
        )
    return replace(inputs, roles=tuple(roles))


def mask_from_lengths(lengths, time: int, padding: str = "post") -> np.ndarray:
    """A (batch, time) bool mask with ``lengths[b]`` real steps, at the start ("post" padding) or
    at the end ("pre" padding) of each row."""
    lengths = np.asarray(lengths)
    if lengths.ndim != 1 or not np.issubdtype(lengths.dtype, np.integer):
        raise ValueError(
            f"lengths: expected a 1-D array of ints (batch,), got {lengths.dtype} {lengths.shape}"
        )
    if padding not in ("post", "pre"):
        raise ValueError(f"padding: expected 'post' or 'pre', got {padding!r}")
    if lengths.min(initial=0) < 0 or lengths.max(initial=0) > time:
        raise ValueError(f"lengths: expected values from 0 to {time} (the time axis), got {lengths.tolist()}")
    steps = np.arange(time)
    if padding == "post":
        return steps[None, :] < lengths[:, None]
    return steps[None, :] >= time - lengths[:, None]


def values_mask(array: np.ndarray, pad_value) -> np.ndarray:
    """True where ``array`` (batch, time[, features]) holds something other than ``pad_value``."""
    differs = array != pad_value
    return differs if differs.ndim == 2 else differs.reshape(*differs.shape[:2], -1).any(axis=-1)


def is_right_padded(mask: np.ndarray) -> bool:
    """Every row's real steps come first, with no gap (what cuDNN accepts)."""
    return bool((mask == (np.arange(mask.shape[1]) < mask.sum(axis=1)[:, None])).all())


def is_left_padded(mask: np.ndarray) -> bool:
    """Every row's real steps come last, with no gap."""
    return is_right_padded(mask[:, ::-1])


def packed(lengths: np.ndarray, time: int, side: str, gap: int = 0) -> np.ndarray:
    """A (batch, time) mask with ``lengths[b]`` real steps packed at the "start" or "end" of each row,
    or, for side "middle", split in two halves with ``gap`` padded steps between them."""
    mask = np.zeros((len(lengths), time), dtype=bool)
    for row, n in zip(mask, lengths, strict=True):
        if side == "start":
            row[:n] = True
        elif side == "end":
            row[time - n :] = True
        else:
            first = (n + 1) // 2
            row[:first] = True
            row[first + gap * (n > 1) : first + gap * (n > 1) + n - first] = True
    return mask


def layouts(mask: np.ndarray, fixed_length: bool, extra: int = 3) -> dict[str, np.ndarray]:
    """Other masks with the same real steps per row: more padding (on the side the padding is),
    padding on the other side, and a gap in the middle. A fixed-length model keeps ``time``."""
    lengths = mask.sum(axis=1)
    time = mask.shape[1]
    left = is_left_padded(mask) and not is_right_padded(mask)
    longer = time if fixed_length else time + extra
    found = {}
    if not fixed_length:
        found["more padding"] = np.pad(mask, ((0, 0), (extra, 0) if left else (0, extra)))
    found["padding on the other side"] = packed(lengths, longer, "start" if left else "end")
    gap = extra if not fixed_length else 0
    middle = packed(lengths, longer, "middle", gap) if gap else _gap_within(lengths, time)
    if (middle.sum(axis=1) == lengths).all() and not any(np.array_equal(middle, m) for m in found.values()):
        found["a gap in the middle"] = middle
    return {name: m for name, m in found.items() if not np.array_equal(m, mask)}


def _gap_within(lengths: np.ndarray, time: int) -> np.ndarray:
    mask = np.zeros((len(lengths), time), dtype=bool)
    for row, n in zip(mask, lengths, strict=True):
        first = (n + 1) // 2
        row[:first] = True
        row[time - (n - first) :] = True
    return mask


def relayout(
    inputs: ModelInputs, mask: np.ndarray, new_mask: np.ndarray, fills: dict, junk_seed: int | None = None
) -> ModelInputs:
    """The same real steps placed where ``new_mask`` says; padded slots hold ``fills[key]``, or,
    with ``junk_seed``, real steps drawn from the same input. ``MASK`` inputs become ``new_mask``."""
    rng = np.random.default_rng(junk_seed)
    arrays = []
    for key, role, array in zip(inputs.keys, inputs.roles, inputs.arrays, strict=True):
        if role == MASK:
            arrays.append(new_mask.copy())
            continue
        if role == STATIC:
            arrays.append(array)
            continue
        placed = np.empty((len(array), new_mask.shape[1], *array.shape[2:]), dtype=array.dtype)
        if junk_seed is None:
            placed[...] = fills[key]
        else:
            pool = array[mask] if mask.any() else array.reshape(-1, *array.shape[2:])
            placed[...] = pool[rng.integers(len(pool), size=placed.shape[:2])]
        placed[new_mask] = array[mask]
        arrays.append(placed)
    return inputs.with_arrays(arrays)


def pad_fills(inputs: ModelInputs, mask: np.ndarray, pad_value) -> dict:
    """What fills each ``SEQUENCE`` input's padded slots: ``pad_value`` if given, else the value of
    its first padded slot in the batch, else 0."""
    fills = {}
    for key, role, array in zip(inputs.keys, inputs.roles, inputs.arrays, strict=True):
        if role != SEQUENCE:
            continue
        if pad_value is not None:
            fills[key] = pad_value
        elif (~mask).any():
            fills[key] = array[~mask][0]
        else:
            fills[key] = 0
    return fills


def alone(inputs: ModelInputs, mask: np.ndarray) -> list[tuple[np.ndarray, ModelInputs, np.ndarray]]:
    """Each sequence's real steps without padding, grouped by length: (rows, inputs, all-True mask).
    Rows without a real step are left out."""
    groups = []
    for n, rows in by_length(mask.sum(axis=1)):
        group_mask = np.ones((len(rows), n), dtype=bool)
        arrays = []
        for role, array in zip(inputs.roles, inputs.arrays, strict=True):
            if role == SEQUENCE:
                arrays.append(array[rows][mask[rows]].reshape(len(rows), n, *array.shape[2:]))
            elif role == MASK:
                arrays.append(group_mask)
            else:
                arrays.append(array[rows])
        groups.append((rows, inputs.with_arrays(arrays), group_mask))
    return groups


def real_parts(output: np.ndarray, mask: np.ndarray) -> list[np.ndarray]:
    """Per row, the part of ``output`` (batch, ...) that belongs to real steps: the real steps of
    a (batch, time, ...) output, or the whole row of an output without the time axis."""
    if output.ndim >= 2 and output.shape[1] == mask.shape[1]:
        return [row[keep] for row, keep in zip(output, mask, strict=True)]
    return list(output)
