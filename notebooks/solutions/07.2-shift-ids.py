import numpy as np


def shift_ids(x, pad_value):
    """Padded slots -> 0, every real id -> id + 1, so that Embedding(mask_zero=True) masks the padding."""
    x = np.asarray(x)
    return np.where(x == pad_value, 0, x + 1)
