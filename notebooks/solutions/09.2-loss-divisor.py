import numpy as np


def loss_divisor(mask, sample_weight=None):
    """Keras 3 divides sum(sample_weight * loss * mask) by the number of real steps in the batch.

    The sample weights scale each step's loss, but they do not change the divisor.
    """
    return np.asarray(mask, dtype=bool).sum()
