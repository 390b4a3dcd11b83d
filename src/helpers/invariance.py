"""Does a model ignore padding? Run it on the same sequences padded in different ways and compare."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from helpers.unpadded import run_alone

Predict = Callable[[np.ndarray, np.ndarray], object]


def pad_batch(sequences: Sequence, time: int, pad_value: float = 0, before: int = 0,
              dtype: str | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Stack ``sequences`` into one padded array, each starting ``before`` steps in.

    sequences: a list of (steps,) token ids or (steps, features) values.
    time: the length of the padded batch; ``before`` + the longest sequence must fit.
    pad_value: what fills the padded slots (before and after each sequence).
    Returns ``x``: (batch, time) or (batch, time, features), and ``mask``: (batch, time) bool,
    True at the real steps.
    """
    rows = _as_rows(sequences)
    if not isinstance(before, int | np.integer) or before < 0:
        raise ValueError(f"before: expected an int >= 0, got {before!r}")
    longest = max(len(row) for row in rows)
    if not isinstance(time, int | np.integer) or time < before + longest:
        raise ValueError(
            f"time: expected an int >= before + longest sequence = {before + longest}, got {time!r}"
        )
    dtype = dtype or rows[0].dtype
    x = np.full((len(rows), time, *rows[0].shape[1:]), pad_value, dtype=dtype)
    mask = np.zeros((len(rows), time), dtype=bool)
    for b, row in enumerate(rows):
        x[b, before:before + len(row)] = row
        mask[b, before:before + len(row)] = True
    return x, mask


@dataclass(frozen=True)
class PaddingProbe:
    """One model's outputs for the same sequences, padded in different ways; each (batch, ...).

    unpadded: each sequence run alone, without any padding (the reference).
    padded: the sequences padded with ``pad_value`` to a common length.
    longer: the same with ``extra`` more padded steps (at the end, and in front if ``before`` > 0).
    junk: as ``padded``, but the padded slots hold real steps of other sequences instead of
        ``pad_value``; the mask handed to the model is unchanged.
    x, mask: the padded batch and its true (batch, time) mask.
    """

    unpadded: np.ndarray
    padded: np.ndarray
    longer: np.ndarray
    junk: np.ndarray
    x: np.ndarray
    mask: np.ndarray

    def max_differences(self) -> dict[str, float]:
        """The largest absolute difference of each comparison that matters, by name."""
        return {
            "padded vs unpadded": float(np.abs(self.padded - self.unpadded).max()),
            "longer vs padded": float(np.abs(self.longer - self.padded).max()),
            "junk vs padded": float(np.abs(self.junk - self.padded).max()),
        }


def probe_padding(predict: Predict, sequences: Sequence, pad_value: float = 0, before: int = 0,
                  extra: int = 3, seed: int = 0, dtype: str | None = None) -> PaddingProbe:
    """Run ``predict(x, mask)`` on ``sequences`` unpadded, padded, padded longer and with junk pads.

    predict: takes ``x`` (batch, time[, features]) and its true ``mask`` (batch, time) bool and
        returns outputs (batch, ...). A model that finds the padding from the values may ignore
        ``mask``; a model with an explicit mask input uses it, e.g. ``lambda x, m: model([x, m])``.
    sequences: a list of (steps,) token ids or (steps, features) values, each at least one step.
    pad_value: what fills the padded slots; ``before``: padded steps in front of every sequence.
    The junk comes from the real steps (never equal to ``pad_value``), drawn with ``seed``.
    A model that ignores padding gives ``padded == unpadded == longer``; only one that reads an
    explicit mask also gives ``junk == padded``.
    """
    if not callable(predict):
        raise TypeError(f"predict: expected a function predict(x, mask), got {type(predict).__name__}")
    if not isinstance(extra, int | np.integer) or extra < 1:
        raise ValueError(f"extra: expected an int >= 1, got {extra!r}")
    rows = _as_rows(sequences)
    dtype = dtype or rows[0].dtype
    longest = max(len(row) for row in rows)
    time = before + longest + 1
    unpadded = run_alone(lambda x: predict(x.astype(dtype), np.ones(x.shape[:2], bool)), rows)
    x, mask = pad_batch(rows, time, pad_value, before, dtype)
    x_long, mask_long = pad_batch(rows, time + extra * (1 + (before > 0)), pad_value,
                                  before + extra * (before > 0), dtype)
    x_junk = x.copy()
    x_junk[~mask] = _junk(rows, pad_value, int((~mask).sum()), seed)
    return PaddingProbe(
        unpadded=unpadded,
        padded=_run(predict, x, mask),
        longer=_run(predict, x_long, mask_long),
        junk=_run(predict, x_junk, mask),
        x=x,
        mask=mask,
    )


def _as_rows(sequences) -> list[np.ndarray]:
    if isinstance(sequences, np.ndarray) or not isinstance(sequences, Sequence) or not len(sequences):
        raise TypeError(
            "sequences: expected a non-empty list of (steps,) or (steps, features) arrays, "
            f"got {type(sequences).__name__}"
        )
    rows = [np.asarray(s) for s in sequences]
    if any(r.ndim not in (1, 2) or len(r) == 0 for r in rows):
        shapes = [r.shape for r in rows]
        raise ValueError(f"sequences: expected arrays of 1 or 2 axes, >= 1 step each, got shapes {shapes}")
    if len({r.shape[1:] for r in rows}) > 1:
        shapes = [r.shape for r in rows]
        raise ValueError(f"sequences: expected the same features in every step, got shapes {shapes}")
    return rows


def _junk(rows: list[np.ndarray], pad_value: float, n: int, seed: int) -> np.ndarray:
    pool = np.concatenate(rows)
    is_pad = pool == pad_value if pool.ndim == 1 else (pool == pad_value).all(axis=-1)
    pool = pool[~is_pad]
    if not len(pool):
        raise ValueError(f"sequences: every real step equals pad_value={pad_value!r}; nothing to use as junk")
    return pool[np.random.default_rng(seed).integers(len(pool), size=n)]


def _run(predict: Predict, x: np.ndarray, mask: np.ndarray) -> np.ndarray:
    import keras

    return np.asarray(keras.ops.convert_to_numpy(predict(x, mask)))
