"""helpers.text_data."""

import numpy as np
import pytest

from helpers.text_data import BAD_WORDS, GOOD_WORDS, NEGATIONS, PAD_LABEL, Reviews, negation_reviews, words_of


def test_reviews_have_labels_that_follow_the_words():
    reviews = negation_reviews(400, seed=0)
    assert isinstance(reviews, Reviews) and len(reviews) == 400
    assert reviews.labels.shape == (400,) and reviews.labels.dtype == np.float32
    for text, label, negation_at in zip(reviews.texts, reviews.labels, reviews.negation_at, strict=True):
        words = text.split()
        judging = [w for w in words if w in GOOD_WORDS + BAD_WORDS]
        negations = [i for i, w in enumerate(words) if w in NEGATIONS]
        assert len(judging) == 1 and len(negations) <= 1, text
        assert label == float((judging[0] in GOOD_WORDS) != bool(negations)), text
        assert negation_at == (negations[0] if negations else -1), text
        assert 4 <= len(words) <= 11 and text == text.lower() and "  " not in text


def test_reviews_are_balanced_and_negations_stand_near_and_far():
    reviews = negation_reviews(600, seed=1)
    assert 0.4 < reviews.labels.mean() < 0.6
    assert 0.55 < (reviews.negation_at >= 0).mean() < 0.78  # two thirds hold a negation
    gaps = set()
    for text, negation_at in zip(reviews.texts, reviews.negation_at, strict=True):
        words = text.split()
        if negation_at >= 0:
            gaps.add(next(i for i, w in enumerate(words) if w in GOOD_WORDS + BAD_WORDS) - negation_at)
    assert gaps == {1, 2, 5, 6}
    assert {len(text.split()) for text in reviews.texts} == set(range(4, 12))


def test_reviews_are_reproducible():
    first, again = negation_reviews(30, seed=5), negation_reviews(30, seed=5)
    assert first.texts == again.texts
    np.testing.assert_array_equal(first.labels, again.labels)
    assert negation_reviews(30, seed=5).texts != negation_reviews(30, seed=6).texts


@pytest.mark.parametrize(("kwargs", "error", "message"), [
    ({"n": 0, "seed": 0}, ValueError, "n: expected an int >= 1, got 0"),
    ({"n": 2.0, "seed": 0}, TypeError, r"n: expected an int, got float \(2.0\)"),
    ({"n": True, "seed": 0}, TypeError, "n: expected an int, got bool"),
    ({"n": 3, "seed": "a"}, TypeError, "seed: expected an int, got str"),
])
def test_negation_reviews_rejects_bad_arguments(kwargs, error, message):
    with pytest.raises(error, match=message):
        negation_reviews(**kwargs)


def test_words_of_labels_the_pad_and_unknown_words():
    vocabulary = ["", "[UNK]", "the", "film"]
    assert words_of(np.array([2, 3, 1, 0, 0]), vocabulary) == ["the", "film", "[UNK]", PAD_LABEL, PAD_LABEL]
    assert words_of(np.array([2, 0]), vocabulary, pad="·") == ["the", "·"]
    assert words_of(np.array([], dtype=int), vocabulary) == []


def test_words_of_takes_a_keras_vocabulary():
    import keras

    vectorizer = keras.layers.TextVectorization()
    vectorizer.adapt(np.array(["the film was good", "the food"]))
    ids = np.asarray(vectorizer(np.array(["the film was superb"])))[0]
    assert words_of(ids, vectorizer.get_vocabulary()) == ["the", "film", "was", "[UNK]"]


@pytest.mark.parametrize(("ids", "vocabulary", "error", "message"), [
    (np.array([[1, 2]]), ["", "a", "b"], ValueError,
     r"ids: expected a \(time,\) array of ints, got shape \(1, 2\)"),
    (np.array([0.5]), ["", "a"], ValueError, "dtype float64"),
    (np.array([3]), ["", "a", "b"], ValueError, "ids: expected ids from 0 to 2"),
    (np.array([-1]), ["", "a", "b"], ValueError, "got -1 to -1"),
    (np.array([1]), "abc", TypeError, "vocabulary: expected a list of words, got str"),
    (np.array([1]), {"a": 1}, TypeError, "got dict"),
])
def test_words_of_rejects_bad_arguments(ids, vocabulary, error, message):
    with pytest.raises(error, match=message):
        words_of(ids, vocabulary)
