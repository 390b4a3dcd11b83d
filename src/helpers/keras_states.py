"""Keras's own hidden states at every timestep, masked steps included, for checks that can fail.

``helpers.trace`` is our NumPy model of an LSTM: it implements masking as ``where(valid, new, old)``,
so a check of "the state is carried through a masked step" against it alone cannot fail. This module
asks Keras instead. An LSTM with ``return_sequences=True, zero_output_for_mask=False`` returns, at a
masked step, the state its own loop carries there; a ``go_backwards=True`` one, flipped back, gives
the backward direction. Cell states come from ``return_state=True`` runs on each prefix (forward) or
suffix (backward) of the sequence, so they too are computed by Keras.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from helpers.trace import checked_inputs_and_mask, require_bidirectional_lstm, require_lstm


@dataclass(frozen=True)
class KerasLSTMStates:
    """One LSTM's states as Keras computes them, aligned to input time.

    h: (batch, time, units) float32; ``h[b, t]`` is the state after the step that reads input ``t``
    (backward: after reading ``last ... t``); at a masked step, the state Keras carries there.
    c: the same for the cell state, or None when not asked for (``cell_states=False``).
    """

    h: np.ndarray
    c: np.ndarray | None


@dataclass(frozen=True)
class KerasBiLSTMStates:
    """Both directions of a Bidirectional LSTM as Keras computes them, aligned to input time.

    forward_h, backward_h: (batch, time, units) float32; forward_c, backward_c: the same or None.
    output: what the Bidirectional layer itself returns for the same inputs and mask (a NumPy
    array, or a list of arrays when the layer has ``return_state=True`` or ``merge_mode=None``),
    or None when not asked for.
    """

    forward_h: np.ndarray
    backward_h: np.ndarray
    forward_c: np.ndarray | None
    backward_c: np.ndarray | None
    output: np.ndarray | list[np.ndarray] | None


def keras_lstm_states(lstm, inputs, mask=None, cell_states: bool = False) -> KerasLSTMStates:
    """Run a copy of the built ``keras.layers.LSTM`` that reports its state at every step.

    inputs: (batch, time, features) or (time, features); mask: (batch, time) / (time,) bool or 0/1,
    None = every step real; NaN and inf are allowed (ask Keras what it does with them). The copy has
    the layer's configuration and weights; only what it returns changes. Returns batched arrays
    (batch, time, units).
    """
    require_lstm(lstm, "lstm")
    x, m = checked_inputs_and_mask(inputs, mask, lstm.cell.kernel.shape[0], allow_nan=True)
    return _lstm_states(lstm, x.astype("float32"), m, cell_states)


def keras_step_states(
    layer, inputs, mask=None, cell_states: bool = False, layer_output: bool = True
) -> KerasBiLSTMStates:
    """Keras's per-step states of both directions of a built ``Bidirectional(LSTM(...))``.

    inputs: (batch, time, features) or (time, features); mask: (batch, time) / (time,) bool or 0/1,
    None = every step real. ``cell_states=True`` also returns c at every step (one Keras call per
    step and direction: slower). Returns batched arrays (batch, time, units) and, unless
    ``layer_output=False`` (one Keras call fewer), the layer's own output.
    """
    import keras

    require_bidirectional_lstm(layer)
    x, m = checked_inputs_and_mask(inputs, mask, layer.forward_layer.cell.kernel.shape[0],
                                   allow_nan=True)
    x = x.astype("float32")
    forward = _lstm_states(layer.forward_layer, x, m, cell_states)
    backward = _lstm_states(layer.backward_layer, x, m, cell_states)
    result = layer(x, mask=m) if layer_output else None
    output = ([keras.ops.convert_to_numpy(t) for t in result] if isinstance(result, list | tuple)
              else None if result is None else keras.ops.convert_to_numpy(result))
    return KerasBiLSTMStates(forward_h=forward.h, backward_h=backward.h, forward_c=forward.c,
                             backward_c=backward.c, output=output)


def reporting_copy(lstm, **overrides):
    """A built copy of ``lstm`` (same configuration and weights) that returns h at every step.

    The copy has ``return_sequences=True, zero_output_for_mask=False, return_state=False`` unless
    ``overrides`` say otherwise, and ``stateful=False``.
    """
    import keras

    config = lstm.get_config() | {"return_sequences": True, "zero_output_for_mask": False,
                                  "return_state": False, "stateful": False, "name": f"{lstm.name}_copy"}
    copy = keras.layers.LSTM.from_config(config | overrides)
    copy.build((None, None, lstm.cell.kernel.shape[0]))
    copy.set_weights(lstm.get_weights())
    return copy


def _lstm_states(lstm, x: np.ndarray, m: np.ndarray, cell_states: bool) -> KerasLSTMStates:
    import keras

    backwards = bool(lstm.go_backwards)
    h = keras.ops.convert_to_numpy(reporting_copy(lstm)(x, mask=m))
    h = h[:, ::-1] if backwards else h  # a go_backwards layer reports in reading order
    c = _cell_states(lstm, x, m, backwards) if cell_states else None
    return KerasLSTMStates(h=np.ascontiguousarray(h), c=c)


def _cell_states(lstm, x: np.ndarray, m: np.ndarray, backwards: bool) -> np.ndarray:
    """c after each step: the final c of Keras runs on the prefix 0..t (backward: suffix t..end)."""
    import keras

    finals = reporting_copy(lstm, return_sequences=False, return_state=True)
    time = x.shape[1]
    c = np.zeros(x.shape[:2] + (lstm.units,), dtype="float32")
    for t in range(time):
        part = slice(t, time) if backwards else slice(0, t + 1)
        _, _, c_t = finals(x[:, part], mask=m[:, part])
        c[:, t] = keras.ops.convert_to_numpy(c_t)
    return c


class KerasStepProbe:
    """Keras's per-step states of one Bidirectional LSTM for one sequence of a fixed length, fast.

    layer: a built ``Bidirectional(LSTM(...))``; time: the sequence length it will be asked about.
    The probe is one Keras model, traced once here (0.5-1 s): the layer's two directions as
    reporting copies (see ``reporting_copy``) and the layer itself, all on the same input and mask.
    Each call then runs that traced model (``predict_on_batch``, about 1-3 ms), never an eager call.
    """

    def __init__(self, layer, time: int) -> None:
        import keras

        require_bidirectional_lstm(layer)
        if isinstance(time, bool) or not isinstance(time, int | np.integer) or time < 1:
            raise ValueError(f"time: expected an int >= 1, got {time!r}")
        self.time, self.features = int(time), layer.forward_layer.cell.kernel.shape[0]
        x = keras.Input((self.time, self.features), batch_size=1, name="sequence")
        m = keras.Input((self.time,), batch_size=1, dtype="bool", name="mask")
        forward = reporting_copy(layer.forward_layer)(x, mask=m)
        backward = keras.ops.flip(reporting_copy(layer.backward_layer)(x, mask=m), axis=1)
        output = layer(x, mask=m)
        self._n_outputs = len(output) if isinstance(output, list | tuple) else 0
        outputs = [forward, backward, *(output if self._n_outputs else [output])]
        self.model = keras.Model([x, m], outputs, name=f"{layer.name}_step_probe")
        self(np.zeros((self.time, self.features)), np.ones(self.time, bool))  # trace now, not on a click

    def __call__(self, sequence, mask) -> KerasBiLSTMStates:
        """States for one padded sequence: sequence (time, features), mask (time,) bool (batch 1 out)."""
        x, m = checked_inputs_and_mask(sequence, mask, self.features, allow_nan=True)
        if x.shape[:2] != (1, self.time):
            raise ValueError(f"sequence: expected shape ({self.time}, {self.features}) (the probe's "
                             f"fixed length), got shape {np.shape(sequence)}")
        forward, backward, *output = self.model.predict_on_batch([x.astype("float32"), m])
        return KerasBiLSTMStates(forward_h=np.asarray(forward), backward_h=np.asarray(backward),
                                 forward_c=None, backward_c=None,
                                 output=[np.asarray(o) for o in output] if self._n_outputs else output[0])


def state_before(states, backwards: bool = False) -> np.ndarray:
    """The state each step starts from: what a masked step must keep.

    states: (batch, time, units), aligned to input time (as this module and ``helpers.trace`` give
    them). Returns the same shape: at step t the state after step t - 1 (``backwards``: after step
    t + 1, the step read just before), and zeros at the first step a direction reads.
    """
    s = np.asarray(states)
    if s.ndim != 3 or s.shape[1] < 1:
        raise ValueError(f"states: expected shape (batch, time, units) with time >= 1, got shape {s.shape}")
    zeros = np.zeros_like(s[:, :1])
    if backwards:
        return np.concatenate([s[:, 1:], zeros], axis=1)
    return np.concatenate([zeros, s[:, :-1]], axis=1)
