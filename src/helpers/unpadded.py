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


def run_unpadded(model, inputs, mask) -> np.ndarray:
    """What a correctly masked ``model`` must return for the padded batch ``inputs`` with ``mask``.

    Calls ``model`` (a layer or model taking (1, steps, features), such as a Bidirectional LSTM
    without ``return_sequences``) once per sequence on its real steps only, with no mask, and stacks
    the results: (batch, ...) as a NumPy array. Every row needs at least one real step.
    """
    rows = real_steps(inputs, mask)
    empty = [b for b, row in enumerate(rows) if len(row) == 0]
    if empty:
        raise ValueError(f"mask: expected at least one real step in every row, got none in rows {empty}")
    outputs = [np.asarray(model(row[None].astype("float32"))) for row in rows]
    return np.concatenate(outputs, axis=0)
