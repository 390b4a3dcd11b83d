"""A tiny review task made from a seed (a negation anywhere flips the verdict), and its vocabulary helpers."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

GOOD_WORDS = ("good", "great", "nice", "fine")
BAD_WORDS = ("bad", "awful", "dull", "poor")
NEGATIONS = ("not", "never")  # each review holds at most one of them; it flips the verdict
PAD_LABEL = "pad"  # how ``words_of`` labels id 0

# The parts of a review, in order; each part is a choice among word groups ([] = the part is left out).
_OPENERS = ([], ["honestly"], ["i", "think"], ["i", "thought"])
_NEGATING_OPENERS = (["i", "do", "not", "think"], ["i", "never", "thought"])
_SUBJECTS = (["the", "film"], ["the", "food"], ["this", "place"], ["the", "staff"], ["the", "plot"])
_VERBS = (["was"], ["is"], ["seemed"], ["felt"])
_NEGATED_VERBS = (["not"], ["never"])
_INTENSIFIERS = ([], ["very"], ["really"], ["quite"], ["so"])
_ENDINGS = ([], ["to", "me"], ["today"], ["overall"])


@dataclass(frozen=True)
class Reviews:
    """Short reviews and their verdicts.

    texts: n sentences, lower case, words separated by single spaces, no punctuation.
    labels: (n,) float32, 1.0 = positive: a good word and no negation, or a bad word negated.
    negation_at: (n,) int, the word position of the negation ("not" or "never"), -1 if none.
    """

    texts: tuple[str, ...]
    labels: np.ndarray
    negation_at: np.ndarray

    def __len__(self) -> int:
        return len(self.texts)


def negation_reviews(n: int, seed: int) -> Reviews:
    """``n`` reviews such as "i do not think the food was very good" (label 0.0), reproducible with ``seed``.

    Each review has 4 to 11 words: an opener, a subject, a verb, an intensifier, one judging word
    (GOOD_WORDS or BAD_WORDS) and an ending, several of them often left out. A third of the reviews
    have no negation, a third one in the opener ("i do not think ...", five or six words before the judging
    word), a third one after the verb ("... was not good"). The judging word is good or bad with equal
    chance, so the labels are balanced, and only a model that reads both the negation and the judging
    word can get them right.
    """
    if isinstance(n, bool) or not isinstance(n, int | np.integer):
        raise TypeError(f"n: expected an int, got {type(n).__name__} ({n!r})")
    if n < 1:
        raise ValueError(f"n: expected an int >= 1, got {n!r}")
    if isinstance(seed, bool) or not isinstance(seed, int | np.integer):
        raise TypeError(f"seed: expected an int, got {type(seed).__name__} ({seed!r})")
    rng = np.random.default_rng(seed)

    def pick(groups):
        return list(groups[rng.integers(len(groups))])

    texts, labels, negation_at = [], [], []
    for _ in range(n):
        good = bool(rng.integers(2))
        where = int(rng.integers(3))  # 0: no negation, 1: in the opener, 2: after the verb
        opener = pick(_NEGATING_OPENERS if where == 1 else _OPENERS)
        judging = str(rng.choice(GOOD_WORDS if good else BAD_WORDS))
        words = (opener + pick(_SUBJECTS) + pick(_VERBS) + (pick(_NEGATED_VERBS) if where == 2 else [])
                 + pick(_INTENSIFIERS) + [judging] + pick(_ENDINGS))
        texts.append(" ".join(words))
        labels.append(float(good != (where > 0)))
        negation_at.append(next((i for i, word in enumerate(words) if word in NEGATIONS), -1))
    return Reviews(tuple(texts), np.array(labels, dtype="float32"), np.array(negation_at))


def words_of(ids, vocabulary: Sequence[str], pad: str = PAD_LABEL) -> list[str]:
    """Label each id with its word: ids (time,) ints, vocabulary as ``get_vocabulary()`` returns it.

    Id 0 is labelled ``pad`` (TextVectorization and a StringLookup with ``mask_token=""`` keep it for
    the pad), every other id ``vocabulary[id]`` (e.g. "[UNK]"). Returns a list of time strings.
    """
    ids = np.asarray(ids)
    if ids.ndim != 1 or not np.issubdtype(ids.dtype, np.integer):
        raise ValueError(f"ids: expected a (time,) array of ints, got shape {ids.shape} dtype {ids.dtype}")
    if isinstance(vocabulary, str) or not isinstance(vocabulary, Sequence):
        raise TypeError(f"vocabulary: expected a list of words, got {type(vocabulary).__name__}")
    if ids.size and not 0 <= ids.min() <= ids.max() < len(vocabulary):
        raise ValueError(f"ids: expected ids from 0 to {len(vocabulary) - 1} (the vocabulary's size - 1), "
                         f"got {ids.min()} to {ids.max()}")
    return [pad if i == 0 else str(vocabulary[i]) for i in ids]
