import keras


def build_masked_model(vocab_size):
    """Inputs [ids (batch, time), mask (batch, time) bool] -> one vector per sequence."""
    ids = keras.Input((None,), dtype="int32", name="ids")
    mask = keras.Input((None,), dtype="bool", name="mask")
    h = keras.layers.Embedding(vocab_size + 1, 4, name="embedding")(ids)
    out = keras.layers.Bidirectional(keras.layers.LSTM(4), name="bilstm")(h, mask=mask)
    return keras.Model([ids, mask], out)
