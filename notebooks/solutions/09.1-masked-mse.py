import numpy as np


def masked_mse(y_true, y_pred, mask):
    """y_true, y_pred: (batch, time, features); mask: (batch, time) bool -> the loss Keras reports."""
    per_step = ((np.asarray(y_pred) - np.asarray(y_true)) ** 2).mean(axis=-1)  # (batch, time)
    mask = np.asarray(mask, dtype=bool)
    return per_step[mask].sum() / mask.sum()  # all real steps of the batch, divided once
