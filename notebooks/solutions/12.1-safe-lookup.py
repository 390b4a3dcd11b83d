import keras


def safe_lookup(words):
    """A StringLookup for ``words``: the pad "" is 0, an unknown word 1, the words 2, 3, ... in order."""
    return keras.layers.StringLookup(vocabulary=words, mask_token="")
