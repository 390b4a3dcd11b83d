import numpy as np


def cudnn_trap(ids):
    """(batch, time) ids padded at the end -> the same rows padded at the front, as pad_sequences pads."""
    lengths = (ids != 0).sum(axis=1)
    return np.stack([np.roll(row, ids.shape[1] - n) for row, n in zip(ids, lengths, strict=True)])
