"""One LSTM direction at one timestep: its gates and states, ready to print, draw or step through."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from helpers.trace import GATE_NAMES, BiLSTMTrace, LSTMTrace

GATE_TITLES = {
    "input_gate": "input gate i",
    "forget_gate": "forget gate f",
    "candidate": "candidate g",
    "output_gate": "output gate o",
}
MASKED_NOTE = "masked step: the state is carried, the gates computed here are discarded"


@dataclass(frozen=True)
class StepView:
    """What one direction does for one sequence at input step ``t``; every array is (units,).

    gates: name -> (units,) activations computed at step ``t`` (discarded when the step is masked).
    h_before, c_before: the state the step starts from (zeros before the direction's first step).
    h, c: the state after the step; equal to h_before, c_before at a masked step.
    """

    row: int
    t: int
    direction: str
    valid: bool
    gates: dict[str, np.ndarray]
    h_before: np.ndarray
    c_before: np.ndarray
    h: np.ndarray
    c: np.ndarray

    @property
    def note(self) -> str:
        """One sentence for the learner about this step."""
        if not self.valid:
            return MASKED_NOTE
        return f"real step: the {self.direction} direction writes a new state"


def step_view(trace: LSTMTrace | BiLSTMTrace, row: int, t: int, direction: str | None = None) -> StepView:
    """The gates and states of one direction at input step ``t`` of sequence ``row``.

    trace: an LSTMTrace (``direction`` None or the trace's own) or a BiLSTMTrace
    (``direction`` "forward" or "backward"). ``t`` counts in input time, 0 .. time - 1, whichever
    way the direction reads; the state "before" a backward step is the one at ``t + 1``.
    """
    h_all, c_all, gates, backwards = _direction(trace, direction)
    batch, time = trace.mask.shape
    row, t = _index(row, batch, "row"), _index(t, time, "t")
    before = t + 1 if backwards else t - 1
    if 0 <= before < time:
        h_before, c_before = h_all[row, before], c_all[row, before]
    else:
        h_before, c_before = np.zeros_like(h_all[row, t]), np.zeros_like(c_all[row, t])
    return StepView(
        row=row, t=t, direction="backward" if backwards else "forward", valid=bool(trace.mask[row, t]),
        gates={name: gates[name][row, t] for name in GATE_NAMES},
        h_before=h_before, c_before=c_before, h=h_all[row, t], c=c_all[row, t],
    )


def draw_step(view: StepView):
    """Six bar charts, one bar per unit: the four gates, then the cell state c and the hidden state h.

    States show the value before the step (light) next to the value after it (dark). At a masked
    step the gates are drawn grey and hatched (``PAD_STYLE``): they are computed, then thrown away; at a
    real step they have the direction's colour (``FORWARD_COLOR`` or ``BACKWARD_COLOR``).
    Returns the matplotlib Figure.
    """
    import matplotlib.pyplot as plt

    from helpers.plots import BACKWARD_COLOR, FORWARD_COLOR, PAD_STYLE

    units = np.arange(view.h.size)
    fig, axes = plt.subplots(1, 6, figsize=(14, 3.6), sharex=True, layout="constrained")
    for ax, name in zip(axes[:4], GATE_NAMES, strict=True):
        style = ({"color": FORWARD_COLOR if view.direction == "forward" else BACKWARD_COLOR}
                 if view.valid else PAD_STYLE)
        ax.bar(units, view.gates[name], **style)
        ax.set_ylim(-1.05 if name == "candidate" else 0, 1.05)
        ax.set_title(GATE_TITLES[name])
    for ax, label, before, after in ((axes[4], "cell state c", view.c_before, view.c),
                                     (axes[5], "hidden state h", view.h_before, view.h)):
        ax.bar(units - 0.2, before, width=0.4, color="C4", label="before")
        ax.bar(units + 0.2, after, width=0.4, color="C5", label="after")
        top = max(1.0, float(np.abs(np.concatenate([before, after])).max()) * 1.05)
        ax.set_ylim(-top, top)
        ax.set_title(label)
    axes[5].legend(loc="lower right", fontsize=10)
    for ax in axes:
        ax.axhline(0, color="0.3", linewidth=0.8)
        ax.set_xticks(units)
        ax.set_xlabel("unit")
    where = f"sequence {view.row}, {view.direction} direction, step t = {view.t}"
    fig.suptitle(f"{where}\n{view.note}", fontsize=14)
    return fig


def _direction(trace, direction: str | None):
    """(h, c, gates, reads_backwards) of the chosen direction."""
    if isinstance(trace, BiLSTMTrace):
        if direction == "forward":
            return trace.forward_h, trace.forward_c, trace.forward_gates, False
        if direction == "backward":
            return trace.backward_h, trace.backward_c, trace.backward_gates, True
        raise ValueError(f"direction: expected 'forward' or 'backward' for a BiLSTMTrace, got {direction!r}")
    if isinstance(trace, LSTMTrace):
        own = "backward" if trace.go_backwards else "forward"
        if direction not in (None, own):
            raise ValueError(f"direction: expected None or {own!r} for this LSTMTrace, got {direction!r}")
        return trace.h, trace.c, trace.gates, trace.go_backwards
    raise TypeError(f"trace: expected an LSTMTrace or a BiLSTMTrace, got {type(trace).__name__}")


def _index(value, size: int, argument: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int | np.integer):
        raise TypeError(f"{argument}: expected an int, got {type(value).__name__} ({value!r})")
    if not 0 <= value < size:
        raise ValueError(f"{argument}: expected an int from 0 to {size - 1}, got {value}")
    return int(value)
