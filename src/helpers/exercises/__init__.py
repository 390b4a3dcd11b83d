"""Exercises with automatic checks: a checker says "correct" or gives a hint, never the answer.

Every exercise of the series has the same three cells: a Markdown cell that starts
``**NN.K · Title.**``, an answer cell that starts ``# %load solutions/NN.K-slug.py``, and a check cell
that holds only ``check("NN.K", answer)``, so that loading a solution (which replaces the whole
answer cell) leaves the check in view. ``HOW_TO`` says so at the top of each notebook's Exercises.
Checkers for notebook NN live in ``helpers/exercises/nbNN.py`` and register themselves with
``@exercise``; solutions live in ``notebooks/solutions/NN.K-slug.py`` and define the object named by
``answer_name``.
"""

from __future__ import annotations

import importlib
import pkgutil
import traceback
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

Checker = Callable[[Any], "str | None"]

HOW_TO = (
    "Each exercise has two cells. Write your answer in the first and run it, then run the second: its\n"
    "`check(...)` says whether your answer is right, or gives a hint (never the answer). To see a\n"
    "solution, uncomment the `# %load` line at the top of the first cell and run that cell: the\n"
    "solution's code replaces yours (copy yours first if you want to keep it). Run the cell once more\n"
    "to define the solution, then run the check."
)


@dataclass(frozen=True)
class Exercise:
    """One exercise: its id (``"NN.K"``), a title, the name the answer goes by, and its checker.

    ``checker(answer)`` returns ``None`` when the answer is right, otherwise a hint.
    ``wrong_answers`` are typical mistakes; the tests make sure each one gets a hint.
    """

    exercise_id: str
    title: str
    answer_name: str
    checker: Checker
    wrong_answers: tuple[Any, ...] = field(default=())


@dataclass(frozen=True)
class Feedback:
    """What a learner sees after ``check``: whether the answer is right, and a message."""

    exercise_id: str
    correct: bool
    message: str

    def __str__(self) -> str:
        mark = "✅ Correct" if self.correct else "❌ Not yet"
        return f"{mark} ({self.exercise_id}): {self.message}"

    def _repr_markdown_(self) -> str:
        return f"**{'✅ Correct' if self.correct else '❌ Not yet'}** ({self.exercise_id}): {self.message}"


REGISTRY: dict[str, Exercise] = {}


def exercise(exercise_id: str, title: str, answer_name: str, wrong_answers: tuple = ()) -> Callable:
    """Decorator that registers ``checker`` under ``exercise_id``."""

    def register(checker: Checker) -> Checker:
        if exercise_id in REGISTRY:
            raise ValueError(f"exercise {exercise_id!r} is registered twice")
        REGISTRY[exercise_id] = Exercise(exercise_id, title, answer_name, checker, tuple(wrong_answers))
        return checker

    return register


def _load_checkers() -> None:
    for module in pkgutil.iter_modules(__path__):
        if module.name.startswith("nb"):
            importlib.import_module(f"{__name__}.{module.name}")


def check(exercise_id: str, answer: Any) -> Feedback:
    """Check a learner's answer; never raises for a wrong or broken answer.

    End the exercise cell with this call so that the Feedback is shown.
    """
    if exercise_id not in REGISTRY:
        known = ", ".join(sorted(REGISTRY)) or "none"
        raise KeyError(f"exercise_id: expected one of {known}, got {exercise_id!r}")
    if answer is None or answer is Ellipsis:
        return Feedback(exercise_id, False, "no answer yet: replace the `...` with your code.")
    try:
        hint = REGISTRY[exercise_id].checker(answer)
    except Exception as error:  # the learner's code may fail in any way
        where = traceback.extract_tb(error.__traceback__)[-1]
        hint = f"your answer raised {type(error).__name__}: {error} (line {where.lineno})."
    if hint is None:
        return Feedback(exercise_id, True, "well done.")
    return Feedback(exercise_id, False, hint)


_load_checkers()

__all__ = ["HOW_TO", "Exercise", "Feedback", "REGISTRY", "check", "exercise"]
