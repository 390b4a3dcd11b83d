"""Checkers for notebook 10 (speed and hardware): will cuDNN take this mask, padding left after bucketing."""

from __future__ import annotations

import numpy as np

from helpers.exercises import exercise

NO_ANSWER = "no answer yet: your function returns None; replace the `...` with your code."


# --- 10.1 is_cudnn_compatible(mask) -----------------------------------------------------------------

def _rows(*rows: str) -> np.ndarray:
    return np.array([[c == "1" for c in row] for row in rows], dtype=bool)


# (mask, expected, what a wrong verdict on it means)
_CUDNN_CASES = (
    (_rows("111100", "110000", "111111"), True, "rejects a right-padded batch (real steps, then padding)"),
    (_rows("111111", "111111"), True, "rejects a batch without any padding"),
    (_rows("001111", "111111"), False, "accepts a row padded in front"),
    (_rows("110111", "111000"), False, "accepts a row with a gap of padding between real steps"),
    (_rows("111000", "000000"), False, "accepts a batch with a row that is all padding"),
    (_rows("100000", "111110"), True, "rejects a row with a single real step at the start"),
    (_rows("000001", "111111"), False, "accepts a row whose only real step is the last one"),
)


def _right_padded_only(mask):
    m = np.asarray(mask, dtype=bool)
    return bool(np.all(m[:, 1:] <= m[:, :-1]))


def _starts_real(mask):
    return bool(np.asarray(mask, dtype=bool)[:, 0].all())


def _no_empty_row(mask):
    return bool(np.asarray(mask, dtype=bool).any(axis=1).all())


def _per_row(mask):
    m = np.asarray(mask, dtype=bool)
    return np.all(m[:, 1:] <= m[:, :-1], axis=1) & m[:, 0]


@exercise("10.1", "Will cuDNN accept this mask?", answer_name="is_cudnn_compatible",
          wrong_answers=(_right_padded_only, _starts_real, _no_empty_row, _per_row))
def _check_is_cudnn_compatible(is_cudnn_compatible) -> str | None:
    if not callable(is_cudnn_compatible):
        return "expected a function is_cudnn_compatible(mask)."
    for mask, expected, wrong in _CUDNN_CASES:
        result = is_cudnn_compatible(mask.copy())
        if result is None:
            return NO_ANSWER
        if np.asarray(result).size != 1:
            return "expected one True or False for the whole batch: cuDNN takes or refuses it whole."
        if bool(result) != expected:
            return f"your function {wrong}. Think of both conditions: the shape of each row, and empty rows."
    return None


# --- 10.2 bucketed_padding_fraction(lengths, boundaries, batch_size) --------------------------------

def _bucket_cells(lengths: np.ndarray, buckets: np.ndarray, batch_size: int) -> int:
    cells = 0
    for bucket in np.unique(buckets):
        members = lengths[buckets == bucket]  # in arrival order, as tf.data groups them
        for start in range(0, members.size, batch_size):
            chunk = members[start:start + batch_size]
            cells += chunk.size * int(chunk.max())
    return cells


def _reference(lengths, boundaries, batch_size) -> float:
    lengths = np.asarray(lengths)
    buckets = np.searchsorted(np.asarray(boundaries), lengths, side="right")  # b[i-1] <= length < b[i]
    return 1.0 - lengths.sum() / _bucket_cells(lengths, buckets, batch_size)


def _no_buckets(lengths, boundaries, batch_size):
    lengths = np.asarray(lengths)
    return 1.0 - lengths.sum() / _bucket_cells(lengths, np.zeros(lengths.size, int), batch_size)


def _sorted_instead(lengths, boundaries, batch_size):
    lengths = np.sort(np.asarray(lengths))
    return 1.0 - lengths.sum() / _bucket_cells(lengths, np.zeros(lengths.size, int), batch_size)


def _boundary_goes_low(lengths, boundaries, batch_size):
    lengths = np.asarray(lengths)
    buckets = np.searchsorted(np.asarray(boundaries), lengths, side="left")  # length <= b[i]
    return 1.0 - lengths.sum() / _bucket_cells(lengths, buckets, batch_size)


def _real_fraction(lengths, boundaries, batch_size):
    return 1.0 - _reference(lengths, boundaries, batch_size)


def _pads_to_global_longest(lengths, boundaries, batch_size):
    lengths = np.asarray(lengths)
    return 1.0 - lengths.sum() / (lengths.size * lengths.max())


_BUCKET_CASES = (
    (np.array([3, 12, 5, 30, 10, 7, 25, 11, 2, 20, 9, 40, 10, 6, 19, 33, 4, 21]), [10, 20], 4),
    (np.random.default_rng(9).integers(1, 60, 70), [8, 16, 32], 8),
    (np.array([5, 5, 5, 5]), [10], 3),
)


@exercise("10.2", "Padding left after bucketing", answer_name="bucketed_padding_fraction",
          wrong_answers=(_no_buckets, _sorted_instead, _boundary_goes_low, _real_fraction,
                         _pads_to_global_longest))
def _check_bucketed_padding_fraction(bucketed_padding_fraction) -> str | None:
    if not callable(bucketed_padding_fraction):
        return "expected a function bucketed_padding_fraction(lengths, boundaries, batch_size)."
    for lengths, boundaries, batch_size in _BUCKET_CASES:
        result = bucketed_padding_fraction(lengths.copy(), list(boundaries), batch_size)
        if result is None:
            return NO_ANSWER
        if np.asarray(result).size != 1:
            return "expected one number: the padded share of all cells of all batches."
        got = float(np.asarray(result, dtype=float).reshape(()))
        expected = _reference(lengths, boundaries, batch_size)
        if np.isclose(got, expected, rtol=1e-9, atol=1e-12):
            continue
        hints = (
            (_real_fraction, "you return the share of real steps; the question asks for the padded share."),
            (_no_buckets, "that is the padding of plain batches in arrival order: put each sequence in its "
                          "bucket first."),
            (_sorted_instead, "that is sort-then-batch. Buckets keep the arrival order inside each bucket."),
            (_boundary_goes_low, "a length equal to a boundary belongs to the bucket above it: "
                                 "boundaries[i-1] <= length < boundaries[i]."),
            (_pads_to_global_longest, "each batch is padded to its own longest sequence, not to the longest "
                                      "of all."),
        )
        for wrong, hint in hints:
            if np.isclose(got, wrong(lengths, boundaries, batch_size), rtol=1e-9, atol=1e-12):
                return hint
        return ("not the padding tf.data leaves. Group the lengths by bucket (in arrival order), cut each "
                "bucket into batches of batch_size, pad each batch to its longest, then count.")
    return None
