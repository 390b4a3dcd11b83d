"""tools/renumber.py: every way the project names a notebook moves, all moves at once, floats stay."""

import importlib.util
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
_spec = importlib.util.spec_from_file_location("renumber", ROOT / "tools" / "renumber.py")
renumber = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(renumber)

MOVES = {"06": "07", "07": "08"}
SLUGS = {"06": "broken-recipes-fixed", "07": "mask-propagation"}


def test_all_moves_happen_at_once():
    text = "[06 · Broken](06-broken-recipes-fixed.ipynb), then [07 · Mask](07-mask-propagation.ipynb)"
    assert renumber.rewrite(text, MOVES, SLUGS) == (
        "[07 · Broken](07-broken-recipes-fixed.ipynb), then [08 · Mask](08-mask-propagation.ipynb)")


@pytest.mark.parametrize(("before", "after"), [
    ("as notebook 06 showed", "as notebook 07 showed"),
    ("notebooks 04, 06 and 07 each", "notebooks 04, 07 and 08 each"),
    ('check("06.1", build_model)', 'check("07.1", build_model)'),
    ("# %load solutions/07.2-which-layers-destroy.py", "# %load solutions/08.2-which-layers-destroy.py"),
    ("**06.3 · An explicit mask**", "**07.3 · An explicit mask**"),
    ("(exercise 07.2)", "(exercise 08.2)"),
    ("from helpers.exercises import nb06", "from helpers.exercises import nb07"),
    ('"""Checkers for notebook 06 · Broken recipes."""', '"""Checkers for notebook 07 · Broken recipes."""'),
    ("Notebook 07 · Mask, then notebook 06", "Notebook 08 · Mask, then notebook 07"),
])
def test_each_way_of_naming_a_notebook_moves(before, after):
    assert renumber.rewrite(before, MOVES, SLUGS) == after


@pytest.mark.parametrize("text", ["x = 06.5 + 07.25", "SCORES + 07.0", "port 07.0.0.1", '"07.00 ms"',
                                  "seeds 06 to 07", "05 · Forward", "a 06-minute read",
                                  "https://doi.org/07.1162/neco.1997.9.8.1735"])
def test_numbers_that_do_not_name_a_moved_notebook_stay(text):
    assert renumber.rewrite(text, MOVES, SLUGS) == text


@pytest.mark.parametrize(("name", "moved"), [
    ("06-broken-recipes-fixed.ipynb", "07-broken-recipes-fixed.ipynb"),
    ("06.2-shift-ids.py", "07.2-shift-ids.py"),
    ("nb07.py", "nb08.py"), ("test_exercises_nb06.py", "test_exercises_nb07.py"), ("05-forward.ipynb", None),
    ("nb05.py", None), ("conftest.py", None),
])
def test_files_named_for_a_moved_notebook_move(name, moved):
    path = Path("somewhere") / name
    assert renumber.moved_path(path, MOVES) == (path.with_name(moved) if moved else path)


@pytest.mark.parametrize(("arguments", "message"), [
    (["6:7"], "expected OLD:NEW"), ([], "at least one"), (["06:08", "07:08"], "same number"),
])
def test_bad_moves_get_a_clear_error(arguments, message):
    with pytest.raises(ValueError, match=message):
        renumber.parse_moves(arguments)
