import keras


def pad_like_text_vectorization(ids, length):
    """ids: a list of id lists without pads -> (batch, length), padded and cut at the end."""
    return keras.utils.pad_sequences(ids, maxlen=length, padding="post", truncating="post")
