"""Synthetic tasks where padding matters: switch logs padded with zeros, and what no unmasked model beats."""

from __future__ import annotations

import itertools
from collections import defaultdict
from dataclasses import dataclass

import numpy as np

from helpers.padding import mask_from_lengths


@dataclass(frozen=True)
class SwitchLogs:
    """Logs of a switch (1 = on, 0 = off), padded with 0 in front or at the end.

    x: (n, time, 1) float32, the readings; padded slots hold 0, which is also a real reading.
    mask: (n, time) bool, True at real steps.
    y: (n,) float32, 1.0 if the first real reading equals the last one, else 0.0.
    lengths: (n,) int, real steps per row; pre: (n,) bool, True where the padding is in front.
    """

    x: np.ndarray
    mask: np.ndarray
    y: np.ndarray
    lengths: np.ndarray
    pre: np.ndarray


def switch_logs(n: int, seed: int, time: int = 12, min_length: int = 2, max_length: int = 10) -> SwitchLogs:
    """``n`` random switch logs: each ``min_length`` to ``max_length`` readings, padded to ``time``.

    Every reading is 0 or 1 with equal chance, so about half the labels are 1. Each row is padded
    in front or at the end with equal chance. The padding value 0 is also a real reading, so
    without the mask nobody can tell where a log starts or ends.
    """
    _check_lengths(time, min_length, max_length)
    if not isinstance(n, int | np.integer) or n < 1:
        raise ValueError(f"n: expected an int >= 1, got {n!r}")
    rng = np.random.default_rng(seed)
    lengths = rng.integers(min_length, max_length + 1, n)
    pre = rng.random(n) < 0.5
    mask = mask_from_lengths(lengths, time, "post")
    mask[pre] = mask_from_lengths(lengths[pre], time, "pre")
    readings = rng.integers(0, 2, (n, time)) * mask
    rows = np.arange(n)
    first = readings[rows, mask.argmax(axis=1)]
    last = readings[rows, time - 1 - mask[:, ::-1].argmax(axis=1)]
    return SwitchLogs(
        x=readings[..., None].astype("float32"),
        mask=mask,
        y=(first == last).astype("float32"),
        lengths=lengths,
        pre=pre,
    )


def all_switch_logs(
    time: int = 12, min_length: int = 2, max_length: int = 10
) -> tuple[SwitchLogs, np.ndarray]:
    """Every log ``switch_logs`` can make, each once, and the chance that ``switch_logs`` makes it.

    Returns ``(logs, chance)``: ``logs`` as from ``switch_logs`` (n logs: each length, each reading,
    padded in front and at the end; a log of length ``time`` has no padding and appears once), and
    ``chance``: (n,) float64, summing to 1. An accuracy weighted by ``chance`` over these logs is the
    exact expected accuracy on logs drawn by ``switch_logs``: no sample, no luck of the draw.
    """
    _check_lengths(time, min_length, max_length)
    if max_length > 16:
        raise ValueError(f"max_length: expected at most 16 (2**max_length logs are listed), got {max_length}")
    x, mask, y, lengths, pre, chance = [], [], [], [], [], []
    for length in range(min_length, max_length + 1):
        readings = (np.arange(2**length)[:, None] >> np.arange(length)[::-1]) & 1  # (2**length, length)
        sides = (False, True) if length < time else (False,)  # a full-length log has no padding
        for in_front in sides:
            steps = slice(time - length, time) if in_front else slice(0, length)
            rows = np.zeros((2**length, time), dtype=int)
            rows[:, steps] = readings
            real = np.zeros((2**length, time), dtype=bool)
            real[:, steps] = True
            x.append(rows)
            mask.append(real)
            y.append(readings[:, 0] == readings[:, -1])
            lengths.append(np.full(2**length, length))
            pre.append(np.full(2**length, in_front))
            chance.append(np.full(2**length, 1.0 / (max_length - min_length + 1) / len(sides) / 2**length))
    logs = SwitchLogs(
        x=np.concatenate(x)[..., None].astype("float32"),
        mask=np.concatenate(mask),
        y=np.concatenate(y).astype("float32"),
        lengths=np.concatenate(lengths),
        pre=np.concatenate(pre),
    )
    return logs, np.concatenate(chance)


def best_accuracy_without_mask(time: int = 12, min_length: int = 2, max_length: int = 10) -> float:
    """The highest expected accuracy any model can reach on ``switch_logs`` without the mask.

    A model without the mask sees only the padded readings. It goes through every log the task can
    make (each length, each padding side, each reading), groups the logs that look the same once
    padded, and lets an ideal guesser answer the more likely label for each look. Exact, not sampled.
    """
    _check_lengths(time, min_length, max_length)
    if max_length > 16:
        raise ValueError(f"max_length: expected at most 16 (2**max_length logs are listed), got {max_length}")
    chance = defaultdict(lambda: [0.0, 0.0])  # what the model sees -> P(label 0), P(label 1)
    n_lengths = max_length - min_length + 1
    for length in range(min_length, max_length + 1):
        pads = (0,) * (time - length)
        weight = 1.0 / n_lengths / 2 / 2**length
        for readings in itertools.product((0, 1), repeat=length):
            label = int(readings[0] == readings[-1])
            chance[pads + readings][label] += weight
            chance[readings + pads][label] += weight
    return float(sum(max(p) for p in chance.values()))


def _check_lengths(time: int, min_length: int, max_length: int) -> None:
    for name, value in (("time", time), ("min_length", min_length), ("max_length", max_length)):
        if not isinstance(value, int | np.integer) or isinstance(value, bool):
            raise TypeError(f"{name}: expected an int, got {type(value).__name__} ({value!r})")
    if not 1 <= min_length <= max_length <= time:
        raise ValueError(
            "min_length, max_length, time: expected 1 <= min_length <= max_length <= time, "
            f"got {min_length}, {max_length}, {time}"
        )
