import numpy as np


def pad_post(sequences, maxlen):
    """(batch, maxlen) int32: each sequence's last maxlen tokens, then zeros up to maxlen."""
    padded = np.zeros((len(sequences), maxlen), dtype="int32")
    for row, sequence in enumerate(sequences):
        kept = list(sequence)[-maxlen:]  # pad_sequences cuts long sequences at the front (truncating="pre")
        padded[row, :len(kept)] = kept
    return padded
