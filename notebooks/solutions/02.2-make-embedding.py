import keras


def make_embedding(vocabulary_size, output_dim):
    """An Embedding with one row per word id (1 to vocabulary_size) plus row 0 for the pad, which it masks."""
    return keras.layers.Embedding(vocabulary_size + 1, output_dim, mask_zero=True)
