"""A tiny offline tagging task (one tag per word, padded targets) and an accuracy that skips a pad class."""

from __future__ import annotations

from dataclasses import dataclass

import keras
import numpy as np
from keras import ops

TAGS = ("", "PRON", "DET", "ADJ", "NOUN", "VERB")  # tag 0 is the pad's: no word has it
PAD_TAG = 0

_PRONOUNS = ("i", "you", "we", "they")
_DETERMINERS = ("the", "a")
_ADJECTIVES = ("big", "old", "small")
_SUBJECT_NOUNS = ("dogs", "cats", "birds")
_VERBS_ONLY = ("see", "like")
_NOUNS_ONLY = ("dog", "cat", "bird")
AMBIGUOUS = ("fish", "duck", "watch")  # a noun after "the", "a" or an adjective; a verb otherwise

VOCABULARY = ("", *_PRONOUNS, *_DETERMINERS, *_ADJECTIVES, *_SUBJECT_NOUNS, *_VERBS_ONLY, *_NOUNS_ONLY,
              *AMBIGUOUS)  # id 0 is the pad: Embedding(len(VOCABULARY), ..., mask_zero=True)
_ID = {word: i for i, word in enumerate(VOCABULARY)}
_TAG = {tag: i for i, tag in enumerate(TAGS)}


@dataclass(frozen=True)
class TaggedSentences:
    """Sentences as word ids with one tag per word, padded at the end with id 0 and tag 0.

    ids: (n, time) int32, word ids (``VOCABULARY[i]`` is the word; 0 = pad).
    tags: (n, time) int32, tag ids (``TAGS[t]`` is the tag; 0 = pad, so ``tags != 0`` is the mask).
    mask: (n, time) bool, True at real words. lengths: (n,) int, words per sentence.
    """

    ids: np.ndarray
    tags: np.ndarray
    mask: np.ndarray
    lengths: np.ndarray

    def words(self, row: int) -> list[str]:
        """The words of sentence ``row``, without the padding."""
        return [VOCABULARY[i] for i in self.ids[row, : self.lengths[row]]]


def _noun_phrase(rng: np.random.Generator, determiners: tuple, nouns: tuple) -> list[tuple[str, str]]:
    phrase = [(str(rng.choice(determiners)), "DET")]
    if rng.random() < 0.5:
        phrase.append((str(rng.choice(_ADJECTIVES)), "ADJ"))
    return [*phrase, (str(rng.choice(nouns)), "NOUN")]


def _sentence(rng: np.random.Generator) -> list[tuple[str, str]]:
    if rng.random() < 0.5:
        subject = [(str(rng.choice(_PRONOUNS)), "PRON")]
    else:
        subject = _noun_phrase(rng, ("the",), _SUBJECT_NOUNS)
    verb = [(str(rng.choice(_VERBS_ONLY + AMBIGUOUS)), "VERB")]
    objects = _noun_phrase(rng, _DETERMINERS, _NOUNS_ONLY + AMBIGUOUS) if rng.random() < 0.7 else []
    return subject + verb + objects


def tagged_sentences(n: int, seed: int, time: int = 8) -> TaggedSentences:
    """``n`` random sentences of 2 to 7 words, each word tagged, padded at the end to ``time`` steps.

    A sentence is a subject (a pronoun, or "the" + optional adjective + plural noun), a verb, and
    an optional object ("the"/"a" + optional adjective + noun), e.g. "we watch the old duck".
    "fish", "duck" and "watch" are verbs or nouns: only the word before tells which.
    Returns a ``TaggedSentences`` with ids and tags (n, time); the same seed gives the same sentences.
    """
    if not isinstance(n, int | np.integer) or isinstance(n, bool) or n < 1:
        raise ValueError(f"n: expected an int >= 1, got {n!r}")
    if not isinstance(time, int | np.integer) or isinstance(time, bool) or time < 7:
        raise ValueError(f"time: expected an int >= 7 (the longest sentence has 7 words), got {time!r}")
    rng = np.random.default_rng(seed)
    ids = np.zeros((n, time), dtype="int32")
    tags = np.zeros((n, time), dtype="int32")
    lengths = np.zeros(n, dtype=int)
    for row in range(n):
        sentence = _sentence(rng)
        lengths[row] = len(sentence)
        ids[row, : len(sentence)] = [_ID[word] for word, _ in sentence]
        tags[row, : len(sentence)] = [_TAG[tag] for _, tag in sentence]
    return TaggedSentences(ids=ids, tags=tags, mask=tags != PAD_TAG, lengths=lengths)


@keras.saving.register_keras_serializable(package="helpers")
class IgnoreClassAccuracy(keras.metrics.SparseCategoricalAccuracy):
    """Sparse categorical accuracy over the steps whose target is not ``ignore_class`` (the pad's tag).

    The metric twin of ``SparseCategoricalCrossentropy(ignore_class=...)``: the mask comes from the
    targets, so it works whether or not the model's output carries a mask (if it does, both apply).
    y_true: (batch, time) or (batch, time, 1) int tag ids; y_pred: (batch, time, classes) scores.
    sample_weight: None, (batch,) or anything that broadcasts against (batch, time), e.g. (batch, 1).
    """

    def __init__(self, ignore_class: int = PAD_TAG, name: str = "ignore_class_accuracy", dtype=None):
        if not isinstance(ignore_class, int | np.integer) or isinstance(ignore_class, bool):
            raise TypeError(f"ignore_class: expected an int (the tag to leave out), got "
                            f"{type(ignore_class).__name__} ({ignore_class!r})")
        super().__init__(name=name, dtype=dtype)
        self.ignore_class = int(ignore_class)

    def update_state(self, y_true, y_pred, sample_weight=None):
        y_true = ops.convert_to_tensor(y_true)
        if len(y_true.shape) == len(y_pred.shape):
            y_true = ops.squeeze(y_true, axis=-1)
        keep = ops.cast(ops.not_equal(ops.cast(y_true, "int32"), self.ignore_class), self.dtype)
        if sample_weight is not None:
            weights = ops.cast(ops.convert_to_tensor(sample_weight), self.dtype)
            if len(weights.shape) == 1:
                weights = ops.expand_dims(weights, -1)  # one weight per sequence, not per step
            keep = keep * weights
        return super().update_state(y_true, y_pred, sample_weight=keep)

    def get_config(self) -> dict:
        return {**super().get_config(), "ignore_class": self.ignore_class}
