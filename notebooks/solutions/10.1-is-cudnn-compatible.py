import numpy as np


def is_cudnn_compatible(mask):
    """mask: (batch, time) bool -> True if cuDNN accepts it: every row 1…1 0…0, none all padding."""
    m = np.asarray(mask, dtype=bool)
    right_padded = np.all(m[:, 1:] <= m[:, :-1])  # a real step never follows a padded one
    no_empty_row = m[:, 0].all()  # right-padded rows with a real first step have >= 1 real step
    return bool(right_padded and no_empty_row)
