import numpy as np


def masked_accuracy(tags, probabilities):
    """tags: (batch, time) ints, 0 = pad; probabilities: (batch, time, classes) -> accuracy on real steps."""
    tags = np.asarray(tags)
    right = np.asarray(probabilities).argmax(axis=-1) == tags  # (batch, time)
    real = tags != 0  # the mask, taken from the targets
    return right[real].sum() / real.sum()  # all real steps of the batch, divided once
