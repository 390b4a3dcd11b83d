"""Trace an LSTM or a Bidirectional LSTM step by step with a NumPy reference implementation.

The reference reads the layer's own weights and follows Keras' equations, so its states agree
with Keras. Unlike Keras it keeps every intermediate state, so you can look at each timestep.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

_ACTIVATIONS = {
    "tanh": np.tanh,
    "sigmoid": lambda z: 1.0 / (1.0 + np.exp(-z)),
    "hard_sigmoid": lambda z: np.clip(z / 6.0 + 0.5, 0.0, 1.0),
    "relu": lambda z: np.maximum(z, 0.0),
    "linear": lambda z: z,
}


@dataclass(frozen=True)
class LSTMWeights:
    """The weights of one LSTM direction, in Keras' layout (gates in the order i, f, c, o).

    kernel: (features, 4 * units); recurrent_kernel: (units, 4 * units); bias: (4 * units,).
    """

    kernel: np.ndarray
    recurrent_kernel: np.ndarray
    bias: np.ndarray
    activation: str = "tanh"
    recurrent_activation: str = "sigmoid"

    @property
    def units(self) -> int:
        return self.recurrent_kernel.shape[0]

    @property
    def features(self) -> int:
        return self.kernel.shape[0]

    @classmethod
    def from_layer(cls, lstm) -> LSTMWeights:
        """Read the weights of a built ``keras.layers.LSTM``."""
        require_lstm(lstm, "layer")
        cell = lstm.cell
        units = cell.units
        bias = cell.bias.numpy() if cell.use_bias else np.zeros(4 * units)
        return cls(
            kernel=np.asarray(cell.kernel.numpy(), dtype=np.float64),
            recurrent_kernel=np.asarray(cell.recurrent_kernel.numpy(), dtype=np.float64),
            bias=np.asarray(bias, dtype=np.float64),
            activation=_activation_name(cell.activation, "activation"),
            recurrent_activation=_activation_name(cell.recurrent_activation, "recurrent_activation"),
        )


@dataclass(frozen=True)
class LSTMStep:
    """What one LSTM step computes: the four gates and the new states, each (batch, units)."""

    input_gate: np.ndarray
    forget_gate: np.ndarray
    candidate: np.ndarray
    output_gate: np.ndarray
    c: np.ndarray
    h: np.ndarray


def lstm_step(x_t: np.ndarray, h_prev: np.ndarray, c_prev: np.ndarray, weights: LSTMWeights) -> LSTMStep:
    """One LSTM step, exactly as Keras computes it.

    x_t: (batch, features); h_prev, c_prev: (batch, units).
    """
    act = _ACTIVATIONS[weights.activation]
    gate = _ACTIVATIONS[weights.recurrent_activation]
    z = x_t @ weights.kernel + h_prev @ weights.recurrent_kernel + weights.bias
    z_input, z_forget, z_candidate, z_output = np.split(z, 4, axis=-1)
    input_gate = gate(z_input)  # how much of the candidate to write
    forget_gate = gate(z_forget)  # how much of the old cell state to keep
    candidate = act(z_candidate)  # what could be written
    output_gate = gate(z_output)  # how much of the cell state to show
    c = forget_gate * c_prev + input_gate * candidate
    h = output_gate * act(c)
    return LSTMStep(input_gate, forget_gate, candidate, output_gate, c, h)


GATE_NAMES = ("input_gate", "forget_gate", "candidate", "output_gate")


@dataclass(frozen=True)
class LSTMTrace:
    """States of one LSTM at every timestep, aligned to input time.

    h, c: (batch, time, units) float64; mask: (batch, time) bool; gates: name -> (batch, time, units).
    ``h[b, t]`` is the state after the step that reads input ``t`` (for a backward LSTM: after
    reading ``last valid ... t``). At a masked step the state is carried unchanged.
    """

    h: np.ndarray
    c: np.ndarray
    mask: np.ndarray
    gates: dict[str, np.ndarray]
    go_backwards: bool = False

    @property
    def final_h(self) -> np.ndarray:
        """(batch, units): the state after the whole sequence has been read."""
        return self.h[:, 0] if self.go_backwards else self.h[:, -1]

    @property
    def final_c(self) -> np.ndarray:
        return self.c[:, 0] if self.go_backwards else self.c[:, -1]

    @property
    def final_step(self) -> list[int | None]:
        """Per batch item, the input step whose update produced the final state (None: all padded)."""
        return [_last_valid(row) if not self.go_backwards else _first_valid(row) for row in self.mask]


@dataclass(frozen=True)
class BiLSTMTrace:
    """States of both directions of a Bidirectional LSTM, aligned to input time.

    forward_h, forward_c, backward_h, backward_c: (batch, time, units) float64; mask: (batch, time) bool.
    ``forward_h[b, t]``: forward state after reading steps 0..t.
    ``backward_h[b, t]``: backward state after reading steps last valid..t.
    """

    forward_h: np.ndarray
    forward_c: np.ndarray
    backward_h: np.ndarray
    backward_c: np.ndarray
    mask: np.ndarray
    forward_gates: dict[str, np.ndarray]
    backward_gates: dict[str, np.ndarray]

    @property
    def forward_final(self) -> np.ndarray:
        """(batch, units): the forward direction's final state (what it reports with a mask)."""
        return self.forward_h[:, -1]

    @property
    def backward_final(self) -> np.ndarray:
        """(batch, units): the backward direction's final state, reached at the first valid step."""
        return self.backward_h[:, 0]

    @property
    def forward_final_step(self) -> list[int | None]:
        """Per batch item, the step that produced the forward final state: the last valid one."""
        return [_last_valid(row) for row in self.mask]

    @property
    def backward_final_step(self) -> list[int | None]:
        """Per batch item, the step that produced the backward final state: the first valid one."""
        return [_first_valid(row) for row in self.mask]

    def output(self, merge_mode: str | None = "concat", return_sequences: bool = False):
        """What ``Bidirectional(LSTM(...), merge_mode)`` returns for this trace.

        With ``return_sequences`` the outputs are (batch, time, ...) and exactly 0 at masked steps,
        as Keras produces inside Bidirectional. ``merge_mode=None`` returns a (forward, backward) pair.
        """
        if return_sequences:
            keep = self.mask[..., None]
            forward, backward = self.forward_h * keep, self.backward_h * keep
        else:
            forward, backward = self.forward_final, self.backward_final
        return merge(forward, backward, merge_mode)


def merge(forward: np.ndarray, backward: np.ndarray, merge_mode: str | None):
    """Combine both directions as ``Bidirectional(merge_mode=...)`` does."""
    if merge_mode == "concat":
        return np.concatenate([forward, backward], axis=-1)
    if merge_mode == "sum":
        return forward + backward
    if merge_mode == "mul":
        return forward * backward
    if merge_mode == "ave":
        return (forward + backward) / 2
    if merge_mode is None:
        return forward, backward
    raise ValueError(
        f"merge_mode: expected 'concat', 'sum', 'mul', 'ave' or None, got {merge_mode!r}"
    )


def run_lstm(
    weights: LSTMWeights, inputs: np.ndarray, mask: np.ndarray, go_backwards: bool = False
) -> LSTMTrace:
    """Run one direction over a batch: inputs (batch, time, features), mask (batch, time) bool.

    Inputs are trusted here (see ``trace_lstm`` for the checked entry point).
    """
    batch, time, _ = inputs.shape
    h = np.zeros((batch, weights.units))
    c = np.zeros((batch, weights.units))
    hs = np.zeros((batch, time, weights.units))
    cs = np.zeros_like(hs)
    gates = {name: np.zeros_like(hs) for name in GATE_NAMES}
    steps = range(time - 1, -1, -1) if go_backwards else range(time)
    for t in steps:
        step = lstm_step(inputs[:, t], h, c, weights)
        valid = mask[:, t, None]
        h = np.where(valid, step.h, h)  # a masked step keeps the old state
        c = np.where(valid, step.c, c)
        hs[:, t], cs[:, t] = h, c
        for name in GATE_NAMES:
            gates[name][:, t] = getattr(step, name)
    return LSTMTrace(h=hs, c=cs, mask=mask, gates=gates, go_backwards=go_backwards)


def trace_lstm(layer, inputs, mask=None) -> LSTMTrace:
    """Trace a built ``keras.layers.LSTM`` over ``inputs``.

    inputs: (batch, time, features) or (time, features), numeric.
    mask: (batch, time) or (time,), bool or 0/1 integers; None means every step is valid.
    Returns an LSTMTrace with batched arrays (batch, time, units).
    """
    require_lstm(layer, "layer")
    weights = LSTMWeights.from_layer(layer)
    x, m = checked_inputs_and_mask(inputs, mask, weights.features)
    return run_lstm(weights, x, m, go_backwards=bool(layer.go_backwards))


def bilstm_weights(layer) -> tuple[LSTMWeights, LSTMWeights]:
    """The (forward, backward) weights of a built ``Bidirectional(LSTM(...))``."""
    require_bidirectional_lstm(layer)
    return LSTMWeights.from_layer(layer.forward_layer), LSTMWeights.from_layer(layer.backward_layer)


def run_bilstm(
    forward: LSTMWeights, backward: LSTMWeights, inputs: np.ndarray, mask: np.ndarray
) -> BiLSTMTrace:
    """Both directions over a batch, inputs and mask already checked."""
    fwd = run_lstm(forward, inputs, mask, go_backwards=False)
    bwd = run_lstm(backward, inputs, mask, go_backwards=True)
    return BiLSTMTrace(
        forward_h=fwd.h, forward_c=fwd.c, backward_h=bwd.h, backward_c=bwd.c, mask=mask,
        forward_gates=fwd.gates, backward_gates=bwd.gates,
    )


def trace_bilstm(layer, inputs, mask=None) -> BiLSTMTrace:
    """Trace a built ``keras.layers.Bidirectional`` wrapping an LSTM, both directions.

    inputs: (batch, time, features) or (time, features), numeric.
    mask: (batch, time) or (time,), bool or 0/1 integers; None means every step is valid.
    Returns a BiLSTMTrace with batched arrays (batch, time, units) aligned to input time.
    """
    forward, backward = bilstm_weights(layer)
    x, m = checked_inputs_and_mask(inputs, mask, forward.features)
    return run_bilstm(forward, backward, x, m)


def _last_valid(row: np.ndarray) -> int | None:
    valid = np.flatnonzero(row)
    return int(valid[-1]) if valid.size else None


def _first_valid(row: np.ndarray) -> int | None:
    valid = np.flatnonzero(row)
    return int(valid[0]) if valid.size else None


def _activation_name(function, argument: str) -> str:
    name = getattr(function, "__name__", repr(function))
    if name not in _ACTIVATIONS:
        raise ValueError(
            f"{argument}: expected one of {sorted(_ACTIVATIONS)}, got {name!r}; "
            "the NumPy reference does not implement it"
        )
    return name


def require_lstm(layer, argument: str) -> None:
    import keras

    if isinstance(layer, keras.layers.Bidirectional):
        raise TypeError(
            f"{argument}: expected keras.layers.LSTM, got Bidirectional; use trace_bilstm for it"
        )
    if not isinstance(layer, keras.layers.LSTM):
        raise TypeError(f"{argument}: expected keras.layers.LSTM, got {type(layer).__name__}")
    if not layer.built:
        raise ValueError(
            f"{argument}: expected a built layer, got an unbuilt {type(layer).__name__} "
            f"{layer.name!r}; call it on data once (or build the model) first"
        )


def require_bidirectional_lstm(layer) -> None:
    import keras

    if not isinstance(layer, keras.layers.Bidirectional):
        hint = "; use trace_lstm for a single LSTM" if isinstance(layer, keras.layers.LSTM) else ""
        raise TypeError(f"layer: expected keras.layers.Bidirectional, got {type(layer).__name__}{hint}")
    if not isinstance(layer.forward_layer, keras.layers.LSTM):
        raise TypeError(
            "layer: expected Bidirectional wrapping keras.layers.LSTM, "
            f"got Bidirectional({type(layer.forward_layer).__name__})"
        )
    if not layer.built:
        raise ValueError(
            f"layer: expected a built layer, got an unbuilt Bidirectional {layer.name!r}; "
            "call it on data once (or build the model) first"
        )


def checked_inputs_and_mask(
    inputs, mask, features: int, allow_nan: bool = False
) -> tuple[np.ndarray, np.ndarray]:
    """Validate and batch inputs -> (batch, time, features) float64 and mask -> (batch, time) bool.

    NaN in ``inputs`` is an error unless ``allow_nan`` (Keras itself can be asked about NaN pads).
    """
    x = np.asarray(inputs)
    if x.dtype == object or not (np.issubdtype(x.dtype, np.number) or x.dtype == bool):
        raise TypeError(f"inputs: expected a numeric array, got dtype {x.dtype}")
    if x.ndim not in (2, 3):
        raise ValueError(
            f"inputs: expected shape (batch, time, features) or (time, features), got shape {x.shape} "
            f"(rank {x.ndim}); integer token ids need an Embedding first"
        )
    single = x.ndim == 2
    x = x[None] if single else x
    if x.shape[-1] != features:
        raise ValueError(
            f"inputs: expected {features} features (the layer's input size), got shape {x.shape}"
        )
    x = x.astype(np.float64)
    if not allow_nan and np.isnan(x).any():
        raise ValueError(f"inputs: expected no NaN, got {int(np.isnan(x).sum())} NaN value(s)")
    return x, validated_mask(mask, x.shape[:2], single)


def validated_mask(mask, batch_time: tuple[int, int], single: bool) -> np.ndarray:
    """Validate a mask of shape (batch, time), or (time,) when ``single`` -> (batch, time) bool."""
    if mask is None:
        return np.ones(batch_time, dtype=bool)
    m = np.asarray(mask)
    expected = batch_time[1:] if single else batch_time
    if m.shape != expected:
        form = "(time,)" if single else "(batch, time)"
        raise ValueError(f"mask: expected shape {form} = {expected} to match inputs, got {m.shape}")
    if m.dtype != bool:
        if not np.issubdtype(m.dtype, np.integer):
            raise TypeError(f"mask: expected bool or 0/1 integers, got dtype {m.dtype}")
        bad = np.setdiff1d(np.unique(m), [0, 1])
        if bad.size:
            raise ValueError(f"mask: expected only 0 and 1, got values {bad.tolist()}")
    m = m.astype(bool)
    return m[None] if single else m
