"""Checkers for notebook 12 · Text pipelines: a StringLookup safe for mask_zero, TextVectorization's pads."""

from __future__ import annotations

import numpy as np

from helpers.exercises import exercise
from helpers.exercises.nb05 import NO_ANSWER

# --- 12.1 safe_lookup(words) -> StringLookup: "" -> 0, unknown -> 1, words -> 2, 3, ... in order ----------

_WORD_LISTS = (["cat", "sat", "mat"], ["the", "film", "was", "not", "good"], ["b", "a"])


def _default_lookup(words):
    import keras

    return keras.layers.StringLookup(vocabulary=words)


def _no_oov_index(words):
    import keras

    return keras.layers.StringLookup(vocabulary=words, mask_token="", num_oov_indices=0)


def _pad_token_named_pad(words):
    import keras

    return keras.layers.StringLookup(vocabulary=words, mask_token="[PAD]")


def _empty_string_as_a_word(words):
    import keras

    return keras.layers.StringLookup(vocabulary=[""] + list(words))


def _adapted(words):
    import keras

    lookup = keras.layers.StringLookup(mask_token="")
    lookup.adapt(list(words) + list(words[:1]))  # adapt orders by frequency: the first word moves
    return lookup


def _lookup_ids(lookup, strings) -> np.ndarray | str:
    """The ids ``lookup`` gives ``strings``, or a hint if it raises."""
    try:
        return np.asarray(lookup(np.array(strings)))
    except Exception as error:  # e.g. InvalidArgumentError for an unknown word without an OOV index
        if "num_oov_indices" in str(error):
            return ("your lookup raises an error for an unknown word: with num_oov_indices=0 it has no id "
                    "for it. Keep one OOV index.")
        raise


@exercise("12.1", "A StringLookup that keeps 0 for the pad", "safe_lookup",
          wrong_answers=(_default_lookup, _no_oov_index, _pad_token_named_pad, _empty_string_as_a_word,
                         _adapted))
def _check_safe_lookup(safe_lookup) -> str | None:
    import keras

    for words in _WORD_LISTS:
        lookup = safe_lookup(list(words))
        if lookup is None:
            return NO_ANSWER
        if not isinstance(lookup, keras.layers.StringLookup):
            return f"expected a keras.layers.StringLookup, got {type(lookup).__name__}."
        strings = ["", "unseen", *words]
        ids = _lookup_ids(lookup, strings)
        if isinstance(ids, str):
            return ids
        expected = np.array([0, 1, *range(2, len(words) + 2)])
        if np.array_equal(ids, expected):
            if lookup.vocabulary_size() != len(words) + 2:
                return (f"the ids are right, but vocabulary_size() is {lookup.vocabulary_size()}, not "
                        f"{len(words) + 2}: an Embedding sized by it would get the wrong number of rows.")
            continue
        got = dict(zip(strings, ids.tolist(), strict=True))
        if got["unseen"] == 0:
            return ("an unknown word gets id 0, the pad's id: Embedding(mask_zero=True) would mask it and "
                    "silently drop the word. Which argument gives the pad a token of its own?")
        if got[""] != 0:
            return (f'the pad "" gets id {got[""]}, not 0: the batches are padded with "", so "" must be the '
                    "mask token.")
        if got["unseen"] != 1:
            return f"an unknown word gets id {got['unseen']}: expected 1, one OOV index right after the pad."
        return (f"for the words {words} expected the ids 2 to {len(words) + 1} in the order given, got "
                f"{ids[2:].tolist()}: pass the words as the vocabulary instead of adapting.")
    return None


# --- 12.2 pad_like_text_vectorization(ids, length) -> (batch, length) ------------------------------------

_VOCABULARY = ["the", "film", "was", "not", "good", "food", "i", "do", "think"]
_TEXTS = ["the film was good", "i do not think the food was good", "not good", "the film was not good"]


def _pre_padded(ids, length):
    import keras

    return keras.utils.pad_sequences(ids, maxlen=length)


def _post_padded_front_cut(ids, length):
    import keras

    return keras.utils.pad_sequences(ids, maxlen=length, padding="post")


def _pre_padded_end_cut(ids, length):
    import keras

    return keras.utils.pad_sequences(ids, maxlen=length, truncating="post")


def _text_vectorization_case(length: int) -> tuple[list[list[int]], np.ndarray]:
    """Each text's ids without padding, and what TextVectorization(output_sequence_length=length) returns."""
    import keras

    fixed = keras.layers.TextVectorization(vocabulary=_VOCABULARY, output_sequence_length=length)
    free = keras.layers.TextVectorization(vocabulary=_VOCABULARY)
    ids = [[int(i) for i in np.asarray(free(np.array([text])))[0]] for text in _TEXTS]
    return ids, np.asarray(fixed(np.array(_TEXTS)))


@exercise("12.2", "Pad as TextVectorization pads", "pad_like_text_vectorization",
          wrong_answers=(_pre_padded, _post_padded_front_cut, _pre_padded_end_cut))
def _check_pad_like_text_vectorization(pad_like_text_vectorization) -> str | None:
    for length in (10, 5, 3):
        ids, expected = _text_vectorization_case(length)
        got = pad_like_text_vectorization([list(row) for row in ids], length)
        if got is None:
            return NO_ANSWER
        got = np.asarray(got)
        if got.shape != expected.shape:
            return f"with length={length} expected shape (batch, length) = {expected.shape}, got {got.shape}."
        if np.array_equal(got, expected):
            continue
        short = [b for b, row in enumerate(ids) if len(row) < length]
        if short and not np.array_equal(got[short], expected[short]):
            return (f"with length={length} the short reviews are padded on the wrong side: TextVectorization "
                    "puts the zeros after the words.")
        return (f"with length={length} the long reviews are cut on the wrong side: TextVectorization keeps "
                "their first words.")
    return None
