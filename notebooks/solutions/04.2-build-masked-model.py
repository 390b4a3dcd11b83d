import keras


def build_masked_model(features, units):
    """A Bidirectional LSTM that takes the values and, as a second input, the mask."""
    values = keras.Input((None, features), name="values")
    mask = keras.Input((None,), dtype="bool", name="mask")
    outputs = keras.layers.Bidirectional(keras.layers.LSTM(units), name="bilstm")(values, mask=mask)
    return keras.Model([values, mask], outputs, name="masked_bilstm")
