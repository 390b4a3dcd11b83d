import numpy as np


def final_from_sequence(sequence, mask):
    """sequence: (batch, time, 2 * units), Bidirectional "concat" output; mask: (batch, time) bool."""
    units = sequence.shape[-1] // 2
    rows = []
    for row, real in zip(sequence, mask, strict=True):
        steps = np.flatnonzero(real)
        forward = row[steps[-1], :units]  # the forward direction finishes at the last real step
        backward = row[steps[0], units:]  # the backward direction finishes at the first real step
        rows.append(np.concatenate([forward, backward]))
    return np.stack(rows)
