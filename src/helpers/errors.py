"""Check that a cell tagged ``raises-exception`` really raised the error the notebook shows."""

from __future__ import annotations

import re
import sys


def assert_last_error(expected_type: type[BaseException], pattern: str) -> BaseException:
    """Assert that the previous failing cell raised ``expected_type`` matching ``pattern``.

    IPython records the last uncaught exception in ``sys.last_value``. This reads it, checks its
    type and that ``re.search(pattern, str(error))`` matches, then forgets it so that the next
    check cannot pass on a stale error. Returns the exception.
    """
    error = getattr(sys, "last_value", None)
    sys.last_type = sys.last_value = sys.last_traceback = None
    if hasattr(sys, "last_exc"):
        sys.last_exc = None
    if error is None:
        raise AssertionError(
            f"expected the cell above to raise {expected_type.__name__}, but it raised nothing"
        )
    if not isinstance(error, expected_type):
        raise AssertionError(
            f"expected {expected_type.__name__}, got {type(error).__name__}: {error}"
        )
    if not re.search(pattern, str(error)):
        raise AssertionError(f"expected a message matching {pattern!r}, got: {error}")
    return error
