import numpy as np


def final_steps(mask):
    """mask: (time,) bool. The steps that produce the (forward, backward) final states."""
    real = np.flatnonzero(mask)  # the indices of the real steps, in input order
    return int(real[-1]), int(real[0])  # forward stops at the last real step, backward at the first
