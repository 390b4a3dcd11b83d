"""Checkers for notebook 01 · Why padding."""

from __future__ import annotations

import numpy as np

from helpers.exercises import exercise

# (sequences, maxlen): shorter, equal and longer than maxlen, and an empty sequence.
_PAD_CASES = (
    ([[3, 1, 4], [1, 5], [9, 2, 6, 5]], 4),
    ([[7, 7, 7, 7, 7, 8], [2]], 3),
    ([[5, 3, 5, 8, 9, 7, 9], [3, 2], [], [3, 8, 4, 6, 2]], 5),
)


def _expected_pad_post(sequences, maxlen) -> np.ndarray:
    """What ``keras.utils.pad_sequences(sequences, maxlen, padding="post")`` returns, in NumPy."""
    out = np.zeros((len(sequences), maxlen), dtype="int32")
    for row, sequence in enumerate(sequences):
        kept = list(sequence)[-maxlen:]  # truncating="pre": long sequences lose their beginning
        out[row, :len(kept)] = kept
    return out


def _pads_in_front(sequences, maxlen):
    out = np.zeros((len(sequences), maxlen), dtype="int32")
    for row, sequence in enumerate(sequences):
        kept = list(sequence)[-maxlen:]
        out[row, maxlen - len(kept):] = kept
    return out


def _cuts_the_end(sequences, maxlen):
    out = np.zeros((len(sequences), maxlen), dtype="int32")
    for row, sequence in enumerate(sequences):
        kept = list(sequence)[:maxlen]
        out[row, :len(kept)] = kept
    return out


def _never_cuts(sequences, maxlen):
    return np.array([list(s) + [0] * (maxlen - len(s)) for s in sequences])


def _pads_with_minus_one(sequences, maxlen):
    out = _expected_pad_post(sequences, maxlen)
    real = np.arange(maxlen)[None, :] < np.array([min(len(s), maxlen) for s in sequences])[:, None]
    return np.where(real, out, -1)


@exercise("01.1", "Pad at the end, like pad_sequences(padding='post')", answer_name="pad_post",
          wrong_answers=(_pads_in_front, _cuts_the_end, _never_cuts, _pads_with_minus_one))
def _check_pad_post(pad_post) -> str | None:
    if not callable(pad_post):
        return "expected a function pad_post(sequences, maxlen)."
    for sequences, maxlen in _PAD_CASES:
        result = pad_post([list(s) for s in sequences], maxlen)
        if result is None or result is Ellipsis:
            return "your function returns None: replace the `...` with code that returns the padded array."
        result = np.asarray(result)
        expected = _expected_pad_post(sequences, maxlen)
        if result.shape != expected.shape:
            return (f"for {len(sequences)} sequences and maxlen={maxlen} expected shape (batch, maxlen) = "
                    f"{expected.shape}, got {result.shape}. Is every row cut or padded to exactly maxlen?")
        if np.array_equal(result, expected):
            continue
        if np.array_equal(result, _pads_in_front(sequences, maxlen)):
            return "the pads go at the end (post), after the real tokens."
        if np.array_equal(result, _cuts_the_end(sequences, maxlen)):
            return ("short sequences are right. For a sequence longer than maxlen, which end does "
                    "pad_sequences cut by default? Look at its `truncating` argument.")
        real = expected != 0  # the test sequences hold no token 0
        if np.array_equal(result[real], expected[real]):
            return "the real tokens are right, but the padded slots must hold 0, the default `value`."
        return f"for sequences={sequences} and maxlen={maxlen} your array is not right yet."
    return None


# (lengths, maxlen)
_FRACTION_CASES = (
    ([2, 4, 6, 8], None),
    ([5, 1, 1, 1], None),
    ([3, 3, 3], None),
    ([2, 4, 6, 8], 10),
    ([2, 4, 6, 12], 6),
    ([9, 20, 3], 4),
)


def _expected_fraction(lengths, maxlen) -> float:
    lengths = np.asarray(lengths)
    maxlen = int(lengths.max()) if maxlen is None else maxlen
    return float(1 - np.minimum(lengths, maxlen).sum() / (len(lengths) * maxlen))


def _ignores_truncation(lengths, maxlen=None):
    lengths = np.asarray(lengths)
    maxlen = int(lengths.max()) if maxlen is None else maxlen
    return float(1 - lengths.sum() / (len(lengths) * maxlen))


def _pads_per_real_token(lengths, maxlen=None):
    lengths = np.asarray(lengths)
    maxlen = int(lengths.max()) if maxlen is None else maxlen
    kept = np.minimum(lengths, maxlen).sum()
    return float((len(lengths) * maxlen - kept) / kept)


def _real_fraction(lengths, maxlen=None):
    return 1 - _expected_fraction(lengths, maxlen)


def _pads_to_the_mean(lengths, maxlen=None):
    lengths = np.asarray(lengths)
    maxlen = int(np.ceil(lengths.mean())) if maxlen is None else maxlen
    return _expected_fraction(lengths, maxlen)


@exercise("01.2", "What fraction of a padded batch is padding?", answer_name="padding_fraction",
          wrong_answers=(_ignores_truncation, _pads_per_real_token, _real_fraction, _pads_to_the_mean))
def _check_padding_fraction(padding_fraction) -> str | None:
    if not callable(padding_fraction):
        return "expected a function padding_fraction(lengths, maxlen=None)."
    for lengths, maxlen in _FRACTION_CASES:
        args = (list(lengths),) if maxlen is None else (list(lengths), maxlen)
        result = padding_fraction(*args)
        if result is None or result is Ellipsis:
            return "your function returns None: replace the `...` with code that returns a number."
        result = float(result)
        expected = _expected_fraction(lengths, maxlen)
        if abs(result - expected) < 1e-9:
            continue
        call = f"padding_fraction({lengths}" + (")" if maxlen is None else f", maxlen={maxlen})")
        if not 0 <= result <= 1:
            return f"{call} gave {result:.3f}: a fraction of the slots lies between 0 and 1."
        if abs(result - (1 - expected)) < 1e-9:
            return f"{call} gave the fraction of real tokens; the question is about the pads."
        if abs(result - _pads_per_real_token(lengths, maxlen)) < 1e-9:
            return f"{call}: divide the number of pads by the number of all slots, not by the real tokens."
        if maxlen is None:
            return f"{call}: without maxlen, the batch is padded to its longest sequence."
        return (f"{call} gave {result:.3f}. A sequence longer than maxlen is cut to maxlen: "
                "how many of its tokens are left in the batch?")
    return None
