"""helpers.assert_last_error."""

import sys

import pytest

from helpers.errors import assert_last_error


def record(error):
    sys.last_type, sys.last_value, sys.last_traceback = type(error), error, None


def test_passes_on_the_expected_error_and_forgets_it():
    record(TypeError("Input() got an unexpected keyword argument 'mask'"))
    error = assert_last_error(TypeError, "unexpected keyword argument 'mask'")
    assert isinstance(error, TypeError)
    with pytest.raises(AssertionError, match="raised nothing"):
        assert_last_error(TypeError, "mask")


def test_fails_on_another_type():
    record(ValueError("expected ndim=3, found ndim=2"))
    with pytest.raises(AssertionError, match="expected TypeError, got ValueError"):
        assert_last_error(TypeError, "ndim")


def test_fails_on_another_message():
    record(ValueError("something else"))
    with pytest.raises(AssertionError, match="expected a message matching"):
        assert_last_error(ValueError, "ndim=3")
