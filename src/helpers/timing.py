"""Timing that survives a noisy machine (interleaved repeats, the fastest of each), and padded work.

On a shared machine other programs only ever add time to a call, never take it away, and a burst
of load hits whatever runs at that moment. So ``measure_interleaved`` runs the calls you compare
in turns, round after round, and you compare their fastest repeats (``Timing.best``).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Hashable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class Timing:
    """Wall-clock seconds of several repeats of one call; compare the fastest, never single runs."""

    seconds: np.ndarray

    @property
    def best(self) -> float:
        """The fastest repeat, in seconds: the closest to the call's own cost, as load only adds time."""
        return float(np.min(self.seconds))

    @property
    def median(self) -> float:
        """The median of the repeats, in seconds: one slow repeat (another program) cannot move it much."""
        return float(np.median(self.seconds))

    def __str__(self) -> str:
        high = 1e3 * self.seconds.max()
        return (f"{1e3 * self.best:.2f} ms (fastest of {self.seconds.size}; median {1e3 * self.median:.2f}, "
                f"slowest {high:.2f} ms)")


def measure(call: Callable[[], object], repeats: int = 5, warmup: int = 1) -> Timing:
    """Time ``call()`` ``repeats`` times after ``warmup`` untimed calls (tracing, caches).

    The result of ``call`` is dropped; make ``call`` return something small (or compute a
    NumPy value inside it) so that lazy work is finished inside the timed region.
    """
    if not callable(call):
        raise TypeError(f"call: expected a function without arguments, got {type(call).__name__}")
    return measure_interleaved({"call": call}, repeats=repeats, warmup=warmup)["call"]


def measure_interleaved(
    calls: Mapping[Hashable, Callable[[], object]], repeats: int = 5, warmup: int = 1
) -> dict[Hashable, Timing]:
    """Time several calls in turns: ``warmup`` untimed rounds, then ``repeats`` timed rounds.

    calls: {name: function without arguments}. Each round calls every function once, in the order
    given, so that a burst of load on a shared machine slows all of them rather than one.
    Returns {name: Timing} with ``repeats`` seconds each; compare their ``best``.
    """
    if not isinstance(calls, Mapping) or not calls:
        raise TypeError(f"calls: expected a non-empty dict of functions, got {type(calls).__name__}")
    for name, call in calls.items():
        if not callable(call):
            raise TypeError(
                f"calls[{name!r}]: expected a function without arguments, got {type(call).__name__}"
            )
    for name, value, least in (("repeats", repeats, 1), ("warmup", warmup, 0)):
        if not isinstance(value, int | np.integer) or isinstance(value, bool) or value < least:
            raise ValueError(f"{name}: expected an int >= {least}, got {value!r}")
    for _ in range(warmup):
        for call in calls.values():
            call()
    seconds: dict[Hashable, list[float]] = {name: [] for name in calls}
    for _ in range(repeats):
        for name, call in calls.items():
            start = time.perf_counter()
            call()
            seconds[name].append(time.perf_counter() - start)
    return {name: Timing(np.array(values)) for name, values in seconds.items()}


def batches_in_order(lengths, batch_size: int, order=None) -> list[np.ndarray]:
    """Split ``lengths`` into consecutive batches of ``batch_size`` (the last may be smaller).

    lengths: (n,) ints, real steps per sequence. order: (n,) indices to take them in, for example
    ``np.argsort(lengths)`` to sort by length first; default: as given.
    Returns a list of (batch,) arrays of lengths.
    """
    lengths = _lengths(lengths)
    if not isinstance(batch_size, int | np.integer) or isinstance(batch_size, bool) or batch_size < 1:
        raise ValueError(f"batch_size: expected an int >= 1, got {batch_size!r}")
    if order is not None:
        order = np.asarray(order)
        if order.shape != lengths.shape or not np.array_equal(np.sort(order), np.arange(lengths.size)):
            raise ValueError(f"order: expected a permutation of 0..{lengths.size - 1}, got {order!r}")
        lengths = lengths[order]
    return [lengths[start:start + batch_size] for start in range(0, lengths.size, batch_size)]


def padded_cells(batches: Sequence) -> int:
    """Time steps an RNN computes when each batch is padded to its longest sequence.

    batches: a list of (batch,) arrays of lengths, as from ``batches_in_order``. Each batch costs
    batch size x its longest length, whatever the mask says: masked steps are computed too.
    """
    return int(sum(len(b) * int(np.max(b)) for b in _batches(batches)))


def padding_fraction(batches: Sequence) -> float:
    """The share of ``padded_cells(batches)`` that is padding: 1 - real steps / padded cells."""
    real = sum(int(np.sum(b)) for b in _batches(batches))
    return 1.0 - real / padded_cells(batches)


def _lengths(lengths) -> np.ndarray:
    array = np.asarray(lengths)
    if array.ndim != 1 or array.size == 0 or not np.issubdtype(array.dtype, np.integer):
        raise ValueError(
            f"lengths: expected a non-empty 1-D array of ints, got shape {array.shape} {array.dtype}"
        )
    if (array < 1).any():
        raise ValueError(f"lengths: expected every length >= 1, got {array.min()}")
    return array


def _batches(batches) -> list[np.ndarray]:
    if isinstance(batches, np.ndarray) or not isinstance(batches, Sequence) or not len(batches):
        raise TypeError(f"batches: expected a non-empty list of (batch,) arrays of lengths, got "
                        f"{type(batches).__name__}")
    return [_lengths(b) for b in batches]
