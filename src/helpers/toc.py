"""Table of contents of the series, generated from the notebook file names."""

from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass
from pathlib import Path

NOTEBOOK_NAME = re.compile(r"^(\d\d)-([a-z0-9]+(?:-[a-z0-9]+)*)\.ipynb$")
TOC_START = "<!-- toc:start -->"
TOC_END = "<!-- toc:end -->"

# How long a notebook takes, by a rule rather than a guess (README: "How long each notebook takes").
SLOT_MINUTES = 50  # one class slot, exercises included
WORDS_PER_MINUTE = 150  # careful reading of technical prose (everyday non-fiction is read at ~240)
CODE_CELL_MINUTES = 0.5  # read a code cell, run it, look at what it prints or draws
WIDGET_MINUTES = 3.0  # a cell that shows a widget: time to play with it
EXERCISE_MINUTES = 5.0  # think, write, check: an exercise's answer and check cells together
WIDGET_CALL = re.compile(r"\b(MaskingExplorer|PadEditor|interactive_output)\(")
EXERCISE_CHECK = re.compile(r"""^check\(\s*["']\d\d\.\d+["']""", re.M)
RULE_LINK = "../README.md#how-long-each-notebook-takes"
TIME_LINE = re.compile(r"\*\*Time:\*\*[^\n]*")  # from the label to the end of its line


@dataclass(frozen=True)
class StudyTime:
    """What a notebook asks of a learner, and the minutes that takes by the series' rule."""

    words: int
    code_cells: int
    widgets: int
    exercises: int

    @property
    def minutes(self) -> float:
        return (self.words / WORDS_PER_MINUTE + self.code_cells * CODE_CELL_MINUTES
                + self.widgets * WIDGET_MINUTES + self.exercises * EXERCISE_MINUTES)

    @property
    def stated(self) -> int:
        """``minutes`` rounded up to a multiple of 5: the figure the notebook states."""
        return 5 * math.ceil(self.minutes / 5)

    def time_line(self) -> str:
        return (f"**Time:** about {self.stated} minutes ({self.words} words to read, {self.code_cells} code "
                f"cells to run{self._widgets_text()}, {self.exercises} exercises; "
                f"[how this is counted]({RULE_LINK})).")

    def _widgets_text(self) -> str:
        return f", {self.widgets} widget{'s' * (self.widgets != 1)} to explore" if self.widgets else ""


def study_time(path: str | Path) -> StudyTime:
    """Count a notebook's words of prose, code cells, widget cells and exercises (answer + check cells).

    The time line itself is not counted, so that rewriting it does not change the count.
    """
    cells = json.loads(Path(path).read_text(encoding="utf-8"))["cells"]
    words = code_cells = widgets = exercises = 0
    sources = ["".join(cell["source"]) for cell in cells]
    for index, (cell, source) in enumerate(zip(cells, sources, strict=True)):
        if cell["cell_type"] == "markdown":
            words += len(TIME_LINE.sub("", source).split())
        elif EXERCISE_CHECK.search(source):
            exercises += 1
        elif index + 1 < len(sources) and EXERCISE_CHECK.search(sources[index + 1]):
            continue  # the exercise's answer cell, counted with the exercise
        elif WIDGET_CALL.search(source):
            widgets += 1
        else:
            code_cells += 1
    return StudyTime(words, code_cells, widgets, exercises)


def replace_time_line(text: str, time: StudyTime) -> str:
    """``text`` with its ``**Time:** ...`` line (from the label to the end of the line) rewritten."""
    match = TIME_LINE.search(text)
    if not match:
        raise ValueError("expected a '**Time:** ...' line in the text")
    before = text[:match.start()].rstrip(" ")
    if before and not before.endswith("\n"):
        before += "\n\n"  # a paragraph of its own
    return before + time.time_line() + text[match.end():]


def series_notebooks(folder: str | Path) -> list[Path]:
    """Notebooks named ``NN-short-slug.ipynb`` in ``folder``, in reading order."""
    return sorted(p for p in Path(folder).glob("*.ipynb") if NOTEBOOK_NAME.match(p.name))


def notebook_title(path: str | Path) -> str:
    """The text of the notebook's first ``# NN · Title`` heading, without the number."""
    cells = json.loads(Path(path).read_text(encoding="utf-8"))["cells"]
    for cell in cells:
        if cell["cell_type"] != "markdown":
            continue
        for line in "".join(cell["source"]).splitlines():
            if line.startswith("# "):
                return re.sub(r"^#\s*\d\d\s*·\s*", "", line).strip()
    raise ValueError(f"{Path(path).name}: expected a '# NN · Title' heading, found none")


def toc_markdown(folder: str | Path) -> str:
    """A Markdown list linking every notebook of the series, one line each."""
    lines = []
    for path in series_notebooks(folder):
        number = NOTEBOOK_NAME.match(path.name).group(1)
        minutes = study_time(path).stated
        lines.append(f"- [{number} · {notebook_title(path)}]({path.name}) · about {minutes} min")
    return "\n".join(lines)


def replace_toc(text: str, toc: str) -> str:
    """``text`` with the part between the toc markers replaced by ``toc``."""
    pattern = re.compile(re.escape(TOC_START) + ".*?" + re.escape(TOC_END), re.S)
    if not pattern.search(text):
        raise ValueError(f"expected the markers {TOC_START} and {TOC_END} in the text")
    return pattern.sub(lambda _: f"{TOC_START}\n{toc}\n{TOC_END}", text)
