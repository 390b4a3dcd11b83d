import numpy as np

from helpers.trace import lstm_step


def backward_final_h(weights, x, mask):
    """x: (time, features); mask: (time,) bool. The backward direction's final hidden state (units,)."""
    h = np.zeros((1, weights.units))
    c = np.zeros((1, weights.units))
    for t in range(len(x) - 1, -1, -1):  # last step first
        step = lstm_step(x[None, t], h, c, weights)
        if mask[t]:  # a masked step keeps the old state
            h, c = step.h, step.c
    return h[0]
