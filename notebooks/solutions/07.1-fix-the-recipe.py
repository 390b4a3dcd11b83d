import keras


def build_model(vocab_size):
    """Token ids (batch, time), 0 = padding -> one vector per sequence; the padding is masked."""
    return keras.Sequential([
        keras.layers.Embedding(vocab_size + 1, 4, mask_zero=True, name="embedding"),  # row 0 = padding
        keras.layers.Bidirectional(keras.layers.LSTM(4), name="bilstm"),
    ])
