"""Mind the Pad helpers: trace, draw and explore padding and masking in (bidirectional) LSTMs."""

from helpers.environment import quiet_tensorflow_logs

quiet_tensorflow_logs()  # before anything imports TensorFlow

from helpers.environment import environment_report, setup, versions  # noqa: E402
from helpers.errors import assert_last_error  # noqa: E402
from helpers.explorer import explore, lay_onto_mask  # noqa: E402
from helpers.models import make_bilstm, make_lstm, randomise_biases  # noqa: E402
from helpers.padding import (  # noqa: E402
    describe_mask,
    is_right_padded,
    mask_from_lengths,
    place_in_mask,
    preset_mask,
)
from helpers.plots import plot_difference, plot_mask, plot_states  # noqa: E402
from helpers.trace import BiLSTMTrace, LSTMTrace, trace_bilstm, trace_lstm  # noqa: E402

__all__ = [
    "BiLSTMTrace",
    "LSTMTrace",
    "assert_last_error",
    "describe_mask",
    "environment_report",
    "explore",
    "is_right_padded",
    "lay_onto_mask",
    "make_bilstm",
    "make_lstm",
    "mask_from_lengths",
    "place_in_mask",
    "plot_difference",
    "plot_mask",
    "plot_states",
    "preset_mask",
    "randomise_biases",
    "setup",
    "trace_bilstm",
    "trace_lstm",
    "versions",
]
