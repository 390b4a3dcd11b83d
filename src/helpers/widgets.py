"""Widgets that wire helpers.explorer and helpers.plots together: a pad editor and the masking explorer.

Every update recomputes with the NumPy reference, asks Keras for the same states through one traced
call (``helpers.keras_states.KerasStepProbe``: never an eager call), changes the existing figure's
artists in place and re-renders that same figure into an ``ipywidgets.Output``: the notebooks use the
standard inline backend, which shows static images. Controls carry stable CSS classes (``mtp-...``)
for browser tests.
"""

from __future__ import annotations

import html

import ipywidgets as widgets
import numpy as np
import traitlets
from IPython.display import Image, display

from helpers.explorer import (
    MERGE_MODES,
    ExplorerResult,
    KerasAgreement,
    explore,
    junk_values,
    keras_agreement,
)
from helpers.keras_states import KerasStepProbe
from helpers.padding import PRESETS, preset_mask
from helpers.plots import ExplorerFigure
from helpers.predict import MOVED_CHOICES, Prediction, Score, random_layout, score, truth
from helpers.rendering import figure_png
from helpers.trace import bilstm_weights

PRESET_LABELS = {"none": "no padding", "pre": "pre", "post": "post", "middle": "middle", "random": "random"}
PAD_VALUES = (("0", 0.0), ("−1", -1.0), ("random junk", "junk"))
REAL_STYLE, PAD_STYLE = "info", ""  # toggle colours: blue for a real step (as in the picture), grey for a pad


class PadEditor(widgets.VBox):
    """Choose which timesteps are padding: one toggle per step, presets and a "number of pads" slider.

    ``value`` is the (time_steps,) bool mask, True = real step (a pressed, blue toggle). Clicking a
    toggle changes it; choosing a preset or moving the slider sets every toggle. From code, use
    ``set_preset``, ``set_mask`` and ``observe(handler, names="value")``; each change notifies once.
    The slider re-applies the last preset (from "no padding" it switches to "post").
    """

    value = traitlets.Any(read_only=True)

    def __init__(self, time_steps: int, preset: str = "none", n_pads: int = 0, seed: int = 0) -> None:
        if isinstance(time_steps, bool) or not isinstance(time_steps, int | np.integer) or time_steps < 1:
            raise ValueError(f"time_steps: expected an int >= 1, got {time_steps!r}")
        self.seed = seed
        self.toggles = [_step_toggle(t) for t in range(time_steps)]
        self.preset = widgets.ToggleButtons(
            options=[(PRESET_LABELS[name], name) for name in PRESETS], value=None, description="padding",
            style={"button_width": "auto"},
        ).add_class("mtp-preset")
        self.n_pads = widgets.IntSlider(value=0, min=0, max=time_steps, description="pads",
                                        continuous_update=False).add_class("mtp-n-pads")
        self._last_preset = "post"
        self._syncing = False
        super().__init__([widgets.HBox(self.toggles, layout={"flex_flow": "row wrap"}),
                          widgets.HBox([self.preset, self.n_pads], layout={"flex_flow": "row wrap"})])
        self.add_class("mtp-pad-editor")
        self.set_preset(preset, n_pads)
        for toggle in self.toggles:
            toggle.observe(self._on_toggle, names="value")
        self.preset.observe(self._on_preset, names="value")
        self.n_pads.observe(self._on_slider, names="value")

    def set_preset(self, preset: str, n_pads: int | None = None) -> None:
        """Pad ``n_pads`` steps (default: the slider's value) as ``preset`` places them (see preset_mask)."""
        n_pads = self.n_pads.value if n_pads is None else n_pads
        mask = preset_mask(len(self.toggles), 0 if preset == "none" else n_pads, preset, seed=self.seed)
        if preset != "none":
            self._last_preset = preset
        self._show(mask, preset)

    def set_mask(self, mask) -> None:
        """Set every toggle from a (time_steps,) bool or 0/1 mask, True = real step."""
        m = np.asarray(mask)
        if m.shape != (len(self.toggles),) or not (m.dtype == bool or np.isin(m, (0, 1)).all()):
            raise ValueError(f"mask: expected a (time_steps,) = ({len(self.toggles)},) bool or 0/1 mask, "
                             f"got shape {m.shape} dtype {m.dtype}")
        self._show(m.astype(bool), None)

    def _show(self, mask: np.ndarray, preset: str | None) -> None:
        """Set toggles, preset and slider to ``mask`` without them triggering each other; notify once."""
        self._syncing = True
        try:
            for toggle, real in zip(self.toggles, mask, strict=True):
                toggle.value = bool(real)
                _style_toggle(toggle)
            self.preset.value = preset
            self.n_pads.value = int((~mask).sum())
        finally:
            self._syncing = False
        self.set_trait("value", mask.copy())

    def _on_toggle(self, change) -> None:
        if not self._syncing:
            self._show(np.array([toggle.value for toggle in self.toggles]), None)

    def _on_preset(self, change) -> None:
        if not self._syncing and change["new"] is not None:
            self.set_preset(change["new"])

    def _on_slider(self, change) -> None:
        if self._syncing:
            return
        preset = self.preset.value or self._last_preset
        self.set_preset("post" if preset == "none" and change["new"] else preset, change["new"])


class MaskingExplorer(widgets.VBox):
    """Pad a sequence, switch the mask on and off, and watch both directions of a Bidirectional LSTM.

    layer: a built ``Bidirectional(LSTM(...))``; its weights are read once, here. Every update runs
    the NumPy reference, then asks Keras for the same states through one traced call (a
    ``KerasStepProbe`` built here) and says whether they agree at every step.
    sequence: (time, features), the real data; with k real slots in the mask, its first k rows fill
    them in order and padded slots get the pad value.
    tokens: None or ``time`` labels, one per row of ``sequence``. seed: the random preset and junk.
    preset, n_pads: the padding shown first. dpi: resolution of the live picture.
    predict: predict-then-reveal mode: the picture and the explanation stay hidden until the learner
    has answered the ``quiz`` (which final outputs move, from which step each final state comes) and
    pressed "reveal"; "new layout" draws a fresh question (``helpers.predict``).
    ``result`` holds the current ExplorerResult, ``agreement`` its KerasAgreement, ``figure`` the one
    Figure that every update redraws.
    """

    def __init__(self, layer, sequence, tokens=None, seed: int = 0, preset: str = "post",
                 n_pads: int | None = None, dpi: int = 72, predict: bool = False) -> None:
        self.weights = bilstm_weights(layer)
        self.sequence = np.asarray(sequence)
        if self.sequence.ndim != 2 or len(self.sequence) < 1:
            raise ValueError(f"sequence: expected shape (time, features) with time >= 1, "
                             f"got shape {self.sequence.shape}")
        time, features = self.sequence.shape
        self.tokens = tokens
        self.junk = junk_values(time, features, seed)
        self.editor = PadEditor(time, preset, time // 4 if n_pads is None else n_pads, seed)
        self.use_mask = widgets.Checkbox(value=True, description="use the mask",
                                         indent=False).add_class("mtp-use-mask")
        self.pad_value = widgets.ToggleButtons(options=PAD_VALUES, value=0.0, description="pad value",
                                               style={"button_width": "auto"}).add_class("mtp-pad-value")
        merge_mode = layer.merge_mode if layer.merge_mode in MERGE_MODES else "concat"
        self.merge_mode = widgets.ToggleButtons(options=MERGE_MODES, value=merge_mode, description="merge",
                                                style={"button_width": "auto"}).add_class("mtp-merge-mode")
        self.explanation = widgets.HTML().add_class("mtp-explanation")
        self.keras_check = widgets.HTML().add_class("mtp-keras-agreement")
        self.output = widgets.Output().add_class("mtp-heatmap")
        self.result = self.compute()  # validates sequence and tokens
        self.keras = KerasStepProbe(layer, time)
        self.agreement = self.ask_keras()
        self.view = ExplorerFigure(self.result, dpi=dpi)
        self.figure = self.view.figure
        controls = widgets.HBox([self.use_mask, self.pad_value, self.merge_mode],
                                layout={"flex_flow": "row wrap", "align_items": "center"})
        self.quiz = PredictionQuiz(time, seed) if predict else None
        shown = [self.explanation, self.keras_check, self.output]
        super().__init__([self.editor, controls, *([self.quiz] if predict else []), *shown])
        self.add_class("mtp-explorer")
        self._explain()
        if predict:
            self.quiz.reveal.on_click(lambda _: self.reveal())
            self.quiz.new_layout.on_click(lambda _: self.new_question())
            self._hide(shown)
        else:
            self.render()
        for control in (self.editor, self.use_mask, self.pad_value, self.merge_mode):
            control.observe(self.update, names="value")

    def compute(self) -> ExplorerResult:
        """Recompute everything for the current controls with the NumPy reference (no drawing)."""
        pad = self.junk if self.pad_value.value == "junk" else self.pad_value.value
        return explore(self.weights, self.sequence, self.editor.value, use_mask=self.use_mask.value,
                       pad_value=pad, merge_mode=self.merge_mode.value, tokens=self.tokens)

    def ask_keras(self) -> KerasAgreement:
        """Keras's states for the current inputs (one traced call) compared with ``result``'s."""
        return keras_agreement(self.result, self.keras(self.result.inputs, self.result.layer_mask))

    def update(self, change=None) -> None:
        """Recompute, ask Keras, update the figure's artists in place, and re-render (the callback)."""
        self.result = self.compute()
        self.agreement = self.ask_keras()
        self.view.update(self.result)
        self._explain()
        if not self.hidden:
            self.render()

    @property
    def hidden(self) -> bool:
        """Whether the picture is hidden (predict mode, before "reveal")."""
        return self.output.layout.display == "none"

    def reveal(self) -> Score | None:
        """Score the quiz's answers against the current layout's truth and show the picture.

        Returns the Score, or None (and reveals nothing) while an answer is missing.
        """
        prediction = self.quiz.prediction()
        if prediction is None:
            self.quiz.say("Answer all three questions first, then reveal.")
            return None
        result = score(prediction, truth(self.result))
        self.quiz.say(result.message, right=result.points == result.out_of)
        for part in (self.explanation, self.keras_check, self.output):
            part.layout.display = None
        self.render()
        return result

    def new_question(self) -> None:
        """A fresh random layout and mask setting, the picture hidden again and the answers cleared."""
        mask, use_mask = random_layout(len(self.editor.toggles), self.quiz.rng)
        self._hide([self.explanation, self.keras_check, self.output])
        self.quiz.clear()
        self.editor.set_mask(mask)
        self.use_mask.value = use_mask

    def _hide(self, parts) -> None:
        for part in parts:
            part.layout.display = "none"

    def render(self) -> None:
        """Show the current figure in the output again (no recomputation).

        The figure is drawn uncropped: it is laid out by hand to fill its canvas, so the inline
        backend's "tight" crop would cut nothing and only add a measuring pass to every click.
        """
        with self.output:
            self.output.clear_output(wait=True)
            display(Image(data=figure_png(self.figure, crop=False), format="png"))

    def _explain(self) -> None:
        self.explanation.value = f"<p style='font-size:1.15em'>{html.escape(self.result.message)}</p>"
        colour = "#1a7f37" if self.agreement.agrees else "#cf222e"
        weight = "normal" if self.agreement.agrees else "bold"
        self.keras_check.value = (f"<p style='color:{colour}; font-weight:{weight}'>"
                                  f"{html.escape(self.agreement.message)}</p>")


class PredictionQuiz(widgets.VBox):
    """The predict-then-reveal questions: which final outputs move, from which step each final state comes.

    ``prediction()`` is the learner's answer (None while one is missing); ``say`` shows the score or a
    hint; ``clear`` resets the answers. ``rng`` draws the explorer's new layouts (seeded).
    """

    NO_STEP = "none"  # the dropdowns' value for "no step (all masked)"; None means "not answered yet"

    def __init__(self, time_steps: int, seed: int = 0) -> None:
        self.rng = np.random.default_rng(seed)
        steps = [("no step (all masked)", self.NO_STEP)] + [(str(t), t) for t in range(time_steps)]
        self.moved = widgets.ToggleButtons(options=MOVED_CHOICES, value=None, description="moves",
                                           style={"button_width": "auto"}).add_class("mtp-predict-moved")
        wide = {"description_width": "initial"}
        self.forward_step = widgets.Dropdown(options=steps, value=None, description="forward from step",
                                             style=wide).add_class("mtp-predict-forward")
        self.backward_step = widgets.Dropdown(options=steps, value=None, description="backward from step",
                                              style=wide).add_class("mtp-predict-backward")
        self.reveal = widgets.Button(description="reveal", button_style="primary").add_class("mtp-reveal")
        self.new_layout = widgets.Button(description="new layout").add_class("mtp-new-layout")
        self.score = widgets.HTML().add_class("mtp-score")
        question = widgets.HTML("<b>Predict, then reveal.</b> Compared with the unpadded sequence, which "
                                "final outputs move? From which input step does each direction's final "
                                "state come?")
        super().__init__([question, self.moved, widgets.HBox([self.forward_step, self.backward_step]),
                          widgets.HBox([self.reveal, self.new_layout]), self.score])
        self.add_class("mtp-predict")

    def prediction(self) -> Prediction | None:
        answers = (self.moved.value, self.forward_step.value, self.backward_step.value)
        if any(answer is None for answer in answers):
            return None
        forward, backward = (None if step == self.NO_STEP else step for step in answers[1:])
        return Prediction(answers[0], forward, backward)

    def say(self, text: str, right: bool = False) -> None:
        colour = "#1a7f37" if right else "inherit"
        self.score.value = f"<p style='font-size:1.15em; color:{colour}'>{html.escape(text)}</p>"

    def clear(self) -> None:
        for question in (self.moved, self.forward_step, self.backward_step):
            question.value = None
        self.score.value = ""


def _step_toggle(step: int) -> widgets.ToggleButton:
    toggle = widgets.ToggleButton(value=True, description=str(step), layout={"width": "3.2em"})
    return toggle.add_class("mtp-pad-toggle")


def _style_toggle(toggle: widgets.ToggleButton) -> None:
    step = toggle.description
    toggle.button_style = REAL_STYLE if toggle.value else PAD_STYLE
    toggle.tooltip = f"step {step}: real, click to pad it" if toggle.value else f"step {step}: padding"
