import numpy as np


def build_mask(lengths, dropped, maxlen):
    """(batch, maxlen) bool: True for the first lengths[b] steps, except the dropped readings."""
    mask = np.arange(maxlen)[None, :] < np.asarray(lengths)[:, None]
    for sequence, step in dropped:
        mask[sequence, step] = False
    return mask
