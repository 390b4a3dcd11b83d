"""The masking explorer's logic: pad a sequence, run the NumPy reference, compare with the unpadded run."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from helpers.padding import describe_mask, place_in_mask
from helpers.trace import BiLSTMTrace, LSTMWeights, merge, run_bilstm

MERGE_MODES = ("concat", "sum", "mul", "ave")
ATOL = 1e-6  # differences at or below this count as equal
KERAS_ATOL = 1e-5  # the NumPy reference (float64) and Keras (float32) agree to this, or one is wrong
JUNK_SCALE = 2.0  # standard deviation of the random junk put into padded slots


@dataclass(frozen=True)
class ExplorerResult:
    """Everything the explorer shows for one setting; arrays are for the single sequence shown.

    mask: (time,) bool, True = real step (where the padding sits, whether or not the layer uses it).
    inputs: (time, features), the padded sequence the layer reads.
    trace: the layer's states on ``inputs`` (batch 1), masked by ``mask`` if ``use_mask``.
    unpadded: the states of the real steps alone, laid onto the padded grid (batch 1, see lay_onto_mask).
    forward_difference, backward_difference: (time, units), ``trace`` minus ``unpadded``.
    output, unpadded_output: (units,) or (2 * units,) for "concat", the merged final outputs.
    labels: (time,) one label per slot: the token (or ``x0``, ``x1``, ...) placed there, or "pad".
    message: what the picture shows, in plain words.
    """

    mask: np.ndarray
    use_mask: bool
    merge_mode: str
    inputs: np.ndarray
    trace: BiLSTMTrace
    unpadded: BiLSTMTrace
    forward_difference: np.ndarray
    backward_difference: np.ndarray
    output: np.ndarray
    unpadded_output: np.ndarray
    labels: tuple[str, ...]
    message: str

    @property
    def layer_mask(self) -> np.ndarray:
        """(time,) bool: the mask the layer was given, ``mask`` with the mask on, all True with it off."""
        return self.mask if self.use_mask else np.ones_like(self.mask)

    @property
    def final_difference(self) -> dict[str, float]:
        """Largest absolute gap to the unpadded run of each final output: forward, backward, merged."""
        return _final_difference(self.trace, self.unpadded, self.output, self.unpadded_output)

    @property
    def max_difference(self) -> float:
        """Largest absolute state difference from the unpadded run, over both directions and all steps."""
        return float(max(np.abs(self.forward_difference).max(initial=0.0),
                         np.abs(self.backward_difference).max(initial=0.0)))


@dataclass(frozen=True)
class KerasAgreement:
    """How far the explorer's NumPy states are from Keras's own, at every step of both directions.

    max_difference: the largest absolute difference over every step, both directions.
    worst: (direction, step) where it is largest. agrees: max_difference <= KERAS_ATOL.
    steps: how many steps were compared; masked: how many of them the layer was told to skip.
    """

    max_difference: float
    worst: tuple[str, int]
    steps: int
    masked: int

    @property
    def agrees(self) -> bool:
        return self.max_difference <= KERAS_ATOL

    @property
    def message(self) -> str:
        if self.agrees:
            masked = f", {self.masked} of them masked" if self.masked else ""
            return (f"Keras agrees at every step ({self.steps} steps{masked}, both directions): "
                    f"max |Δ| = {self.max_difference:.1e}.")
        direction, step = self.worst
        return (f"Keras DISAGREES with this picture: {direction} direction, step {step}, "
                f"|Δ| = {self.max_difference:.3g} (more than {KERAS_ATOL:g}).")


def keras_agreement(result: ExplorerResult, keras_states) -> KerasAgreement:
    """Compare ``result.trace`` with Keras's states for the same inputs and mask (batch 1).

    keras_states: anything with ``forward_h`` and ``backward_h`` of shape (1, time, units), e.g.
    ``helpers.keras_states.KerasStepProbe(layer, time)(result.inputs, result.layer_mask)``.
    """
    gaps = {}
    for direction in ("forward", "backward"):
        ours = getattr(result.trace, f"{direction}_h")
        theirs = np.asarray(getattr(keras_states, f"{direction}_h"))
        if theirs.shape != ours.shape:
            raise ValueError(
                f"keras_states: expected {direction}_h of shape {ours.shape}, got {theirs.shape}"
            )
        gaps[direction] = np.abs(ours - theirs)[0].max(axis=-1)  # (time,)
    direction = max(gaps, key=lambda d: gaps[d].max())
    step = int(gaps[direction].argmax())
    return KerasAgreement(max_difference=float(gaps[direction][step]), worst=(direction, step),
                          steps=result.mask.size, masked=int((~result.mask).sum()) if result.use_mask else 0)


def junk_values(time_steps: int, features: int, seed: int = 0) -> np.ndarray:
    """(time_steps, features) random junk for padded slots, reproducible with ``seed``."""
    return np.random.default_rng(seed).normal(0.0, JUNK_SCALE, (time_steps, features))


def lay_onto_mask(trace: BiLSTMTrace, mask) -> BiLSTMTrace:
    """Spread the trace of the real steps alone over the padded time grid of ``mask``.

    trace: batch 1, (1, k, units) with k = mask.sum(), run without padding or mask.
    mask: (time,) bool, True = real step. Real steps go to their slots in order. A padded slot holds
    the state a masked layer carries there: forward, the state of the last real step before it
    (zeros before the first); backward, that of the first real step after it (zeros after the last).
    Gates are NaN at padded slots (no step is computed there). Returns a BiLSTMTrace (1, time, units).
    """
    if not isinstance(trace, BiLSTMTrace):
        raise TypeError(f"trace: expected a BiLSTMTrace, got {type(trace).__name__}")
    m = _checked_mask(mask)
    if trace.forward_h.shape[:2] != (1, m.sum()):
        raise ValueError(
            f"trace: expected batch 1 and {int(m.sum())} steps (one per real step of mask), "
            f"got (batch, time) = {trace.forward_h.shape[:2]}"
        )
    return BiLSTMTrace(
        forward_h=_carry(trace.forward_h[0], m)[None],
        forward_c=_carry(trace.forward_c[0], m)[None],
        backward_h=_carry(trace.backward_h[0], m, backwards=True)[None],
        backward_c=_carry(trace.backward_c[0], m, backwards=True)[None],
        mask=m[None],
        forward_gates={name: _scatter(g[0], m)[None] for name, g in trace.forward_gates.items()},
        backward_gates={name: _scatter(g[0], m)[None] for name, g in trace.backward_gates.items()},
    )


def explore(
    weights: tuple[LSTMWeights, LSTMWeights],
    sequence,
    mask,
    *,
    use_mask: bool = True,
    pad_value: float | np.ndarray = 0.0,
    merge_mode: str = "concat",
    tokens=None,
) -> ExplorerResult:
    """Pad ``sequence`` as ``mask`` says, run both directions, and compare with the unpadded run.

    weights: (forward, backward) LSTMWeights, e.g. ``helpers.trace.bilstm_weights(layer)``.
    sequence: (n, features), the real data; its first k = mask.sum() rows go into the True slots.
    mask: (time,) bool or 0/1, True = real step; k may be 0 (all padding) or time (no padding).
    use_mask: whether the layer is given the mask; without it, it reads the pads as data.
    pad_value: a number, or a (time, features) array of junk (see ``junk_values``).
    merge_mode: "concat", "sum", "mul" or "ave". tokens: None or n labels, one per row of ``sequence``.
    Uses only NumPy: no TensorFlow call.
    """
    forward, backward = _checked_weights(weights)
    m = _checked_mask(mask)
    x = _checked_sequence(sequence, forward.features, int(m.sum()))
    if merge_mode not in MERGE_MODES:
        raise ValueError(f"merge_mode: expected one of {MERGE_MODES}, got {merge_mode!r}")
    labels = slot_labels(m, tokens, len(x))
    inputs = place_in_mask(x, m, _checked_pad_value(pad_value, (m.size, x.shape[1])))
    layer_mask = m if use_mask else np.ones_like(m)
    trace = run_bilstm(forward, backward, inputs[None], layer_mask[None])
    real = x[: int(m.sum())]
    unpadded = lay_onto_mask(run_bilstm(forward, backward, real[None], np.ones((1, len(real)), bool)), m)
    output = merge(trace.forward_final[0], trace.backward_final[0], merge_mode)
    unpadded_output = merge(unpadded.forward_final[0], unpadded.backward_final[0], merge_mode)
    forward_difference = trace.forward_h[0] - unpadded.forward_h[0]
    backward_difference = trace.backward_h[0] - unpadded.backward_h[0]
    states_equal = max(np.abs(forward_difference).max(), np.abs(backward_difference).max()) <= ATOL
    final = _final_difference(trace, unpadded, output, unpadded_output)
    return ExplorerResult(
        mask=m, use_mask=bool(use_mask), merge_mode=merge_mode, inputs=inputs, trace=trace,
        unpadded=unpadded, forward_difference=forward_difference, backward_difference=backward_difference,
        output=output, unpadded_output=unpadded_output, labels=labels,
        message=explain(m, bool(use_mask), final, merge_mode, states_equal),
    )


def slot_labels(mask: np.ndarray, tokens, n_rows: int) -> tuple[str, ...]:
    """(time,) labels: the token placed in each real slot (default ``x0``, ``x1``, ...), "pad" elsewhere.

    mask: (time,) bool; tokens: None or ``n_rows`` labels, one per row of the sequence.
    """
    if tokens is None:
        names = [f"x{i}" for i in range(n_rows)]
    else:
        names = [str(token) for token in tokens]
        if len(names) != n_rows:
            raise ValueError(
                f"tokens: expected {n_rows} labels (one per row of sequence), got {len(names)}"
            )
    rows = iter(names)
    return tuple(next(rows) if real else "pad" for real in mask)


def explain(
    mask: np.ndarray, use_mask: bool, final_difference: dict[str, float], merge_mode: str, states_equal: bool
) -> str:
    """What the explorer shows, in plain words.

    mask: (time,) bool, True = real step; final_difference: largest absolute difference of each final
    output ("forward", "backward", "merged") from the unpadded run; states_equal: whether every state
    equals the unpadded run's (within ATOL).
    """
    n, pads = mask.size, int((~mask).sum())
    if pads == n and not use_mask:
        return (f"All {n} steps are padding and the mask is off: both directions read nothing but "
                "padding, so the output describes the pad value, not your data.")
    if use_mask or pads == 0:
        verdict = ("so every state equals the unpadded sequence's." if states_equal
                   else "yet a state differs from the unpadded sequence's: this is a bug.")
        skip = " With the mask on, both directions skip the padded steps, " + verdict if 0 < pads < n else ""
        return describe_mask(mask) + skip
    valid = np.flatnonzero(mask)
    read_last = {"forward": n - 1 - int(valid[-1]), "backward": int(valid[0])}
    sentences = [f"The mask is off: the layer reads all {n} steps as data, {pads} of them padding."]
    for direction in ("forward", "backward"):
        sentences.append(_direction_verdict(direction, final_difference[direction], read_last[direction]))
    merged = final_difference["merged"]
    sentences.append(f"The merged ({merge_mode}) output " + (
        f"is off by up to {merged:.2g}." if merged > ATOL else "still matches."))
    return " ".join(sentences)


def _direction_verdict(direction: str, difference: float, pads_read_last: int) -> str:
    if difference <= ATOL:
        return f"{direction.capitalize()} final output: still matches the unpadded sequence."
    why = (f"it reads {pads_read_last} pad{'s' if pads_read_last > 1 else ''} last, just before it reports"
           if pads_read_last else "the pads it reads earlier still echo in its state")
    return f"{direction.capitalize()} final output: contaminated (off by up to {difference:.2g}): {why}."


def _final_difference(trace, unpadded, output, unpadded_output) -> dict[str, float]:
    return {
        "forward": float(np.abs(trace.forward_final - unpadded.forward_final).max()),
        "backward": float(np.abs(trace.backward_final - unpadded.backward_final).max()),
        "merged": float(np.abs(output - unpadded_output).max()),
    }


def _carry(values: np.ndarray, mask: np.ndarray, backwards: bool = False) -> np.ndarray:
    """(k, units) states of the real steps -> (time, units), carried through padded slots."""
    if backwards:
        return _carry(values[::-1], mask[::-1])[::-1]
    with_start = np.vstack([np.zeros((1, values.shape[1])), values])  # row 0: the initial state
    return with_start[np.cumsum(mask)]


def _scatter(values: np.ndarray, mask: np.ndarray) -> np.ndarray:
    """(k, units) -> (time, units) with the rows at the real slots and NaN elsewhere."""
    out = np.full((mask.size, values.shape[1]), np.nan)
    out[mask] = values
    return out


def _checked_weights(weights) -> tuple[LSTMWeights, LSTMWeights]:
    if not (isinstance(weights, tuple) and len(weights) == 2
            and all(isinstance(w, LSTMWeights) for w in weights)):
        raise TypeError(
            "weights: expected a (forward, backward) pair of LSTMWeights, e.g. "
            f"helpers.trace.bilstm_weights(layer), got {type(weights).__name__}"
        )
    return weights


def _checked_mask(mask) -> np.ndarray:
    m = np.asarray(mask)
    if m.ndim != 1 or m.size == 0:
        raise ValueError(f"mask: expected shape (time,) with time >= 1, got shape {m.shape}")
    if m.dtype != bool:
        if not np.issubdtype(m.dtype, np.integer) or np.setdiff1d(np.unique(m), [0, 1]).size:
            raise TypeError(f"mask: expected bool or 0/1 integers, got dtype {m.dtype} values {np.unique(m)}")
    return m.astype(bool)


def _checked_sequence(sequence, features: int, n_real: int) -> np.ndarray:
    x = np.asarray(sequence)
    if x.dtype == object or not np.issubdtype(x.dtype, np.number):
        raise TypeError(f"sequence: expected a numeric array, got dtype {x.dtype}")
    if x.ndim != 2 or x.shape[1] != features:
        raise ValueError(
            f"sequence: expected shape (steps, {features}) (the layer's input size), got shape {x.shape}"
        )
    if len(x) < n_real:
        raise ValueError(f"sequence: expected at least {n_real} steps (the mask's real steps), got {len(x)}")
    return x.astype(np.float64)


def _checked_pad_value(pad_value, shape: tuple[int, int]) -> float | np.ndarray:
    if isinstance(pad_value, int | float | np.number) and not isinstance(pad_value, bool):
        return float(pad_value)
    junk = np.asarray(pad_value)
    if junk.shape != shape or not np.issubdtype(junk.dtype, np.number):
        raise ValueError(
            f"pad_value: expected a number or a numeric (time, features) = {shape} array, "
            f"got {type(pad_value).__name__} of shape {junk.shape}"
        )
    return junk
