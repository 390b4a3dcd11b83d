import numpy as np


def joined_states(outputs):
    """outputs: what Bidirectional(LSTM(units, return_state=True)) returns, as NumPy arrays."""
    forward_h, forward_c, backward_h, backward_c = outputs[-4:]  # the four states come last
    h = np.concatenate([forward_h, backward_h], axis=-1)  # forward first, as "concat" joins them
    c = np.concatenate([forward_c, backward_c], axis=-1)
    return h, c
