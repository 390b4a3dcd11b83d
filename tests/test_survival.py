"""helpers.survival."""

import keras
import numpy as np
import pytest

from helpers.survival import VARIANTS, gaps_table, padded_variants, randomise_recurrent_biases

SENTENCES = [np.array([3, 1, 4]), np.array([2]), np.array([5, 6, 2, 2, 1])]


def test_each_block_holds_every_sentence_in_its_own_slots():
    variants = padded_variants(SENTENCES, time=7, vocabulary=6, seed=1)
    assert variants.ids.shape == variants.mask.shape == (9, 7) and variants.n == 3
    assert variants.ids.dtype == np.int32 and variants.mask.dtype == bool
    for variant in VARIANTS:
        ids, mask = variants.block(variant)
        for row, sentence in enumerate(SENTENCES):
            np.testing.assert_array_equal(ids[row][mask[row]], sentence)
            assert np.ptp(np.flatnonzero(mask[row])) == len(sentence) - 1  # one run of real steps


def test_post_and_pre_blocks_are_what_pad_sequences_makes():
    variants = padded_variants(SENTENCES, time=7, vocabulary=6)
    for variant in ("post", "pre"):
        ids, mask = variants.block(variant)
        expected = keras.utils.pad_sequences(SENTENCES, maxlen=7, padding=variant, value=0)
        np.testing.assert_array_equal(ids, expected)
        np.testing.assert_array_equal(mask, expected != 0)


def test_the_junk_block_holds_real_ids_in_every_padded_slot_and_moves_the_sentences():
    ids, mask = padded_variants(SENTENCES * 8, time=9, vocabulary=6, seed=0).block("junk")
    assert ((ids[~mask] >= 1) & (ids[~mask] <= 6)).all()
    first_steps = {int(np.flatnonzero(row)[0]) for row in mask}
    assert len(first_steps) > 2  # not all at the start


def test_the_junk_block_is_reproducible_with_its_seed():
    first, again = (padded_variants(SENTENCES, 8, 6, seed=5) for _ in range(2))
    other = padded_variants(SENTENCES, 8, 6, seed=6)
    np.testing.assert_array_equal(first.ids, again.ids)
    assert not np.array_equal(first.ids, other.ids)


def test_gaps_are_the_largest_difference_of_each_block():
    variants = padded_variants(SENTENCES, time=6, vocabulary=6)
    reference = np.arange(6.0).reshape(3, 2)
    outputs = np.concatenate([reference, reference + 0.5, reference])
    outputs[7, 1] += 2.0
    assert variants.gaps(outputs, reference) == {"post": 0.0, "pre": 0.5, "junk": 2.0}


def test_gaps_accept_tensors():
    variants = padded_variants(SENTENCES, time=6, vocabulary=6)
    reference = keras.ops.ones((3, 1))
    assert variants.gaps(keras.ops.ones((9, 1)), reference) == dict.fromkeys(VARIANTS, 0.0)


def test_gaps_check_the_shapes():
    variants = padded_variants(SENTENCES, time=6, vocabulary=6)
    expected = r"outputs, reference: expected shapes \(9, \.\.\.\) and \(3, \.\.\.\)"
    with pytest.raises(ValueError, match=expected):
        variants.gaps(np.zeros((6, 1)), np.zeros((3, 1)))
    with pytest.raises(ValueError, match="got \\(9, 2\\) and \\(3, 1\\)"):
        variants.gaps(np.zeros((9, 2)), np.zeros((3, 1)))


def test_block_names_its_variants():
    with pytest.raises(ValueError, match=r"variant: expected one of \('post', 'pre', 'junk'\), got 'middle'"):
        padded_variants(SENTENCES, 6, 6).block("middle")


@pytest.mark.parametrize("kwargs, error, message", [
    ({"sentences": np.ones((2, 3), int)}, TypeError, "sentences: expected a non-empty list"),
    ({"sentences": []}, TypeError, "sentences: expected a non-empty list"),
    ({"sentences": [np.array([1.0, 2.0])]}, ValueError, "sentences: expected 1-D int arrays"),
    ({"sentences": [np.array([], int)]}, ValueError, "sentences: expected 1-D int arrays"),
    ({"sentences": [np.array([0, 2])]}, ValueError, r"expected ids from 1 to vocabulary=6 \(0 is the pad\)"),
    ({"sentences": [np.array([7])]}, ValueError, "got ids from 7 to 7"),
    ({"time": 4}, ValueError, r"time: expected an int >= the longest sentence \(5\), got 4"),
    ({"time": 7.0}, ValueError, "time: expected an int"),
    ({"vocabulary": 0}, ValueError, "vocabulary: expected an int >= 1, got 0"),
])
def test_padded_variants_validates(kwargs, error, message):
    arguments = {"sentences": SENTENCES, "time": 7, "vocabulary": 6, **kwargs}
    with pytest.raises(error, match=message):
        padded_variants(**arguments)


@pytest.mark.parametrize("make", [lambda: keras.layers.LSTM(3), lambda: keras.layers.GRU(3),
                                  lambda: keras.layers.SimpleRNN(3)])
def test_every_recurrent_cell_gets_non_zero_biases(make):
    layer = keras.layers.Bidirectional(make())
    layer.build((None, None, 2))
    randomise_recurrent_biases(layer, seed=0)
    for rnn in (layer.forward_layer, layer.backward_layer):
        assert (np.asarray(rnn.cell.bias) != 0).all()
    forward, backward = (np.asarray(rnn.cell.bias) for rnn in (layer.forward_layer, layer.backward_layer))
    assert not np.array_equal(forward, backward)


def test_biases_of_a_plain_recurrent_layer():
    layer = keras.layers.GRU(2)
    layer.build((None, None, 1))
    randomise_recurrent_biases(layer, seed=0, scale=2.0)
    assert np.abs(np.asarray(layer.cell.bias)).max() > 0.5


def test_randomise_recurrent_biases_validates():
    with pytest.raises(TypeError, match="layer: expected one of .* got Dense"):
        randomise_recurrent_biases(keras.layers.Dense(2), seed=0)
    with pytest.raises(ValueError, match="layer: expected a built layer, got an unbuilt"):
        randomise_recurrent_biases(keras.layers.Bidirectional(keras.layers.GRU(2)), seed=0)


def test_gaps_table_has_one_row_per_way_and_a_verdict():
    table = gaps_table({"eager call": dict.fromkeys(VARIANTS, 0.0),
                        "unmasked": {"post": 0.2, "pre": 0.0, "junk": 1e-6}})
    lines = table.splitlines()
    assert lines[0] == "| how the model runs | post | pre | junk | mask survives |"
    assert lines[2] == "| eager call | 0.0e+00 | 0.0e+00 | 0.0e+00 | yes |"
    assert lines[3] == "| unmasked | 2.0e-01 | 0.0e+00 | 1.0e-06 | **no** |"


def test_gaps_table_validates():
    with pytest.raises(TypeError, match="rows: expected a non-empty dict"):
        gaps_table({})
    with pytest.raises(ValueError, match=r"rows\['x'\]: expected gaps for \('post', 'pre', 'junk'\)"):
        gaps_table({"x": {"post": 0.0}})
