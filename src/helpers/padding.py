"""Where the padding sits: masks from presets or lengths, padded batches, and plain-words descriptions."""

from __future__ import annotations

import numpy as np

PRESETS = ("none", "pre", "post", "middle", "random")


def preset_mask(time_steps: int, n_pads: int, preset: str, seed: int = 0) -> np.ndarray:
    """A (time,) bool mask (True = real step) with ``n_pads`` padded steps placed by ``preset``.

    preset: "none" (no padding, ``n_pads`` ignored), "pre" (pads first), "post" (pads last),
    "middle" (pads centred), "random" (pads at random places, reproducible with ``seed``).
    """
    if not isinstance(time_steps, int | np.integer) or time_steps < 1:
        raise ValueError(f"time_steps: expected an int >= 1, got {time_steps!r}")
    if preset not in PRESETS:
        raise ValueError(f"preset: expected one of {PRESETS}, got {preset!r}")
    if not isinstance(n_pads, int | np.integer) or not 0 <= n_pads <= time_steps:
        raise ValueError(f"n_pads: expected an int from 0 to {time_steps}, got {n_pads!r}")
    mask = np.ones(time_steps, dtype=bool)
    if preset == "none" or n_pads == 0:
        return mask
    if preset == "pre":
        mask[:n_pads] = False
    elif preset == "post":
        mask[time_steps - n_pads:] = False
    elif preset == "middle":
        start = (time_steps - n_pads) // 2
        mask[start:start + n_pads] = False
    else:
        mask[np.random.default_rng(seed).choice(time_steps, n_pads, replace=False)] = False
    return mask


def mask_from_lengths(lengths, maxlen: int, padding: str = "post") -> np.ndarray:
    """A (batch, maxlen) bool mask for sequences of the given lengths, padded "post" or "pre"."""
    lengths = np.asarray(lengths)
    if lengths.ndim != 1 or not np.issubdtype(lengths.dtype, np.integer):
        raise ValueError(f"lengths: expected a 1-D array of ints, got shape {lengths.shape} {lengths.dtype}")
    if (lengths < 0).any() or (lengths > maxlen).any():
        raise ValueError(f"lengths: expected values from 0 to maxlen={maxlen}, got {lengths.tolist()}")
    if padding not in ("post", "pre"):
        raise ValueError(f"padding: expected 'post' or 'pre', got {padding!r}")
    steps = np.arange(maxlen)[None, :]
    if padding == "post":
        return steps < lengths[:, None]
    return steps >= (maxlen - lengths)[:, None]


def place_in_mask(sequence: np.ndarray, mask: np.ndarray, pad_value: float | np.ndarray = 0.0) -> np.ndarray:
    """Put the first ``mask.sum()`` steps of ``sequence`` into the True slots of ``mask``, in order.

    sequence: (n, features) with n >= mask.sum(); mask: (time,) bool.
    pad_value: a number, or a (time, features) array whose values fill the padded slots (junk).
    Returns (time, features).
    """
    sequence, mask = np.asarray(sequence, dtype=float), np.asarray(mask, dtype=bool)
    if sequence.ndim != 2:
        raise ValueError(f"sequence: expected shape (steps, features), got {sequence.shape}")
    if mask.ndim != 1:
        raise ValueError(f"mask: expected shape (time,), got {mask.shape}")
    n_real = int(mask.sum())
    if n_real > len(sequence):
        raise ValueError(f"sequence: expected at least {n_real} steps for this mask, got {len(sequence)}")
    out = np.empty((mask.size, sequence.shape[1]))
    out[:] = pad_value
    out[mask] = sequence[:n_real]
    return out


def is_right_padded(mask) -> bool:
    """True if every row is real steps followed only by padding (what cuDNN accepts): 1…1 0…0."""
    m = np.atleast_2d(np.asarray(mask, dtype=bool))
    return bool(np.all(m[:, 1:] <= m[:, :-1]))


def describe_mask(mask) -> str:
    """One sentence, in plain words, about where a (time,) mask puts the padding."""
    m = np.asarray(mask, dtype=bool)
    n, pads = m.size, int((~m).sum())
    if pads == n:
        return "All steps are padding: both directions keep their initial (zero) state."
    if pads == 0:
        return f"No padding: all {n} steps are real, so masking changes nothing."
    valid = np.flatnonzero(m)
    first, last = int(valid[0]), int(valid[-1])
    where = []
    if first > 0:
        where.append(f"{first} before the first real step (pre-padding)")
    if last < n - 1:
        where.append(f"{n - 1 - last} after the last real step (post-padding)")
    inside = pads - first - (n - 1 - last)
    if inside:
        where.append(f"{inside} between real steps")
    steps = "step is" if pads == 1 else "steps are"
    return (f"{pads} of {n} {steps} padding: {', '.join(where)}. "
            f"The forward direction's final state comes from step {last}, "
            f"the backward direction's from step {first}.")
