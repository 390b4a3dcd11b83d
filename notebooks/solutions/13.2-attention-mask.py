import numpy as np


def attention_mask(query_mask, value_mask):
    """(batch, query steps), (batch, value steps) bool -> (batch, query steps, value steps) bool."""
    query_mask, value_mask = np.asarray(query_mask, bool), np.asarray(value_mask, bool)
    return query_mask[:, :, None] & value_mask[:, None, :]  # both steps real
