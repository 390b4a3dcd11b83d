"""Checkers for notebook 02 · Embedding(mask_zero=True)."""

from __future__ import annotations

import numpy as np

from helpers.exercises import exercise

_CORPORA = (
    ["the", "cat", "sat", "on", "the", "mat"],
    ["a", "b", "c"],
    ["to", "be", "or", "not", "to", "be"],
)


def _from_zero(words):
    return {word: i for i, word in enumerate(dict.fromkeys(words))}


def _one_id_per_position(words):
    return {word: i for i, word in enumerate(words, start=1)}


def _from_two(words):
    return {word: i for i, word in enumerate(dict.fromkeys(words), start=2)}


@exercise("02.1", "Token ids with 0 kept for padding", answer_name="build_vocabulary",
          wrong_answers=(_from_zero, _one_id_per_position, _from_two))
def _check_build_vocabulary(build_vocabulary) -> str | None:
    if not callable(build_vocabulary):
        return "expected a function build_vocabulary(words)."
    for words in _CORPORA:
        vocabulary = build_vocabulary(list(words))
        if vocabulary is None or vocabulary is Ellipsis:
            return "your function returns None: replace the `...` with code that returns a dict."
        if not isinstance(vocabulary, dict):
            return f"expected a dict that maps each word to its id, got {type(vocabulary).__name__}."
        distinct = set(words)
        if set(vocabulary) != distinct:
            return (f"for {words} the keys should be the {len(distinct)} distinct words, "
                    f"got {sorted(vocabulary)}.")
        ids = sorted(int(i) for i in vocabulary.values())
        if 0 in ids:
            return ("a word got id 0. Embedding(mask_zero=True) masks every 0, so that word would be "
                    "silently skipped.")
        if len(set(ids)) != len(ids):
            return "two words share an id: the model could not tell them apart."
        if ids != list(range(1, len(distinct) + 1)):
            return (f"for {len(distinct)} distinct words the ids should be 1 to {len(distinct)}, got {ids}: "
                    "with gaps, input_dim = vocabulary + 1 is too small for the largest id.")
    return None


def _input_dim_is_the_vocabulary(vocabulary_size, output_dim):
    import keras

    return keras.layers.Embedding(vocabulary_size, output_dim, mask_zero=True)


def _no_mask(vocabulary_size, output_dim):
    import keras

    return keras.layers.Embedding(vocabulary_size + 1, output_dim)


def _dims_swapped(vocabulary_size, output_dim):
    import keras

    return keras.layers.Embedding(output_dim, vocabulary_size + 1, mask_zero=True)


@exercise("02.2", "How big is the embedding table?", answer_name="make_embedding",
          wrong_answers=(_input_dim_is_the_vocabulary, _no_mask, _dims_swapped))
def _check_make_embedding(make_embedding) -> str | None:
    import keras

    if not callable(make_embedding):
        return "expected a function make_embedding(vocabulary_size, output_dim)."
    for vocabulary_size, output_dim in ((10, 4), (3, 8), (1000, 16)):
        layer = make_embedding(vocabulary_size, output_dim)
        if layer is None or layer is Ellipsis:
            return "your function returns None: replace the `...` with code that returns a layer."
        if not isinstance(layer, keras.layers.Embedding):
            return f"expected a keras.layers.Embedding, got {type(layer).__name__}."
        if layer.output_dim != output_dim:
            return (f"for output_dim={output_dim} your layer makes vectors of {layer.output_dim} numbers: "
                    "which argument of Embedding is the table's height, which its width?")
        if layer.input_dim < vocabulary_size + 1:
            return (f"for {vocabulary_size} words your table has {layer.input_dim} rows (ids 0 to "
                    f"{layer.input_dim - 1}), but the words use ids 1 to {vocabulary_size}, "
                    "and 0 is the pad.")
        if layer.input_dim > vocabulary_size + 1:
            return f"for {vocabulary_size} words your table has {layer.input_dim} rows: more than you need."
        if not layer.mask_zero:
            return "the table has the right size, but the layer must also make a mask from the pads."
    return None


_ID_BATCHES = (
    np.array([[4, 2, 0, 0], [3, 0, 0, 0], [1, 5, 6, 2]]),  # post-padded
    np.array([[0, 0, 7, 1], [0, 9, 9, 9]]),  # pre-padded
    np.array([[5, 0, 3, 0, 0]]),  # a 0 in the middle is masked too
)


def _true_marks_pads(ids):
    return np.asarray(ids) == 0


def _from_counts(ids):
    ids = np.asarray(ids)
    return np.arange(ids.shape[1])[None, :] < np.count_nonzero(ids, axis=1)[:, None]


def _integers(ids):
    return (np.asarray(ids) != 0).astype("int32")


@exercise("02.3", "The mask Embedding(mask_zero=True) makes", answer_name="ids_to_mask",
          wrong_answers=(_true_marks_pads, _from_counts, _integers))
def _check_ids_to_mask(ids_to_mask) -> str | None:
    if not callable(ids_to_mask):
        return "expected a function ids_to_mask(ids)."
    for ids in _ID_BATCHES:
        result = ids_to_mask(ids.copy())
        if result is None or result is Ellipsis:
            return "your function returns None: replace the `...` with code that returns the mask."
        result = np.asarray(result)
        expected = ids != 0
        if result.shape != expected.shape:
            return f"for ids of shape {ids.shape} expected a mask of the same shape, got {result.shape}."
        if np.array_equal(result, ~expected):
            return "True must mark the real tokens; the pads (id 0) are False."
        if not np.array_equal(result.astype(bool), expected):
            return (f"for ids={ids.tolist()} your mask is {result.astype(int).tolist()}. The mask looks "
                    "only at each id, not at where the sequence starts or ends.")
        if result.dtype != bool:
            return f"the values are right; return them as a bool array, got dtype {result.dtype}."
    return None
