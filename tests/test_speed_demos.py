"""helpers.speed_demos trains a tiny masked LSTM with fit as notebook 10 does, and catches expected errors."""

import keras
import numpy as np
import pytest
import tensorflow as tf

from helpers.speed_demos import error_from, fit_losses

MASK = np.array([[1, 1, 1, 0, 0], [0, 0, 1, 1, 1], [1, 1, 1, 1, 1]], dtype=bool)


@pytest.fixture(scope="module")
def x():
    return np.random.default_rng(0).normal(size=(*MASK.shape, 3)).astype("float32")


@pytest.fixture(scope="module")
def generic_losses(x):
    return fit_losses(False, x, MASK, seed=0, epochs=3)


def test_fit_losses_returns_one_falling_finite_loss_per_epoch(generic_losses):
    assert len(generic_losses) == 3 and all(isinstance(loss, float) for loss in generic_losses)
    assert np.isfinite(generic_losses).all() and generic_losses[-1] < generic_losses[0]


def test_fit_losses_starts_from_the_same_model_for_the_same_seed(x, generic_losses):
    assert fit_losses(False, x, MASK, seed=0) == generic_losses
    assert fit_losses(False, x, MASK, seed=1) != generic_losses


@pytest.mark.skipif(bool(tf.config.list_physical_devices("GPU")), reason="on a GPU 'auto' runs cuDNN")
def test_fit_losses_auto_runs_the_generic_loop_without_a_gpu(x, generic_losses):
    np.testing.assert_allclose(fit_losses("auto", x, MASK, seed=0), generic_losses, rtol=1e-6)


def test_fit_losses_ignores_the_values_at_masked_steps(x, generic_losses):
    junk = np.where(MASK[..., None], x, 50.0).astype("float32")
    np.testing.assert_allclose(fit_losses(False, junk, MASK, seed=0), generic_losses, rtol=1e-6)


@pytest.mark.parametrize(
    ("change", "error", "message"),
    [
        ({"use_cudnn": "yes"}, ValueError, r'use_cudnn: expected "auto", True or False'),
        ({"use_cudnn": 1}, ValueError, r"use_cudnn: expected"),
        ({"x": np.zeros((3, 5))}, ValueError, r"x: expected shape \(batch, time, features\)"),
        ({"x": np.zeros((3, 5, 2), int)}, TypeError, r"x: expected a float array, got dtype int"),
        ({"mask": MASK[:2]}, ValueError, r"mask: expected rank 2, shape \(batch, time\) = \(3, 5\)"),
        ({"seed": -1}, ValueError, r"seed: expected an int >= 0"),
        ({"epochs": 0}, ValueError, r"epochs: expected an int >= 1"),
        ({"units": True}, ValueError, r"units: expected an int >= 1"),
    ],
)
def test_fit_losses_refuses_bad_input(x, change, error, message):
    arguments = {"use_cudnn": False, "x": x, "mask": MASK, "seed": 0} | change
    with pytest.raises(error, match=message):
        fit_losses(**arguments)


def test_error_from_returns_the_expected_error_or_none():
    def fails():
        raise tf.errors.InvalidArgumentError(None, None, "refused")

    error = error_from(fails, tf.errors.InvalidArgumentError)
    assert isinstance(error, tf.errors.InvalidArgumentError) and "refused" in str(error)
    assert error_from(lambda: 1, tf.errors.InvalidArgumentError) is None
    assert isinstance(error_from(lambda: keras.ops.reshape(np.ones(3), (2,))), Exception)


def test_error_from_lets_other_errors_through():
    with pytest.raises(KeyError):
        error_from(lambda: {}["missing"], ValueError)


@pytest.mark.parametrize(
    ("call", "error_type", "message"),
    [(None, Exception, r"call: expected a function"), (lambda: 1, "ValueError", r"error_type: expected an "
                                                                                 r"exception class")],
)
def test_error_from_refuses_bad_input(call, error_type, message):
    with pytest.raises(TypeError, match=message):
        error_from(call, error_type)
