"""Predict, then reveal: the masking explorer's quiz logic (what the learner predicts, the truth, a score).

For one padding layout the learner predicts, before seeing the picture, (1) which final outputs move
compared with the unpadded sequence, and (2) from which input step each direction's final state
comes. ``truth`` reads both answers off an ``ExplorerResult``; ``score`` compares; ``random_layout``
draws a fresh question. Plain functions: the widget (``helpers.widgets.MaskingExplorer(predict=True)``)
only wires them up.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from helpers.explorer import ATOL, ExplorerResult
from helpers.padding import PRESETS, preset_mask

MOVED_CHOICES = ("neither", "forward only", "backward only", "both")
NO_STEP = None  # the answer "no step": every step is masked, the state stays at its initial zeros


@dataclass(frozen=True)
class Prediction:
    """An answer (the learner's, or the truth).

    moved: one of MOVED_CHOICES, which final outputs differ from the unpadded sequence's (beyond ATOL).
    forward_step, backward_step: the input step whose update produces that direction's final state,
    or None when no step does (every step masked).
    """

    moved: str
    forward_step: int | None
    backward_step: int | None

    def __post_init__(self) -> None:
        if self.moved not in MOVED_CHOICES:
            raise ValueError(f"moved: expected one of {MOVED_CHOICES}, got {self.moved!r}")
        for name in ("forward_step", "backward_step"):
            step = getattr(self, name)
            if step is not None and (isinstance(step, bool) or not isinstance(step, int | np.integer)):
                raise TypeError(f"{name}: expected an int step or None, got {step!r}")


@dataclass(frozen=True)
class Score:
    """How many of the three answers were right, and one line of feedback per answer."""

    points: int
    out_of: int
    feedback: tuple[str, ...]

    @property
    def message(self) -> str:
        return f"{self.points} of {self.out_of} right. " + " ".join(self.feedback)


def truth(result: ExplorerResult) -> Prediction:
    """The right answers for ``result``.

    The final state of a direction comes from the last step it updates at: the forward direction runs
    left to right, so the last step the layer's mask lets through (the last slot when the mask is
    off); the backward direction runs right to left, so the first such step.
    """
    final = result.final_difference
    moved = [direction for direction in ("forward", "backward") if final[direction] > ATOL]
    label = {(): "neither", ("forward",): "forward only", ("backward",): "backward only"}
    updated = np.flatnonzero(result.layer_mask)
    if updated.size == 0:
        return Prediction(label.get(tuple(moved), "both"), NO_STEP, NO_STEP)
    return Prediction(label.get(tuple(moved), "both"), int(updated[-1]), int(updated[0]))


def score(prediction: Prediction, right: Prediction) -> Score:
    """Compare ``prediction`` with ``right``: one point per matching answer, feedback that explains."""
    feedback = []
    points = 0
    if prediction.moved == right.moved:
        points += 1
        feedback.append(f"Moved: right, {right.moved}.")
    else:
        feedback.append(f"Moved: {right.moved}, not {prediction.moved}.")
    for direction, guess, answer in (("forward", prediction.forward_step, right.forward_step),
                                     ("backward", prediction.backward_step, right.backward_step)):
        where = "no step (all masked)" if answer is None else f"step {answer}"
        if guess == answer:
            points += 1
            feedback.append(f"{direction.capitalize()} final state: right, {where}.")
        else:
            feedback.append(f"{direction.capitalize()} final state: {where}, not "
                            f"{'no step' if guess is None else f'step {guess}'}.")
    return Score(points, 3, tuple(feedback))


def random_layout(time_steps: int, rng: np.random.Generator) -> tuple[np.ndarray, bool]:
    """A fresh question: a (time,) bool mask with at least one real step, and whether the mask is on.

    Pads are placed by a random preset (pre, post, middle or random), 1 to time - 1 of them (none when
    time is 1); the mask is on or off with equal chance.
    """
    if isinstance(time_steps, bool) or not isinstance(time_steps, int | np.integer) or time_steps < 1:
        raise ValueError(f"time_steps: expected an int >= 1, got {time_steps!r}")
    preset = str(rng.choice([p for p in PRESETS if p != "none"]))
    n_pads = int(rng.integers(1, time_steps)) if time_steps > 1 else 0
    mask = preset_mask(int(time_steps), n_pads, preset, seed=int(rng.integers(2**31)))
    return mask, bool(rng.integers(2))
