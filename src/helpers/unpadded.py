"""Reference outputs: run a model on each sequence's real steps only, without padding or a mask."""

from __future__ import annotations

import numpy as np

from helpers.mask_checks import checked_mask


def real_steps(inputs, mask) -> list[np.ndarray]:
    """The real steps of each sequence, in order, with padded slots and gaps removed.

    inputs: (batch, time, features); mask: (batch, time), bool or 0/1 integers.
    Returns a list of ``batch`` arrays, each (n_real, features) with n_real = mask[b].sum().
    """
    x = np.asarray(inputs)
    if x.ndim != 3:
        raise ValueError(f"inputs: expected shape (batch, time, features), got shape {x.shape}")
    m = checked_mask(x, mask)
    return [row[keep] for row, keep in zip(x, m, strict=True)]


def by_length(lengths) -> list[tuple[int, np.ndarray]]:
    """Rows grouped by how many real steps they have: [(steps, rows)], shortest first, rows
    without a real step left out. Sequences of one length run together without padding."""
    lengths = np.asarray(lengths)
    return [(int(n), np.flatnonzero(lengths == n)) for n in np.unique(lengths) if n > 0]


def run_alone(predict, sequences) -> np.ndarray:
    """``predict`` on each sequence by itself, without padding or a mask: the reference a correctly
    masked model must match.

    predict: takes (n, steps[, features]) and returns (n, ...); sequences: a list of (steps,) or
    (steps, features) arrays, each at least one step. Sequences of the same length share one call
    (no padding is needed for them). Returns (len(sequences), ...) as a NumPy array, in order.
    """
    import keras

    rows = [np.asarray(s) for s in sequences]
    empty = [b for b, row in enumerate(rows) if len(row) == 0]
    if empty:
        raise ValueError(f"mask: expected at least one real step in every row, got none in rows {empty}")
    outputs = [None] * len(rows)
    for _, group in by_length([len(row) for row in rows]):
        result = np.asarray(keras.ops.convert_to_numpy(predict(np.stack([rows[b] for b in group]))))
        for b, out in zip(group, result, strict=True):
            outputs[b] = out
    return np.stack(outputs)


def run_unpadded(model, inputs, mask) -> np.ndarray:
    """What a correctly masked ``model`` must return for the padded batch ``inputs`` with ``mask``.

    Calls ``model`` (a layer or model taking (n, steps, features), such as a Bidirectional LSTM
    without ``return_sequences``) on each sequence's real steps only, with no mask (``run_alone``),
    and returns the results: (batch, ...) as a NumPy array. Every row needs at least one real step.
    """
    return run_alone(lambda x: model(x.astype("float32")), real_steps(inputs, mask))
