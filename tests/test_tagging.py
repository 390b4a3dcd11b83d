"""The tagging task (sentences, tags, padding) and IgnoreClassAccuracy, against NumPy and Keras."""

import keras
import numpy as np
import pytest

from helpers.tagging import (
    AMBIGUOUS,
    PAD_TAG,
    TAGS,
    VOCABULARY,
    IgnoreClassAccuracy,
    TaggedSentences,
    tagged_sentences,
)

NOUN, VERB, DET, ADJ, PRON = (TAGS.index(t) for t in ("NOUN", "VERB", "DET", "ADJ", "PRON"))


@pytest.fixture(scope="module")
def sentences() -> TaggedSentences:
    return tagged_sentences(400, seed=3)


def test_shapes_dtypes_and_padding_at_the_end(sentences):
    assert sentences.ids.shape == sentences.tags.shape == sentences.mask.shape == (400, 8)
    assert sentences.ids.dtype == sentences.tags.dtype == np.int32 and sentences.mask.dtype == bool
    expected_mask = np.arange(8)[None, :] < sentences.lengths[:, None]
    np.testing.assert_array_equal(sentences.mask, expected_mask)
    np.testing.assert_array_equal(sentences.tags != PAD_TAG, sentences.mask)
    np.testing.assert_array_equal(sentences.ids != 0, sentences.mask)
    assert sentences.lengths.min() == 2 and sentences.lengths.max() == 7


def test_time_pads_further():
    long = tagged_sentences(20, seed=5, time=12)
    short = tagged_sentences(20, seed=5)
    assert long.ids.shape == (20, 12)
    np.testing.assert_array_equal(long.ids[:, :8], short.ids)
    assert (long.ids[:, 8:] == 0).all() and (long.tags[:, 8:] == 0).all()


def test_same_seed_same_sentences_other_seed_others():
    first, again = tagged_sentences(50, seed=1), tagged_sentences(50, seed=1)
    other = tagged_sentences(50, seed=2)
    np.testing.assert_array_equal(first.ids, again.ids)
    np.testing.assert_array_equal(first.tags, again.tags)
    assert not np.array_equal(first.ids, other.ids)


def test_grammar_subject_verb_object(sentences):
    for row in range(len(sentences.ids)):
        tags = [TAGS[t] for t in sentences.tags[row, : sentences.lengths[row]]]
        words = sentences.words(row)
        assert len(words) == sentences.lengths[row] and "" not in words
        assert tags.count("VERB") == 1
        verb = tags.index("VERB")
        assert tags[:verb] in (["PRON"], ["DET", "NOUN"], ["DET", "ADJ", "NOUN"])
        assert tags[verb + 1:] in ([], ["DET", "NOUN"], ["DET", "ADJ", "NOUN"])
        if tags[0] == "DET":
            assert words[0] == "the"


def test_ambiguous_words_are_nouns_exactly_after_a_determiner_or_adjective(sentences):
    words = np.array(VOCABULARY)[sentences.ids]
    before = np.concatenate([np.zeros((len(words), 1), int), sentences.tags[:, :-1]], axis=1)
    ambiguous = np.isin(words, AMBIGUOUS)
    assert ambiguous.sum() > 100
    expected = np.where(np.isin(before, [DET, ADJ]), NOUN, VERB)
    np.testing.assert_array_equal(sentences.tags[ambiguous], expected[ambiguous])
    assert {NOUN, VERB} == set(sentences.tags[ambiguous])


def test_vocabulary_keeps_zero_for_the_pad_and_each_word_once():
    assert VOCABULARY[0] == "" and TAGS[PAD_TAG] == ""
    assert len(set(VOCABULARY)) == len(VOCABULARY)
    assert set(AMBIGUOUS) <= set(VOCABULARY)


@pytest.mark.parametrize("n", [0, -1, 2.0, "3", True, None])
def test_bad_n_is_rejected(n):
    with pytest.raises(ValueError, match=r"n: expected an int >= 1, got"):
        tagged_sentences(n, seed=0)


@pytest.mark.parametrize("time", [6, 8.0, "8", False])
def test_bad_time_is_rejected(time):
    with pytest.raises(ValueError, match=r"time: expected an int >= 7"):
        tagged_sentences(3, seed=0, time=time)


# --- IgnoreClassAccuracy ---------------------------------------------------------------------------

TARGETS = np.array([[1, 2, 3, 0, 0], [0, 0, 4, 4, 1], [2, 2, 2, 2, 2], [0, 0, 0, 0, 0]])
PROBABILITIES = np.random.default_rng(0).dirichlet(np.ones(5), size=TARGETS.shape).astype("float32")
PROBABILITIES[0, 3, 0] = 5.0  # a pad predicted as tag 0: right if pads counted
PROBABILITIES[2, 0, 0] = 5.0  # a real step predicted as tag 0: always wrong
RIGHT = PROBABILITIES.argmax(axis=-1) == TARGETS


def accuracy(y_true, y_pred, ignore_class=0, sample_weight=None) -> float:
    metric = IgnoreClassAccuracy(ignore_class=ignore_class)
    metric.update_state(y_true, y_pred, sample_weight=sample_weight)
    return float(metric.result())


def test_accuracy_counts_the_real_steps_only():
    real = TARGETS != 0
    np.testing.assert_allclose(accuracy(TARGETS, PROBABILITIES), RIGHT[real].mean(), rtol=1e-6)
    assert not np.isclose(RIGHT[real].mean(), RIGHT.mean())


def test_accuracy_takes_targets_with_a_trailing_axis():
    np.testing.assert_allclose(accuracy(TARGETS[..., None], PROBABILITIES), accuracy(TARGETS, PROBABILITIES))


def test_accuracy_ignores_another_class():
    keep = TARGETS != 2
    np.testing.assert_allclose(accuracy(TARGETS, PROBABILITIES, 2), RIGHT[keep].mean(), rtol=1e-6)


def test_sample_weights_per_sequence_and_per_step():
    real = (TARGETS != 0).astype(float)
    per_sequence = np.array([1.0, 2.0, 0.5, 3.0])
    expected = (RIGHT * real * per_sequence[:, None]).sum() / (real * per_sequence[:, None]).sum()
    per_step = np.repeat(per_sequence[:, None], TARGETS.shape[1], axis=1)
    for weights in (per_sequence, per_sequence[:, None], per_step):
        got = accuracy(TARGETS, PROBABILITIES, sample_weight=weights)
        np.testing.assert_allclose(got, expected, rtol=1e-6)


def test_accuracy_agrees_with_keras_weighted_accuracy():
    keras_metric = keras.metrics.SparseCategoricalAccuracy()
    keras_metric.update_state(TARGETS, PROBABILITIES, sample_weight=(TARGETS != 0).astype("float32"))
    np.testing.assert_allclose(accuracy(TARGETS, PROBABILITIES), float(keras_metric.result()), rtol=1e-6)


def test_accuracy_in_compile_on_an_unmasked_model():
    ids = keras.Input((None,), dtype="int32")
    scores = keras.layers.Dense(5, activation="softmax")(keras.layers.Embedding(6, 4)(ids))
    model = keras.Model(ids, scores)
    model.compile(loss=keras.losses.SparseCategoricalCrossentropy(ignore_class=0),
                  metrics=[IgnoreClassAccuracy(ignore_class=0)])
    x = np.where(TARGETS != 0, TARGETS, 0)
    predictions = keras.ops.convert_to_numpy(model(x))
    result = model.evaluate(x, TARGETS, verbose=0, return_dict=True)
    right = predictions.argmax(axis=-1) == TARGETS
    np.testing.assert_allclose(result["ignore_class_accuracy"], right[TARGETS != 0].mean(), rtol=1e-6)


def test_accuracy_state_accumulates_and_resets():
    metric = IgnoreClassAccuracy()
    metric.update_state(TARGETS[:2], PROBABILITIES[:2])
    metric.update_state(TARGETS[2:], PROBABILITIES[2:])
    np.testing.assert_allclose(float(metric.result()), RIGHT[TARGETS != 0].mean(), rtol=1e-6)
    metric.reset_state()
    assert float(metric.result()) == 0.0


def test_accuracy_round_trips_through_its_config_and_keras_serialisation():
    metric = IgnoreClassAccuracy(ignore_class=3, name="tag_accuracy")
    copy = IgnoreClassAccuracy.from_config(metric.get_config())
    assert (copy.ignore_class, copy.name) == (3, "tag_accuracy")
    restored = keras.saving.deserialize_keras_object(keras.saving.serialize_keras_object(metric))
    assert isinstance(restored, IgnoreClassAccuracy) and restored.ignore_class == 3


@pytest.mark.parametrize("ignore_class", ["0", 0.0, True, None])
def test_bad_ignore_class_is_rejected(ignore_class):
    with pytest.raises(TypeError, match=r"ignore_class: expected an int"):
        IgnoreClassAccuracy(ignore_class=ignore_class)
