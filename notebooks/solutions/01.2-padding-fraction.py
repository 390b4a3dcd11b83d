import numpy as np


def padding_fraction(lengths, maxlen=None):
    """Fraction of the slots of a (batch, maxlen) padded batch that hold padding."""
    lengths = np.asarray(lengths)
    if maxlen is None:
        maxlen = int(lengths.max())
    kept = np.minimum(lengths, maxlen)  # longer sequences are cut to maxlen
    return float(1 - kept.sum() / (len(lengths) * maxlen))
