"""Repository hygiene: notebooks are committed clean and follow the template.

The pins of the Binder and conda routes are checked in tests/test_binder.py.
"""

import json
import re
from pathlib import Path

import pytest

from helpers.toc import (
    NOTEBOOK_NAME,
    SLOT_MINUTES,
    TIME_LINE,
    TOC_END,
    TOC_START,
    replace_toc,
    series_notebooks,
    study_time,
    toc_markdown,
)

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = ROOT / "notebooks"
ALL_NOTEBOOKS = sorted(NOTEBOOKS.glob("*.ipynb"))


def load(path: Path) -> dict:
    return json.loads(path.read_text(encoding="utf-8"))


@pytest.mark.parametrize("path", ALL_NOTEBOOKS, ids=lambda p: p.name)
def test_notebook_name_follows_convention(path):
    assert NOTEBOOK_NAME.match(path.name), f"{path.name}: expected NN-short-slug.ipynb"


@pytest.mark.parametrize("path", ALL_NOTEBOOKS, ids=lambda p: p.name)
def test_notebook_is_committed_without_outputs(path):
    dirty = [i for i, c in enumerate(load(path)["cells"])
             if c["cell_type"] == "code" and (c["outputs"] or c["execution_count"] is not None)]
    assert not dirty, f"{path.name}: cells {dirty} keep outputs; run nbstripout"


@pytest.mark.parametrize("path", ALL_NOTEBOOKS, ids=lambda p: p.name)
def test_notebook_has_parameters_cell_with_seed(path):
    cells = [c for c in load(path)["cells"] if "parameters" in c["metadata"].get("tags", [])]
    assert len(cells) == 1, f"{path.name}: expected one cell tagged 'parameters', found {len(cells)}"
    assert re.search(r"^SEED = \d+$", "".join(cells[0]["source"]), re.M)


@pytest.mark.parametrize("path", ALL_NOTEBOOKS, ids=lambda p: p.name)
def test_notebook_has_summary_section(path):
    markdown = "\n".join("".join(c["source"]) for c in load(path)["cells"] if c["cell_type"] == "markdown")
    assert re.search(r"^##\s+Summary\b", markdown, re.M), f"{path.name}: no '## Summary' section"


@pytest.mark.parametrize("path", ALL_NOTEBOOKS, ids=lambda p: p.name)
def test_notebook_calls_setup_once(path):
    sources = ["".join(c["source"]) for c in load(path)["cells"] if c["cell_type"] == "code"]
    assert sum("helpers.setup(SEED)" in s for s in sources) == 1


@pytest.mark.parametrize("path", ALL_NOTEBOOKS, ids=lambda p: p.name)
def test_relative_links_point_to_existing_files(path):
    markdown = "\n".join("".join(c["source"]) for c in load(path)["cells"] if c["cell_type"] == "markdown")
    targets = re.findall(r"\]\(((?!https?:|#)[^)\s]+)\)", markdown)
    missing = [t for t in targets if not (path.parent / t.split("#")[0]).exists()]
    assert not missing, f"{path.name}: links to missing files {missing}"


def test_no_scratch_files_or_checkpoints():
    tracked = [p for p in NOTEBOOKS.rglob("*") if "Untitled" in p.name or ".ipynb_checkpoints" in p.parts]
    assert not tracked, f"scratch files in notebooks/: {tracked}"


def test_table_of_contents_is_current():
    start_here = load(NOTEBOOKS / "00-start-here.ipynb")
    sources = ["".join(c["source"]) for c in start_here["cells"] if TOC_START in "".join(c["source"])]
    assert len(sources) == 1, "00-start-here.ipynb needs one cell with the toc markers"
    assert sources[0] == replace_toc(sources[0], toc_markdown(NOTEBOOKS)), (
        "the table of contents is stale: run `make toc`"
    )


@pytest.mark.parametrize("path", ALL_NOTEBOOKS, ids=lambda p: p.name)
def test_stated_time_follows_the_rule(path):
    texts = ["".join(c["source"]) for c in load(path)["cells"][:3] if c["cell_type"] == "markdown"]
    stated = [m.group(0) for text in texts for m in TIME_LINE.finditer(text)]
    assert stated == [study_time(path).time_line()], f"{path.name}: the time line is stale: run `make toc`"


MAX_CODE_CELL_LINES = 15  # STYLE.md: one idea per cell; longer code becomes a named helper or smaller steps


@pytest.mark.parametrize("path", ALL_NOTEBOOKS, ids=lambda p: p.name)
def test_code_cells_are_short(path):
    lengths = {index: len("".join(cell["source"]).splitlines())
               for index, cell in enumerate(load(path)["cells"]) if cell["cell_type"] == "code"}
    long = {index: lines for index, lines in lengths.items() if lines > MAX_CODE_CELL_LINES}
    assert not long, f"{path.name}: code cells longer than {MAX_CODE_CELL_LINES} lines (cell: lines): {long}"


@pytest.mark.parametrize("path", ALL_NOTEBOOKS, ids=lambda p: p.name)
def test_notebook_fits_a_class_slot(path):
    time = study_time(path)
    assert time.minutes <= SLOT_MINUTES, (
        f"{path.name}: {time.minutes:.1f} minutes by the rule ({time}), more than a {SLOT_MINUTES}-minute "
        "slot: trim it or split it (README: How long each notebook takes)")


def test_table_of_contents_lists_every_notebook():
    toc = toc_markdown(NOTEBOOKS)
    assert [p.name for p in series_notebooks(NOTEBOOKS)] == re.findall(r"\((\d\d-[^)]+)\)", toc)
    assert TOC_END not in toc


CHECK_ANNOUNCEMENT = re.compile(r"^\*\*Check\*\*", re.M)


def assertions_in(source: str) -> list[str]:
    """The assertions a code cell makes: ``assert`` statements and calls of ``assert*`` functions.

    An assertion that cannot fail (``assert True``, ``assert x or True``) does not count.
    """
    import ast

    code = "\n".join(line for line in source.splitlines() if not line.lstrip().startswith(("%", "!")))
    found = []
    for node in ast.walk(ast.parse(code)):
        if isinstance(node, ast.Assert) and not _always_true(node.test):
            found.append(ast.unparse(node))
        elif isinstance(node, ast.Call):
            name = node.func.attr if isinstance(node.func, ast.Attribute) else getattr(node.func, "id", "")
            if name.startswith("assert"):
                found.append(ast.unparse(node))
    return found


def _always_true(test) -> bool:
    import ast

    if isinstance(test, ast.Constant):
        return bool(test.value)
    is_or = isinstance(test, ast.BoolOp) and isinstance(test.op, ast.Or)
    return is_or and any(map(_always_true, test.values))


def checks_without_assertions(cells: list[dict]) -> list[int]:
    """Indices of markdown cells announcing a **Check** whose next cell is not a code cell that asserts."""
    bad = []
    for i, cell in enumerate(cells):
        if cell["cell_type"] != "markdown" or not CHECK_ANNOUNCEMENT.search("".join(cell["source"])):
            continue
        following = cells[i + 1] if i + 1 < len(cells) else None
        is_code = following is not None and following["cell_type"] == "code"
        if not (is_code and assertions_in("".join(following["source"]))):
            bad.append(i)
    return bad


@pytest.mark.parametrize("path", ALL_NOTEBOOKS, ids=lambda p: p.name)
def test_every_announced_check_is_followed_by_a_cell_that_asserts(path):
    bad = checks_without_assertions(load(path)["cells"])
    assert not bad, f"{path.name}: cells {bad} announce a **Check** but the next cell asserts nothing"


def test_check_rule_notices_a_check_that_cannot_fail():
    def markdown(text):
        return {"cell_type": "markdown", "source": [text]}

    def code(text):
        return {"cell_type": "code", "source": [text]}

    cells = [markdown("**Check** — it works."), code("assert True"),
             markdown("**Check** — still works."), code("print(1)"),
             markdown("**Check** — and here."), markdown("no code"),
             markdown("**Check** — real."), code("np.testing.assert_allclose(a, b)"),
             markdown("**Check** — real too."), code("assert x > 0 or True"),
             markdown("**Check** — an error."), code("helpers.assert_last_error(TypeError, 'x')"),
             markdown("**Check** — last"), code("assert not y")]
    assert checks_without_assertions(cells) == [0, 2, 4, 8]
