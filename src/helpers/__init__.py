"""Mind the Pad helpers: trace, draw and explore padding and masking in (bidirectional) LSTMs."""

from helpers.environment import quiet_tensorflow_logs

quiet_tensorflow_logs()  # before anything imports TensorFlow

from helpers.environment import environment_report, setup, versions  # noqa: E402
from helpers.errors import assert_last_error  # noqa: E402

__all__ = ["assert_last_error", "environment_report", "setup", "versions"]
