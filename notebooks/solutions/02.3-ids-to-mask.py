import numpy as np


def ids_to_mask(ids):
    """(batch, time) bool: True where the id is a real token, False where it is the pad id 0."""
    return np.asarray(ids) != 0
