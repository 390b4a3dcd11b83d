import numpy as np


def pads_read_last(mask):
    """mask: (time,) bool with at least one real step. Pads each direction reads after its last real step."""
    real = np.flatnonzero(mask)
    forward_pads = len(mask) - 1 - int(real[-1])  # trailing pads: the forward direction reads them last
    backward_pads = int(real[0])  # leading pads: the backward direction reads them last
    return forward_pads, backward_pads
