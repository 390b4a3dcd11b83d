"""Each direction of a Bidirectional LSTM under a mask: final states, distances, per-layout heat maps."""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
from matplotlib.colors import Normalize
from matplotlib.figure import Figure

from helpers.plots import draw_states
from helpers.trace import BiLSTMTrace, require_bidirectional_lstm

DIRECTIONS = ("forward", "backward")


def lstm_with_weights(weights, name: str, **lstm_kwargs):
    """A built ``keras.layers.LSTM`` that holds ``weights``, e.g. another LSTM's ``get_weights()``.

    weights: [kernel (features, 4 * units), recurrent_kernel (units, 4 * units), bias (4 * units,)];
    units and features are read from their shapes. ``lstm_kwargs`` go to the LSTM
    (``go_backwards=True``, ``return_sequences=True``, ...).
    """
    import keras

    if not isinstance(weights, list | tuple):
        raise TypeError(f"weights: expected a list [kernel, recurrent_kernel, bias], as LSTM.get_weights() "
                        f"returns it, got {type(weights).__name__}")
    if len(weights) != 3:
        raise ValueError(f"weights: expected 3 arrays [kernel, recurrent_kernel, bias], got {len(weights)}")
    kernel, recurrent_kernel, bias = (np.asarray(w) for w in weights)
    units = recurrent_kernel.shape[0] if recurrent_kernel.ndim == 2 else 0
    if not (units > 0 and kernel.ndim == 2 and kernel.shape[1] == 4 * units
            and recurrent_kernel.shape == (units, 4 * units) and bias.shape == (4 * units,)):
        raise ValueError("weights: expected kernel (features, 4 * units), recurrent_kernel (units, "
                         f"4 * units) and bias (4 * units,), got shapes {kernel.shape}, "
                         f"{recurrent_kernel.shape}, {bias.shape}")
    lstm = keras.layers.LSTM(units, name=name, **lstm_kwargs)
    lstm.build((None, None, kernel.shape[0]))
    lstm.set_weights([kernel, recurrent_kernel, bias])
    return lstm


def final_states(layer, inputs, mask=None) -> tuple[np.ndarray, np.ndarray]:
    """The final hidden states ``(forward_h, backward_h)``, each (batch, units), from one call of ``layer``.

    layer: a built ``Bidirectional(LSTM(...))`` with ``return_state=True`` (any merge mode: its
    states are the last four outputs, forward h, forward c, backward h, backward c).
    inputs: (batch, time, features); mask: (batch, time) bool or None (no mask).
    """
    import keras

    require_bidirectional_lstm(layer)
    if not layer.return_state:
        raise ValueError(f"layer: expected a Bidirectional layer with return_state=True, got {layer.name!r} "
                         "without it; build it with LSTM(..., return_state=True)")
    x = np.asarray(inputs, dtype="float32")
    if x.ndim != 3:
        raise ValueError(f"inputs: expected shape (batch, time, features), got shape {x.shape}")
    if mask is not None and np.shape(mask) != x.shape[:2]:
        raise ValueError(f"mask: expected shape (batch, time) = {x.shape[:2]} or None, got {np.shape(mask)}")
    forward_h, _, backward_h, _ = (keras.ops.convert_to_numpy(t) for t in layer(x, mask=mask)[-4:])
    return forward_h, backward_h


def final_states_per_layout(
    layer, padded: Mapping[str, np.ndarray], masks: Mapping[str, np.ndarray] | None = None
) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """``final_states`` for several padding layouts from one call of ``layer``, for speed.

    padded: {layout: (batch, time, features)}, every layout of the same shape; masks: {layout:
    (batch, time) bool} with the same layouts, or None (no mask). The layouts are stacked along the
    batch axis, run in one call and split again. The rows of a batch never affect each other, so
    this equals one ``final_states`` call per layout (to float32 rounding, about 1e-7).
    Returns {layout: (forward_h, backward_h)}, each (batch, units).
    """
    names = list(padded)
    if not names:
        raise ValueError("padded: expected at least one layout, got an empty mapping")
    shapes = {name: np.shape(padded[name]) for name in names}
    if len(set(shapes.values())) != 1:
        raise ValueError(f"padded: expected every layout to have the same shape, got {shapes}")
    if masks is not None and set(masks) != set(names):
        raise ValueError(f"masks: expected the layouts of padded, {names}, got {list(masks)}")
    x = np.concatenate([padded[name] for name in names])
    mask = None if masks is None else np.concatenate([np.asarray(masks[name], dtype=bool) for name in names])
    forward_h, backward_h = (np.split(h, len(names)) for h in final_states(layer, x, mask))
    return {name: (f, b) for name, f, b in zip(names, forward_h, backward_h, strict=True)}


def state_distances(states, reference) -> dict[str, np.ndarray]:
    """Per sequence, how far each direction's final state is from the reference (Euclidean norm).

    states, reference: (forward_h, backward_h) pairs, each (batch, units), e.g. from ``final_states``
    on a padded batch and on the unpadded one. Returns {"forward": (batch,), "backward": (batch,)}.
    """
    pairs = {"states": states, "reference": reference}
    for label, pair in pairs.items():
        if not isinstance(pair, list | tuple) or len(pair) != 2:
            raise TypeError(f"{label}: expected a pair (forward_h, backward_h), got {type(pair).__name__}")
    distances = {}
    for direction, state, ref in zip(DIRECTIONS, states, reference, strict=True):
        state, ref = np.asarray(state, dtype=float), np.asarray(ref, dtype=float)
        if state.ndim != 2 or state.shape != ref.shape:
            raise ValueError(f"states: expected {direction}_h of shape (batch, units) like the reference's "
                             f"{ref.shape}, got {state.shape}")
        distances[direction] = np.linalg.norm(state - ref, axis=-1)
    return distances


def plot_layouts(trace: BiLSTMTrace, rows: Mapping[str, int], *, mask=None, norm: Normalize | None = None,
                 title: str = "") -> Figure:
    """Heat maps of both directions' states (figure rows) for some sequences of a trace (figure columns).

    trace: from ``helpers.trace.trace_bilstm``, (batch, time, units); rows: {column title: batch row},
    e.g. {"pre": 1, "post": 0}; mask: which steps to hatch as padding, (batch, time) bool, default the
    trace's own mask (pass it for a run made without a mask); norm: one colour scale for every panel
    (default -1 to 1). Each panel outlines the step its direction's final state comes from.
    """
    import matplotlib.pyplot as plt

    if not isinstance(trace, BiLSTMTrace):
        raise TypeError("trace: expected a BiLSTMTrace (from helpers.trace.trace_bilstm), "
                        f"got {type(trace).__name__}")
    batch, time = trace.mask.shape
    bad = {name: row for name, row in dict(rows).items()
           if isinstance(row, bool) or not isinstance(row, int | np.integer) or not 0 <= row < batch}
    if not rows or bad:
        raise ValueError(f"rows: expected {{title: row}} with rows from 0 to {batch - 1}, got {dict(rows)!r}")
    hatched = trace.mask if mask is None else np.asarray(mask, dtype=bool)
    if hatched.shape != (batch, time):
        raise ValueError(f"mask: expected shape (batch, time) = {(batch, time)}, got {hatched.shape}")
    fig, axes = plt.subplots(2, len(rows), figsize=(5 * len(rows), 4.4), sharex=True, sharey=True,
                             squeeze=False)
    for column, (name, row) in zip(axes.T, rows.items(), strict=True):
        for ax, direction in zip(column, DIRECTIONS, strict=True):
            step = getattr(trace, f"{direction}_final_step")[row]
            image = draw_states(ax, getattr(trace, f"{direction}_h")[row], hatched[row], step, norm=norm,
                                title=f"{name}: {direction}, final from step {step}").image
    for ax in axes[0]:
        ax.set_xlabel("")
    for ax in axes[:, 1:].flat:  # the y axis is shared: label it once, on the left
        ax.set_ylabel("")
    # placed by hand: for six panels, faster than layout="constrained"
    fig.subplots_adjust(left=0.045, right=0.99, bottom=0.12, top=0.83, hspace=0.4, wspace=0.05)
    fig.colorbar(image, ax=axes, label="state value", fraction=0.03, pad=0.015)
    fig.suptitle(title)
    return fig
