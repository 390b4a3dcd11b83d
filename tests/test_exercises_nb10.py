"""The answers the 09 checkers hard-code are Keras's and tf.data's own, not our guesses."""

import importlib

import numpy as np
import pytest
import tensorflow as tf

from helpers.exercises import nb10


def keras_accepts(mask: np.ndarray) -> bool:
    tf_rnn = importlib.import_module("keras.src.backend.tensorflow.rnn")
    try:
        tf_rnn._assert_valid_mask(mask)
    except tf.errors.InvalidArgumentError:
        return False
    return True


@pytest.mark.parametrize(("mask", "expected", "wrong"), nb10._CUDNN_CASES, ids=lambda v: str(v)[:20])
def test_09_1_expected_verdicts_are_keras_cudnn_check(mask, expected, wrong):
    assert keras_accepts(mask) == expected, wrong


@pytest.mark.parametrize(("lengths", "boundaries", "batch_size"), nb10._BUCKET_CASES)
def test_09_2_reference_is_what_tf_data_bucketing_pads(lengths, boundaries, batch_size):
    dataset = tf.data.Dataset.from_tensor_slices(lengths).map(lambda n: tf.ones((n, 1)))
    bucketed = dataset.bucket_by_sequence_length(
        element_length_func=lambda x: tf.shape(x)[0], bucket_boundaries=list(boundaries),
        bucket_batch_sizes=[batch_size] * (len(boundaries) + 1))
    cells = sum(int(batch.shape[0]) * int(batch.shape[1]) for batch in bucketed)
    assert nb10._reference(lengths, boundaries, batch_size) == pytest.approx(1 - lengths.sum() / cells)
