"""helpers.mask_checks."""

import keras
import numpy as np
import pytest

from helpers.mask_checks import checked_mask

X = np.zeros((3, 5, 2), "float32")
GOOD = np.array([[1, 1, 1, 0, 0], [1, 1, 0, 0, 0], [1, 1, 1, 1, 1]], bool)


@pytest.mark.parametrize("mask", [GOOD, GOOD.astype("int32"), GOOD.astype("uint8"), GOOD.tolist(),
                                  keras.ops.convert_to_tensor(GOOD)])
def test_a_fitting_mask_comes_back_as_bool(mask):
    result = checked_mask(X, mask)
    assert result.dtype == bool and result.shape == (3, 5)
    np.testing.assert_array_equal(result, GOOD)


def test_token_ids_and_tensors_are_accepted_as_inputs():
    assert checked_mask(np.ones((3, 5), "int32"), GOOD).shape == (3, 5)
    assert checked_mask(keras.ops.convert_to_tensor(X), GOOD).shape == (3, 5)


@pytest.mark.parametrize("mask, message", [
    (np.ones((3, 6), bool), r"mask: expected rank 2, shape \(batch, time\) = \(3, 5\) to match inputs "
                            r"of shape \(3, 5, 2\), got rank 2, shape \(3, 6\); the mask has more steps"),
    (np.ones((3, 4), bool), r"got rank 2, shape \(3, 4\); the mask has fewer steps"),
    (np.ones((5,), bool), r"got rank 1, shape \(5,\); this looks like one mask for one sequence"),
    (np.ones((5, 3), bool), r"shape \(5, 3\); this looks transposed"),
    (np.ones((3, 5, 2), bool), r"got rank 3, shape \(3, 5, 2\); one value per step, not per feature"),
    (np.ones((3, 5, 1), bool), r"got rank 3, shape \(3, 5, 1\)"),
    (np.ones((4, 5), bool), r"shape \(batch, time\) = \(3, 5\).*got rank 2, shape \(4, 5\)$"),
    (np.array([[0, 1, 2, 1, 1]] * 3), r"mask: expected only 0 and 1, got values \[2\]"),
])
def test_a_mask_that_does_not_fit_gets_a_clear_value_error(mask, message):
    with pytest.raises(ValueError, match=message):
        checked_mask(X, mask)


@pytest.mark.parametrize("mask, message", [
    (GOOD.astype("float32"), r"mask: expected bool or 0/1 integers, got dtype float32"),
    (None, r"mask: expected a \(batch, time\) = \(3, 5\) array of bool, got None"),
    ([[1, "x"], [1]], r"mask: expected an array of bool, got list"),
    (keras.Input((None,), dtype="bool"), r"mask: expected an array of bool, got KerasTensor"),
])
def test_a_mask_of_the_wrong_type_gets_a_clear_type_error(mask, message):
    with pytest.raises(TypeError, match=message):
        checked_mask(X, mask)


@pytest.mark.parametrize("inputs, error, message", [
    (np.zeros(5), ValueError,
     r"inputs: expected shape \(batch, time, features\) or \(batch, time\) token ids, "
     r"got shape \(5,\) \(rank 1\)"),
    (np.zeros((1, 3, 5, 2)), ValueError, r"got shape \(1, 3, 5, 2\) \(rank 4\)"),
    (keras.Input((None, 2)), TypeError, r"inputs: expected a concrete array"),
])
def test_inputs_that_have_no_batch_and_time_are_rejected(inputs, error, message):
    with pytest.raises(error, match=message):
        checked_mask(inputs, GOOD)
