"""Rewrite each notebook's time line and the table of contents in notebooks/00-start-here.ipynb."""

import json
from pathlib import Path

from helpers.toc import (
    TIME_LINE,
    TOC_START,
    replace_time_line,
    replace_toc,
    series_notebooks,
    study_time,
    toc_markdown,
)

NOTEBOOKS = Path(__file__).resolve().parents[1] / "notebooks"
START_HERE = NOTEBOOKS / "00-start-here.ipynb"


def update_time_line(path: Path) -> None:
    """Rewrite the notebook's ``**Time:**`` line from ``study_time`` (the README states the rule)."""
    notebook = json.loads(path.read_text(encoding="utf-8"))
    time = study_time(path)
    for cell in notebook["cells"]:
        source = "".join(cell["source"])
        if cell["cell_type"] == "markdown" and TIME_LINE.search(source):
            cell["source"] = replace_time_line(source, time).splitlines(keepends=True)
            break
    path.write_text(json.dumps(notebook, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")


def update_toc() -> str:
    """Rewrite the table of contents in 00-start-here from the notebooks' titles and times."""
    notebook = json.loads(START_HERE.read_text(encoding="utf-8"))
    toc = toc_markdown(NOTEBOOKS)
    for cell in notebook["cells"]:
        source = "".join(cell["source"])
        if cell["cell_type"] == "markdown" and TOC_START in source:
            cell["source"] = replace_toc(source, toc).splitlines(keepends=True)
    START_HERE.write_text(json.dumps(notebook, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    return toc


def main() -> None:
    # 00's own time counts the words of the table, and the table lists 00's time: repeat until both
    # stand still (times are multiples of 5 minutes, so this settles at once).
    toc = None
    for _ in range(3):
        for path in series_notebooks(NOTEBOOKS):
            update_time_line(path)
        previous, toc = toc, update_toc()
        if toc == previous:
            break
    print(toc)


if __name__ == "__main__":
    main()
