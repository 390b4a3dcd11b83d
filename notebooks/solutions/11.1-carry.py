import numpy as np


def carry(new, old, mask):
    """new, old: (batch, units); mask: (batch,) bool. Keep the old state where the step is masked."""
    return np.where(mask[:, None], new, old)
