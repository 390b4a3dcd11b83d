import tensorflow as tf


def to_padded(ragged):
    """ragged: (batch, None, 1) readings -> values (batch, time, 1) padded at the end, mask (batch, time)."""
    values = ragged.to_tensor()  # pads every log at the end with 0, to the longest one
    mask = tf.sequence_mask(ragged.row_lengths(), maxlen=values.shape[1])  # from the lengths, not the values
    return values, mask
