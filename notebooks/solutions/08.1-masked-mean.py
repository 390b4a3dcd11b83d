import numpy as np


def masked_mean(x, mask):
    """x: (batch, time, features), mask: (batch, time) bool -> (batch, features): mean over real steps."""
    weights = np.asarray(mask, dtype=float)[..., None]  # 1 at real steps, 0 at padded ones
    return (np.asarray(x) * weights).sum(axis=1) / weights.sum(axis=1)
