import numpy as np


def pack_ready(inputs, mask):
    """inputs (batch, time, features), mask (batch, time) -> (real steps first, lengths (batch,) int)."""
    lengths = mask.sum(axis=1).astype("int64")
    ready = np.zeros_like(inputs)
    for row in range(len(inputs)):
        real = inputs[row][mask[row]]  # this row's real steps, in order, wherever the padding was
        ready[row, : len(real)] = real
    return ready, lengths
