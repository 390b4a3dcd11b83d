"""Count the steps Keras's generic RNN loop computes: an LSTM cell that records every call it gets.

A clock cannot prove that a mask skips no work on a busy machine; a count can. ``count_steps`` runs
a copy of a built LSTM (same configuration, same weights, same generic loop that ``use_cudnn=False``
selects) whose cell appends the number of rows it receives to a list each time Keras calls it.
"""

from __future__ import annotations

from dataclasses import dataclass

import keras
import numpy as np

from helpers.backends import op_by_op
from helpers.trace import checked_inputs_and_mask, require_lstm


class CountingLSTMCell(keras.layers.LSTMCell):
    """An ordinary ``keras.layers.LSTMCell`` that records how many rows each of its calls computes.

    ``rows_per_call``: one int per call, in call order; each call computes one LSTM step for that
    many rows (sequences). Only eager calls are counted: a traced function calls ``call`` once per
    trace, not once per step.
    """

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.rows_per_call: list[int] = []

    def call(self, inputs, states, training=False):
        """One LSTM step for ``inputs`` (batch, features) and states [(batch, units)] * 2."""
        import tensorflow as tf

        if tf.executing_eagerly():
            self.rows_per_call.append(int(inputs.shape[0]))
        return super().call(inputs, states, training=training)


@dataclass(frozen=True)
class StepCount:
    """What the counting copy of an LSTM did for one batch.

    rows_per_call: (calls,) int, the rows the cell computed at each call, in call order.
    output: what the copy returned, (batch, units) or (batch, time, units) float32 as the LSTM does.
    """

    rows_per_call: np.ndarray
    output: np.ndarray

    @property
    def calls(self) -> int:
        """How many times Keras called the cell for this batch."""
        return int(self.rows_per_call.size)


def counting_copy(lstm) -> keras.layers.RNN:
    """A built ``keras.layers.RNN(CountingLSTMCell)`` with the configuration and weights of ``lstm``.

    lstm: a built ``keras.layers.LSTM``. The copy keeps ``return_sequences``, ``go_backwards``,
    ``unroll`` and ``zero_output_for_mask``; it returns no states and is never stateful.
    """
    require_lstm(lstm, "lstm")
    cell = CountingLSTMCell.from_config(lstm.cell.get_config())
    copy = keras.layers.RNN(
        cell, return_sequences=lstm.return_sequences, go_backwards=lstm.go_backwards,
        unroll=lstm.unroll, zero_output_for_mask=lstm.zero_output_for_mask, name=f"{lstm.name}_counting",
    )
    copy.build((None, None, lstm.cell.kernel.shape[0]))
    copy.set_weights(lstm.get_weights())
    return copy


def count_steps(lstm, inputs, mask=None) -> StepCount:
    """Run a counting copy of ``lstm`` eagerly on one batch and report every call of its cell.

    lstm: a built ``keras.layers.LSTM``; inputs: (batch, time, features) or (time, features);
    mask: (batch, time) / (time,) bool or 0/1, None = no mask (every step real).
    Raises RuntimeError inside a traced function, where the cell's calls cannot be counted. On JAX
    the copy runs op by op (``helpers.backends.op_by_op``): compiled, ``lax.scan`` would call the
    cell only once, to trace it.
    """
    import tensorflow as tf

    require_lstm(lstm, "lstm")
    if not tf.executing_eagerly():
        raise RuntimeError("count_steps: expected eager execution, got a traced function; call it outside "
                           "tf.function, where Keras calls the cell once per step")
    x, m = checked_inputs_and_mask(inputs, mask, lstm.cell.kernel.shape[0])
    copy = counting_copy(lstm)
    with op_by_op():
        output = copy(x.astype("float32"), mask=None if mask is None else m)
    return StepCount(rows_per_call=np.array(copy.cell.rows_per_call, dtype=int),
                     output=keras.ops.convert_to_numpy(output))
