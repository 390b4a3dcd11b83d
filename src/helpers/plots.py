"""Pictures of padding and masking: hidden-state heat maps, mask strips and differences between traces.

``draw_*`` functions draw onto given Axes and return their artists, whose ``update`` changes the
picture in place (the masking explorer relies on it); ``plot_*`` functions make and return a Figure.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.colors import ListedColormap, Normalize
from matplotlib.container import BarContainer
from matplotlib.figure import Figure
from matplotlib.image import AxesImage
from matplotlib.lines import Line2D
from matplotlib.patches import Patch, Rectangle
from matplotlib.text import Text
from matplotlib.ticker import MaxNLocator

from helpers.environment import OKABE_ITO
from helpers.explorer import ATOL, ExplorerResult
from helpers.trace import BiLSTMTrace

STATE_CMAP = "RdBu_r"  # diverging and colour-blind safe; states lie in (-1, 1)
DIFFERENCE_CMAP = "PuOr_r"  # a different diverging map, so a difference never passes for a state
MASK_CMAP = ListedColormap(["#D9D9D9", "#56B4E9"])  # padded step (light grey), real step (sky blue)
PAD_STYLE = {"facecolor": (0.5, 0.5, 0.5, 0.3), "hatch": "//", "hatchcolor": "0.2", "linewidth": 0}
FINAL_STYLE = {"fill": False, "edgecolor": "black", "linewidth": 3.5, "clip_on": False}
FORWARD_COLOR, BACKWARD_COLOR, MERGED_COLOR = OKABE_ITO[0], OKABE_ITO[1], OKABE_ITO[3]
DIFFERENCE_FLOOR = 0.05  # the smallest half-range of a difference scale, so rounding noise stays white
MAX_LABELLED_STEPS = 40  # label every step up to this many


@dataclass
class StateArtists:
    """A heat map drawn by ``draw_states``: the image, one pad overlay per step, the final-step outline."""

    image: AxesImage
    pads: list[Rectangle]
    final: Rectangle
    title: Text

    def update(self, states: np.ndarray, mask: np.ndarray, final_step: int | None,
               title: str | None = None) -> None:
        """Show new data in place. states: (time, units); mask: (time,) bool, True = real step."""
        self.image.set_data(states.T)
        for pad, real in zip(self.pads, mask, strict=True):
            pad.set_visible(not real)
        self.final.set_visible(final_step is not None)
        if final_step is not None:
            self.final.set_x(final_step - 0.5)
        if title is not None:
            self.title.set_text(title)


@dataclass
class MaskArtists:
    """A mask strip drawn by ``draw_mask``: the image, one pad overlay and one label per cell (row-major)."""

    image: AxesImage
    pads: list[Rectangle]
    labels: list[Text]
    title: Text

    def update(self, mask: np.ndarray, tokens=None, title: str | None = None) -> None:
        """Show a new mask in place. mask: (rows, time) bool; tokens: None or (rows, time) labels."""
        self.image.set_data(mask.astype(float))
        for pad, real in zip(self.pads, mask.ravel(), strict=True):
            pad.set_visible(not real)
        texts = _cell_texts(mask, tokens)
        for label, text in zip(self.labels, texts.ravel(), strict=True):
            label.set_text(text)
        if title is not None:
            self.title.set_text(title)


@dataclass
class OutputArtists:
    """A final output drawn by ``draw_output``: one bar per value, the reference as black dashes."""

    bars: BarContainer
    reference: Line2D
    title: Text

    def update(self, values: np.ndarray, reference: np.ndarray, colors=None, title: str | None = None,
               limit: float | None = None) -> None:
        """Show new values in place. values, reference: (n,) with n up to the number of bars drawn."""
        n = len(values)
        for i, bar in enumerate(self.bars):
            bar.set_visible(i < n)
            bar.set_height(values[i] if i < n else 0.0)
            if colors is not None and i < n:
                bar.set_facecolor(colors[i])
        self.reference.set_data(np.arange(n), reference)
        ax = self.reference.axes
        ax.set_xlim(-0.6, n - 0.4)
        if limit is not None:
            ax.set_ylim(-limit, limit)
            ax.set_yticks([-int(limit), 0, int(limit)])
        if title is not None:
            self.title.set_text(title)


def draw_states(
    ax: Axes, states, mask, final_step: int | None = None, *, title: str = "", cmap: str = STATE_CMAP,
    norm: Normalize | None = None, tokens=None,
) -> StateArtists:
    """Heat map of one direction's states: units down, time across, one column per step.

    states: (time, units); mask: (time,) bool, True = real step (padded steps are greyed and hatched);
    final_step: the step whose column is outlined in black (None: no outline);
    norm: the colour scale (default symmetric from -1 to 1); tokens: None or (time,) labels for the
    time axis (default: step numbers). Returns the artists, for ``StateArtists.update``.
    """
    values = _as_array(states, "states", ndim=2, form="(time, units)")
    time, units = values.shape
    real = _as_mask(mask, "mask", time)
    _check_step(final_step, time, "final_step")
    ticks = _tick_labels(tokens, time)
    image = ax.imshow(values.T, cmap=cmap, norm=norm or Normalize(-1.0, 1.0), aspect="auto",
                      interpolation="nearest", extent=(-0.5, time - 0.5, units - 0.5, -0.5))
    pads = [ax.add_patch(Rectangle((t - 0.5, -0.5), 1, units, gid="pad", visible=not real[t], **PAD_STYLE))
            for t in range(time)]
    final = ax.add_patch(Rectangle((-0.5, -0.5), 1, units, gid="final", zorder=4, **FINAL_STYLE))
    artists = StateArtists(image=image, pads=pads, final=final, title=_title(ax, title))
    artists.update(values, real, final_step)
    _step_axis(ax, time, ticks)
    ax.set_ylabel("unit")
    ax.yaxis.set_major_locator(MaxNLocator(nbins=4, integer=True))
    return artists


def draw_mask(ax: Axes, mask, tokens=None, *, title: str = "") -> MaskArtists:
    """The mask as a strip of cells, one row per sequence: real steps blue, padded steps grey and hatched.

    mask: (time,) or (rows, time), bool or 0/1, True = real step. tokens: None (write 1 or 0 in each
    cell) or labels of the same shape as mask (token ids or words), written in the cells.
    Returns the artists, for ``MaskArtists.update``.
    """
    real = _as_mask(mask, "mask")
    if tokens is not None and np.shape(tokens) != real.shape:
        raise ValueError(f"tokens: expected shape {real.shape} like the mask, got {np.shape(tokens)}")
    real = real[None] if real.ndim == 1 else real
    rows, time = real.shape
    texts = _cell_texts(real, tokens)
    image = ax.imshow(real.astype(float), cmap=MASK_CMAP, vmin=0, vmax=1, aspect="auto",
                      interpolation="nearest", extent=(-0.5, time - 0.5, rows - 0.5, -0.5))
    pads, cells = [], []
    for (row, t), text in np.ndenumerate(texts):
        pads.append(ax.add_patch(Rectangle((t - 0.5, row - 0.5), 1, 1, gid="pad", visible=not real[row, t],
                                           **PAD_STYLE)))
        cells.append(ax.text(t, row, text, ha="center", va="center", fontsize=12, zorder=5,
                             bbox={"boxstyle": "round,pad=0.15", "facecolor": "white", "alpha": 0.8,
                                   "linewidth": 0}))
    _step_axis(ax, time, None)
    ax.set_yticks(range(rows), [f"seq {row}" for row in range(rows)] if rows > 1 else [""])
    ax.tick_params(axis="y", length=0)
    return MaskArtists(image=image, pads=pads, labels=cells, title=_title(ax, title))


def draw_output(ax: Axes, values, reference, *, capacity: int | None = None, colors=None,
                title: str = "", limit: float = 1.05) -> OutputArtists:
    """One final output as bars (one per unit) with a reference, e.g. the unpadded run's, as black dashes.

    values, reference: (n,); capacity: how many bars to make (>= n; more let ``update`` show longer
    outputs later); colors: None or n colours; limit: the y axis runs from -limit to limit.
    Returns the artists, for ``OutputArtists.update``.
    """
    values = _as_array(values, "values", ndim=1, form="(n,)")
    reference = _as_array(reference, "reference", ndim=1, form=f"({len(values)},) like values")
    if reference.shape != values.shape:
        raise ValueError(f"reference: expected shape {values.shape} like values, got {reference.shape}")
    capacity = len(values) if capacity is None else capacity
    if capacity < len(values):
        raise ValueError(f"capacity: expected at least {len(values)} (the number of values), got {capacity}")
    bars = ax.bar(np.arange(capacity), np.zeros(capacity), width=0.8, color=MERGED_COLOR, label="this run")
    (line,) = ax.plot([], [], linestyle="none", marker="_", markersize=14, markeredgewidth=3,
                      color="black", label="unpadded")
    ax.axhline(0.0, color="0.3", linewidth=0.8)
    ax.set_xlabel("unit")
    ax.xaxis.set_major_locator(MaxNLocator(nbins=6, integer=True))
    artists = OutputArtists(bars=bars, reference=line, title=_title(ax, title))
    artists.update(values, reference, colors=colors, limit=limit)
    return artists


def plot_states(
    trace: BiLSTMTrace, index: int = 0, tokens=None, mask=None, vmax: float | None = None
) -> Figure:
    """Hidden states of both directions as heat maps (units x time): forward above, backward below.

    trace: from ``helpers.trace.trace_bilstm``; index: which sequence of the batch.
    tokens: None or (time,) labels for the time axis. mask: which steps to mark as padding,
    (time,) or (batch, time), True = real step; default the trace's own mask (pass it to mark the
    padding of a run made without a mask). The step that produced each final state is outlined.
    vmax: the colour scale runs from -vmax to vmax (default 1, the range of a hidden state);
    pass a smaller value to see small states, the same for pictures you want to compare.
    """
    import matplotlib.pyplot as plt

    _check_trace(trace, "trace")
    if vmax is not None and not (isinstance(vmax, int | float) and vmax > 0):
        raise ValueError(f"vmax: expected a positive number or None, got {vmax!r}")
    norm = Normalize(-vmax, vmax) if vmax is not None else None
    row = _check_index(index, trace.mask.shape[0])
    real = _row_mask(mask, trace, row)
    time, units = trace.forward_h.shape[1:]
    fig, axes = plt.subplots(2, 1, sharex=True, figsize=(10, 1.6 + 0.7 * _panel_height(units)),
                             layout="constrained")
    forward_step, backward_step = trace.forward_final_step[row], trace.backward_final_step[row]
    image = draw_states(axes[0], trace.forward_h[row], real, forward_step, tokens=tokens, norm=norm,
                        title=state_title("forward", forward_step)).image
    draw_states(axes[1], trace.backward_h[row], real, backward_step, tokens=tokens, norm=norm,
                title=state_title("backward", backward_step))
    axes[0].set_xlabel("")
    fig.colorbar(image, ax=axes, label="state value", fraction=0.04, pad=0.02)
    return fig


def plot_mask(mask, tokens=None, title: str = "mask: blue = real step, grey hatched = padding") -> Figure:
    """The mask as a strip of cells under the token ids, one row per sequence.

    mask: (time,) or (batch, time), bool or 0/1, True = real step; tokens: None (write 1/0) or token
    ids / words of the same shape, written in the cells.
    """
    import matplotlib.pyplot as plt

    real = _as_mask(mask, "mask")
    rows = 1 if real.ndim == 1 else real.shape[0]
    fig, ax = plt.subplots(figsize=(10, 0.9 + 0.55 * rows), layout="constrained")
    draw_mask(ax, real, tokens, title=title)
    return fig


def plot_difference(first: BiLSTMTrace, second: BiLSTMTrace, index: int = 0, tokens=None,
                    names: tuple[str, str] = ("first", "second"), vmax: float | None = None) -> Figure:
    """``first`` minus ``second``, both directions, on one shared symmetric colour scale with a colour bar.

    first, second: BiLSTMTraces of the same shape (lay an unpadded trace onto the padded grid first with
    ``helpers.explorer.lay_onto_mask``). Steps padded in either trace are marked.
    names: what to call the two traces in the titles, e.g. ("unmasked", "masked").
    vmax: half-range of the colour scale (default: the largest absolute difference, at least 0.05).
    """
    import matplotlib.pyplot as plt

    _check_trace(first, "first")
    _check_trace(second, "second")
    if second.forward_h.shape != first.forward_h.shape:
        raise ValueError(
            f"second: expected states of shape (batch, time, units) = {first.forward_h.shape} like first, "
            f"got {second.forward_h.shape}; lay an unpadded trace onto the padded grid with "
            "helpers.explorer.lay_onto_mask first"
        )
    row = _check_index(index, first.mask.shape[0])
    forward = first.forward_h[row] - second.forward_h[row]
    backward = first.backward_h[row] - second.backward_h[row]
    limit = symmetric_limit(forward, backward, vmax=vmax)
    norm = Normalize(-limit, limit)  # one scale shared by both panels and the colour bar
    real = first.mask[row] & second.mask[row]
    units = forward.shape[1]
    fig, axes = plt.subplots(2, 1, sharex=True, figsize=(10, 1.6 + 0.7 * _panel_height(units)),
                             layout="constrained")
    a, b = names
    image = draw_states(axes[0], forward, real, cmap=DIFFERENCE_CMAP, norm=norm, tokens=tokens,
                        title=f"forward (reads →): {a} − {b}").image
    draw_states(axes[1], backward, real, cmap=DIFFERENCE_CMAP, norm=norm, tokens=tokens,
                title=f"backward (← reads): {a} − {b}")
    axes[0].set_xlabel("")
    fig.colorbar(image, ax=axes, label=f"{a} − {b}", fraction=0.04, pad=0.02)
    return fig


def symmetric_limit(*arrays, vmax: float | None = None) -> float:
    """Half-range v of a symmetric colour scale -v..v: ``vmax``, or the largest absolute value in ``arrays``.

    The automatic v is at least 0.05, so that rounding noise (1e-7) stays white instead of filling the scale.
    """
    if vmax is None:
        return max(DIFFERENCE_FLOOR, *(float(np.abs(a).max(initial=0.0)) for a in arrays))
    if isinstance(vmax, bool) or not isinstance(vmax, int | float | np.floating) or not vmax > 0:
        raise ValueError(f"vmax: expected a number > 0 or None, got {vmax!r}")
    return float(vmax)


def state_title(direction: str, final_step: int | None) -> str:
    """A heat map's title: the direction, which way it reads, and the step its final state comes from."""
    arrow = "forward (reads →)" if direction == "forward" else "backward (← reads)"
    where = "no real step: the state stays 0" if final_step is None else f"final state from step {final_step}"
    return f"{arrow} · {where}"


def output_legend(ax: Axes) -> None:
    """A legend for ``draw_output`` panels: forward and backward bars, the unpadded reference."""
    handles = [Patch(color=FORWARD_COLOR, label="forward"), Patch(color=BACKWARD_COLOR, label="backward"),
               Patch(color=MERGED_COLOR, label="merged"),
               Line2D([], [], linestyle="none", marker="_", markersize=14, markeredgewidth=3, color="black",
                      label="unpadded")]
    ax.legend(handles=handles, loc="center", ncol=2, frameon=False, fontsize=12)
    ax.set_axis_off()


class ExplorerFigure:
    """The masking explorer's picture, drawn once and then updated in place from each ExplorerResult.

    Left, on one time axis: the padding pattern with its tokens, both directions' states, and their
    differences from the unpadded run (one shared symmetric scale). Right: each final output as bars
    against the unpadded run's. The Figure is closed in pyplot: it appears only where it is displayed.
    """

    def __init__(self, result: ExplorerResult, dpi: int = 72) -> None:
        time, units = result.forward_difference.shape
        import matplotlib.pyplot as plt

        # made through pyplot, so that the notebook's inline backend is set up and renders it as PNG,
        # then closed at once, so that pyplot never shows it a second time at the end of the cell;
        # closing detaches the canvas, and an own Agg canvas keeps its renderer and text cache
        self.figure = plt.figure(figsize=(13, 9.5), dpi=dpi)
        plt.close(self.figure)
        FigureCanvasAgg(self.figure)
        grid = self.figure.add_gridspec(
            5, 4, width_ratios=[1, 0.018, 0.12, 0.36], height_ratios=[0.45, 1, 1, 1, 1],
            left=0.055, right=0.985, top=0.95, bottom=0.06, hspace=0.62, wspace=0.04,
        )
        strip = self.figure.add_subplot(grid[0, 0])
        panels = [self.figure.add_subplot(grid[row, 0]) for row in range(1, 5)]  # not shared: faster draws
        self.mask = draw_mask(strip, result.mask, np.asarray(result.labels, dtype=object))
        strip.set_xlabel("")
        self.forward = draw_states(panels[0], result.trace.forward_h[0], result.mask)
        self.backward = draw_states(panels[1], result.trace.backward_h[0], result.mask)
        norm = Normalize(-DIFFERENCE_FLOOR, DIFFERENCE_FLOOR)
        self.forward_difference = draw_states(panels[2], result.forward_difference, result.mask,
                                              cmap=DIFFERENCE_CMAP, norm=norm)
        self.backward_difference = draw_states(panels[3], result.backward_difference, result.mask,
                                               cmap=DIFFERENCE_CMAP, norm=norm)
        for ax in panels:  # every text costs drawing time: no unit numbers, step numbers only at the bottom
            ax.set_yticks([])
            ax.set_ylabel("units")
        for ax in panels[:-1]:
            ax.tick_params(labelbottom=False)
            ax.set_xlabel("")
        self.figure.colorbar(self.forward.image, cax=self.figure.add_subplot(grid[1:3, 1]), label="state",
                             ticks=[-1, -0.5, 0, 0.5, 1])
        self.figure.colorbar(self.forward_difference.image, cax=self.figure.add_subplot(grid[3:5, 1]),
                             label="difference", ticks=MaxNLocator(nbins=2, symmetric=True))
        right = grid[:, 3].subgridspec(4, 1, height_ratios=[0.6, 1, 1, 1], hspace=1.0)
        output_legend(self.figure.add_subplot(right[0]))
        zeros = np.zeros(units)
        self.outputs = {
            name: draw_output(self.figure.add_subplot(right[row]), zeros, zeros, capacity=2 * units)
            for row, name in enumerate(("forward", "backward", "merged"), start=1)
        }
        for artists in self.outputs.values():
            ax = artists.reference.axes
            ax.set_xticks([])
            ax.set_xlabel("units")
        self.update(result)

    def update(self, result: ExplorerResult) -> None:
        """Show ``result`` by changing the existing artists' data (no new figure, no new artists)."""
        trace, mask = result.trace, result.mask
        forward_step, backward_step = trace.forward_final_step[0], trace.backward_final_step[0]
        self.mask.update(mask[None], np.asarray(result.labels, dtype=object)[None], title=mask_title(result))
        self.forward.update(trace.forward_h[0], mask, forward_step, state_title("forward", forward_step))
        self.backward.update(trace.backward_h[0], mask, backward_step, state_title("backward", backward_step))
        forward, backward = result.forward_difference, result.backward_difference
        limit = symmetric_limit(forward, backward)
        self.forward_difference.image.set_clim(-limit, limit)  # shared norm: both panels and the colour bar
        self.forward_difference.update(forward, mask, forward_step, difference_title("forward", forward))
        self.backward_difference.update(backward, mask, backward_step, difference_title("backward", backward))
        self._update_outputs(result)

    def _update_outputs(self, result: ExplorerResult) -> None:
        trace, unpadded, gaps = result.trace, result.unpadded, result.final_difference
        units = trace.forward_h.shape[-1]
        for name, values, reference, color in (
            ("forward", trace.forward_final[0], unpadded.forward_final[0], FORWARD_COLOR),
            ("backward", trace.backward_final[0], unpadded.backward_final[0], BACKWARD_COLOR),
        ):
            self.outputs[name].update(values, reference, colors=[color] * units,
                                      title=output_title(f"{name} final", gaps[name]))
        concat = result.merge_mode == "concat"
        colors = [FORWARD_COLOR] * units + [BACKWARD_COLOR] * units if concat else [MERGED_COLOR] * units
        self.outputs["merged"].update(result.output, result.unpadded_output, colors=colors,
                                      title=output_title(f"merged ({result.merge_mode})", gaps["merged"]),
                                      limit=2.1 if result.merge_mode == "sum" else 1.05)


def mask_title(result: ExplorerResult) -> str:
    """The explorer's strip title: what the colours mean and whether the layer gets the mask."""
    use = "mask on: the layer skips the pads" if result.use_mask else "mask off: the layer reads the pads"
    return f"padding (blue: real step, grey hatched: pad) · {use}"


def difference_title(direction: str, difference: np.ndarray) -> str:
    """A difference panel's title: the direction and the largest absolute difference."""
    return f"{direction}: this run − unpadded · largest |difference| {float(np.abs(difference).max()):.2g}"


def output_title(name: str, gap: float) -> str:
    """A final output's title: equal to the unpadded run's, or how far off."""
    return f"{name}\n= unpadded" if gap <= ATOL else f"{name}\n≠ unpadded (off by {gap:.2g})"


def _title(ax: Axes, title: str) -> Text:
    """A left-aligned title at a fixed height (drawing then skips the search for a free place)."""
    return ax.set_title(title, loc="left", y=1.0)


def _panel_height(units: int) -> float:
    return max(2.0, 0.3 * units + 0.8)


def _step_axis(ax: Axes, time: int, labels: list[str] | None) -> None:
    ax.set_xlim(-0.5, time - 0.5)
    if labels is not None:
        ax.set_xticks(range(time), labels)
    elif time <= MAX_LABELLED_STEPS:
        ax.set_xticks(range(time))
    else:
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.set_xlabel("step" if labels is None else "")


def _cell_texts(real: np.ndarray, labels) -> np.ndarray:
    if labels is None:
        return np.where(real, "1", "0")
    return np.asarray([str(label) for label in np.ravel(labels)], dtype=object).reshape(real.shape)


def _tick_labels(tokens, time: int) -> list[str] | None:
    if tokens is None:
        return None
    labels = [str(token) for token in np.ravel(np.asarray(tokens, dtype=object))]
    if np.ndim(tokens) != 1 or len(labels) != time:
        raise ValueError(
            f"tokens: expected {time} labels (one per timestep), got shape {np.shape(tokens)}"
        )
    return labels


def _as_array(values, argument: str, ndim: int, form: str) -> np.ndarray:
    array = np.asarray(values)
    if array.dtype == object or not (np.issubdtype(array.dtype, np.number) or array.dtype == bool):
        raise TypeError(f"{argument}: expected a numeric array, got dtype {array.dtype}")
    if array.ndim != ndim:
        raise ValueError(f"{argument}: expected shape {form}, got shape {array.shape}")
    return array.astype(float)


def _as_mask(mask, argument: str, time: int | None = None) -> np.ndarray:
    m = np.asarray(mask)
    if m.dtype != bool and not (np.issubdtype(m.dtype, np.integer) and np.isin(m, (0, 1)).all()):
        raise TypeError(f"{argument}: expected bool or 0/1 integers, got dtype {m.dtype}")
    if time is not None and m.shape != (time,):
        raise ValueError(f"{argument}: expected shape (time,) = ({time},), got {m.shape}")
    if m.ndim not in (1, 2) or m.size == 0:
        raise ValueError(f"{argument}: expected shape (time,) or (batch, time), got {m.shape}")
    return m.astype(bool)


def _check_step(step, time: int, argument: str) -> None:
    if step is None:
        return
    if isinstance(step, bool) or not isinstance(step, int | np.integer) or not 0 <= step < time:
        raise ValueError(f"{argument}: expected None or an int from 0 to {time - 1}, got {step!r}")


def _check_trace(trace, argument: str) -> None:
    if not isinstance(trace, BiLSTMTrace):
        raise TypeError(
            f"{argument}: expected a BiLSTMTrace (from helpers.trace.trace_bilstm), "
            f"got {type(trace).__name__}"
        )


def _check_index(index, batch: int) -> int:
    if isinstance(index, bool) or not isinstance(index, int | np.integer) or not 0 <= index < batch:
        raise ValueError(
            f"index: expected an int from 0 to {batch - 1} (the trace holds {batch} sequence"
            f"{'s' if batch > 1 else ''}), got {index!r}"
        )
    return int(index)


def _row_mask(mask, trace: BiLSTMTrace, row: int) -> np.ndarray:
    if mask is None:
        return trace.mask[row]
    batch, time = trace.mask.shape
    m = _as_mask(mask, "mask")
    if m.shape == (time,):
        return m
    if m.shape != (batch, time):
        raise ValueError(f"mask: expected shape (time,) = ({time},) or (batch, time) = {(batch, time)}, "
                         f"got {m.shape}")
    return m[row]
