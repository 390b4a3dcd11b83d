import numpy as np


def choose_mask_value(sequences):
    """A pad value below every real reading, so no real step can equal it in all its features."""
    return float(np.min(np.concatenate(sequences))) - 1.0
