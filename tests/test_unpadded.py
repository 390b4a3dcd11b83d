"""helpers.unpadded."""

import keras
import numpy as np
import pytest

from helpers.models import make_bilstm
from helpers.unpadded import real_steps, run_unpadded

MASK = np.array([[1, 1, 0, 1, 0], [0, 1, 1, 1, 1]], bool)


def test_real_steps_drops_padding_and_gaps_in_order():
    x = np.arange(20, dtype="float32").reshape(2, 5, 2)
    rows = real_steps(x, MASK)
    np.testing.assert_array_equal(rows[0], [[0, 1], [2, 3], [6, 7]])
    np.testing.assert_array_equal(rows[1], x[1, 1:])


def test_run_unpadded_matches_a_masked_bidirectional_lstm():
    layer = make_bilstm(3, 2, seed=0)
    x = np.random.default_rng(0).normal(size=(2, 5, 2)).astype("float32")
    expected = keras.ops.convert_to_numpy(layer(x, mask=MASK))
    np.testing.assert_allclose(run_unpadded(layer, x, MASK), expected, rtol=1e-5, atol=1e-6)


def test_run_unpadded_needs_a_real_step_in_every_row():
    message = r"mask: expected at least one real step in every row, got none in rows \[1\]"
    with pytest.raises(ValueError, match=message):
        run_unpadded(make_bilstm(2, 2, seed=0), np.zeros((2, 5, 2)), [[1, 0, 0, 0, 0], [0] * 5])


def test_real_steps_needs_features():
    message = r"inputs: expected shape \(batch, time, features\), got shape \(2, 5\)"
    with pytest.raises(ValueError, match=message):
        real_steps(np.zeros((2, 5)), MASK)


def test_run_alone_groups_sequences_of_one_length_and_keeps_their_order():
    from helpers.unpadded import by_length, run_alone

    calls = []

    def predict(x):
        calls.append(x.shape)
        return x.sum(axis=1)

    sequences = [np.ones((3, 2)), np.full((1, 2), 5.0), 2 * np.ones((3, 2))]
    np.testing.assert_array_equal(run_alone(predict, sequences), [[3, 3], [5, 5], [6, 6]])
    assert calls == [(1, 1, 2), (2, 3, 2)]
    assert [(n, rows.tolist()) for n, rows in by_length([3, 0, 1, 3])] == [(1, [2]), (3, [0, 3])]
