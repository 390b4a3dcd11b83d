"""Every exercise: its solution passes its checker, its typical wrong answers get a hint."""

import json
import re
import runpy
from pathlib import Path

import pytest

from helpers.exercises import HOW_TO, REGISTRY, Feedback, check, exercise

ROOT = Path(__file__).resolve().parents[1]
SOLUTIONS = ROOT / "notebooks" / "solutions"
SOLUTION_NAME = re.compile(r"^(\d\d\.\d+)-[a-z0-9-]+\.py$")


def solution_files() -> dict[str, Path]:
    return {SOLUTION_NAME.match(p.name).group(1): p for p in sorted(SOLUTIONS.glob("*.py"))
            if SOLUTION_NAME.match(p.name)}


def test_every_solution_file_is_named_for_an_exercise():
    strays = [p.name for p in SOLUTIONS.glob("*.py") if not SOLUTION_NAME.match(p.name)]
    assert not strays, f"expected names like 02.1-short-slug.py, got {strays}"
    assert set(solution_files()) <= set(REGISTRY), "solution files without a registered exercise"


@pytest.mark.parametrize("exercise_id", sorted(REGISTRY))
def test_exercise_has_a_solution_that_passes(exercise_id):
    path = solution_files().get(exercise_id)
    assert path is not None, f"no notebooks/solutions/{exercise_id}-*.py"
    namespace = runpy.run_path(str(path))
    answer_name = REGISTRY[exercise_id].answer_name
    assert answer_name in namespace, f"{path.name} must define {answer_name!r}"
    feedback = check(exercise_id, namespace[answer_name])
    assert feedback.correct, feedback.message


@pytest.mark.parametrize("exercise_id", sorted(REGISTRY))
def test_typical_wrong_answers_get_a_hint(exercise_id):
    wrong_answers = REGISTRY[exercise_id].wrong_answers
    assert wrong_answers, f"exercise {exercise_id} declares no typical wrong answer"
    for wrong in wrong_answers:
        feedback = check(exercise_id, wrong)
        assert not feedback.correct
        assert feedback.message


@pytest.mark.parametrize("exercise_id", sorted(REGISTRY))
def test_unanswered_exercise_says_so(exercise_id):
    assert check(exercise_id, ...).message.startswith("no answer yet")


def notebook_exercise_ids(path: Path) -> set[str]:
    cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
    code = "\n".join("".join(c["source"]) for c in cells if c["cell_type"] == "code")
    return set(re.findall(r"""check\(\s*["'](\d\d\.\d+)["']""", code))


@pytest.mark.parametrize(
    "path", sorted((ROOT / "notebooks").glob("[0-9][0-9]-*.ipynb"))[1:], ids=lambda p: p.name
)
def test_notebook_has_two_checked_exercises_that_exist(path):
    ids = notebook_exercise_ids(path)
    assert len(ids) >= 2, f"{path.name}: expected at least two check('NN.K', ...) calls, found {ids}"
    assert ids <= set(REGISTRY), f"{path.name}: unknown exercises {ids - set(REGISTRY)}"
    assert all(i.startswith(path.name[:2]) for i in ids)


def exercise_cells(path: Path) -> list[tuple[str, str, str, str]]:
    """(id, heading cell, answer cell, check cell) for every ``check("NN.K", ...)`` cell of the notebook."""
    cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
    found = []
    for index, cell in enumerate(cells):
        source = "".join(cell["source"])
        match = re.search(r"""check\(\s*["'](\d\d\.\d+)["']""", source)
        if cell["cell_type"] == "code" and match:
            heading = next("".join(c["source"]) for c in reversed(cells[:index])
                           if c["cell_type"] == "markdown")
            found.append((match.group(1), heading, "".join(cells[index - 1]["source"]), source))
    return found


@pytest.mark.parametrize(
    "path", sorted((ROOT / "notebooks").glob("[0-9][0-9]-*.ipynb"))[1:], ids=lambda p: p.name
)
def test_every_exercise_follows_the_one_pattern(path):
    """Heading ``**NN.K · ...**``, an answer cell that loads the solution, a check cell of its own."""
    cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
    exercises_section = [c for c in cells if "".join(c["source"]).startswith("## Exercises")]
    assert len(exercises_section) == 1 and HOW_TO in "".join(exercises_section[0]["source"]), \
        f"{path.name}: the Exercises section must start with helpers.exercises.HOW_TO, word for word"
    for exercise_id, heading, answer, check_cell in exercise_cells(path):
        where = f"{path.name} {exercise_id}"
        assert re.fullmatch(rf"""check\("{re.escape(exercise_id)}", \w+\)""", check_cell.strip()), \
            f"{where}: the check cell must hold only the check(...) call, got {check_cell!r}"
        solution = solution_files().get(exercise_id)
        assert solution is not None and answer.startswith(f"# %load solutions/{solution.name}\n"), \
            f"{where}: the answer cell must start with '# %load solutions/{exercise_id}-...py'"
        assert f"**{exercise_id} · " in heading, f"{where}: heading '**{exercise_id} · Title.**'"
        answer_name = REGISTRY[exercise_id].answer_name
        assert re.search(rf"\b{answer_name}\b", answer), f"{where}: no {answer_name} to fill in"


def test_loading_a_solution_keeps_the_check_in_view(monkeypatch):
    """What %load does to the answer cell (IPython's own code): the check cell is not touched."""
    from IPython.core.interactiveshell import InteractiveShell
    from IPython.core.magics.code import CodeMagics

    shell = InteractiveShell.instance()  # the one other tests may have made already, else a new one
    contents = []
    monkeypatch.setattr(shell, "set_next_input", lambda text, replace=False: contents.append((text, replace)))
    path = solution_files()["01.1"]
    CodeMagics(shell).load(str(path))
    (text, replace), = contents
    assert replace and text.startswith("# %load") and path.read_text(encoding="utf-8").strip() in text
    assert "check(" not in text


def test_a_broken_answer_gets_feedback_not_an_exception():
    @exercise("99.1", "test only", "answer", wrong_answers=(0,))
    def needs_positive(answer):
        return None if 1 / answer > 0 else "make it positive"

    try:
        feedback = check("99.1", 0)
        assert isinstance(feedback, Feedback) and not feedback.correct
        assert "ZeroDivisionError" in feedback.message
        assert check("99.1", 2).correct
    finally:
        del REGISTRY["99.1"]


def test_unknown_exercise_id_names_the_known_ones():
    with pytest.raises(KeyError, match="exercise_id: expected one of"):
        check("00.0", 1)
