"""helpers.invariance."""

import keras
import numpy as np
import pytest

from helpers.invariance import pad_batch, probe_padding
from helpers.models import make_bilstm

IDS = [np.array([3, 1, 4]), np.array([2]), np.array([5, 6, 2, 2])]


def test_pad_batch_puts_every_sequence_after_before_pads():
    x, mask = pad_batch(IDS, time=7, pad_value=-1, before=2)
    np.testing.assert_array_equal(x[1], [-1, -1, 2, -1, -1, -1, -1])
    np.testing.assert_array_equal(mask[2], [0, 0, 1, 1, 1, 1, 0])
    np.testing.assert_array_equal(x[mask], np.concatenate(IDS))
    assert (x[~mask] == -1).all()


def test_pad_batch_keeps_features():
    sequences = [np.ones((2, 3)), np.full((4, 3), 2.0)]
    x, mask = pad_batch(sequences, time=5, pad_value=0.0)
    assert x.shape == (2, 5, 3) and mask.sum() == 6
    np.testing.assert_array_equal(x[0, 2:], 0.0)


def test_pad_batch_needs_room_for_the_longest_sequence():
    with pytest.raises(ValueError, match=r"time: expected an int >= before \+ longest sequence = 6, got 5"):
        pad_batch(IDS, time=5, before=2)


@pytest.mark.parametrize("bad", [np.array([1, 2]), [], [np.zeros((2, 2, 2))], [np.zeros(0)]])
def test_pad_batch_rejects_what_is_not_a_list_of_sequences(bad):
    with pytest.raises((TypeError, ValueError), match="sequences: expected"):
        pad_batch(bad, time=4)


def _embedding_model(mask_zero):
    keras.utils.set_random_seed(0)
    return keras.Sequential([keras.layers.Embedding(7, 3, mask_zero=mask_zero), make_bilstm(2, 3, seed=0)])


def test_probe_of_a_masked_model_shows_invariance_but_not_to_junk():
    model = _embedding_model(mask_zero=True)
    probe = probe_padding(lambda x, mask: model(x), IDS, pad_value=0, before=1)
    np.testing.assert_allclose(probe.padded, probe.unpadded, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(probe.longer, probe.padded, rtol=1e-5, atol=1e-6)
    assert probe.max_differences()["junk vs padded"] > 1e-3
    assert probe.x.shape == (3, 6) and (probe.x[~probe.mask] == 0).all()


def test_probe_of_an_unmasked_model_shows_contamination():
    model = _embedding_model(mask_zero=False)
    differences = probe_padding(lambda x, mask: model(x), IDS, pad_value=0).max_differences()
    assert differences["padded vs unpadded"] > 1e-3 and differences["longer vs padded"] > 1e-3


def test_probe_with_an_explicit_mask_ignores_junk():
    keras.utils.set_random_seed(0)
    embedding, bilstm = keras.layers.Embedding(7, 3), make_bilstm(2, 3, seed=0)
    probe = probe_padding(lambda x, mask: bilstm(embedding(x), mask=mask), IDS, pad_value=0, before=2)
    assert max(probe.max_differences().values()) < 1e-5


def test_probe_junk_never_equals_the_pad_value():
    sequences = [np.array([0, 0, 3]), np.array([0])]
    batches = []
    probe = probe_padding(lambda x, mask: batches.append(x) or np.zeros((len(x), 1)), sequences,
                          pad_value=0, seed=1)
    junk_batch = batches[-1]  # calls: each sequence alone, padded, longer, junk
    np.testing.assert_array_equal(junk_batch[probe.mask], probe.x[probe.mask])
    assert (junk_batch[~probe.mask] == 3).all()


def test_probe_needs_a_function():
    with pytest.raises(TypeError, match=r"predict: expected a function predict\(x, mask\), got int"):
        probe_padding(3, IDS)


def test_probe_needs_a_junk_candidate():
    with pytest.raises(ValueError, match="every real step equals pad_value=0"):
        probe_padding(lambda x, mask: np.zeros((len(x), 1)), [np.array([0, 0])], pad_value=0)
