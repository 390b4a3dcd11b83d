"""Table of contents of the series, generated from the notebook file names."""

from __future__ import annotations

import json
import re
from pathlib import Path

NOTEBOOK_NAME = re.compile(r"^(\d\d)-([a-z0-9]+(?:-[a-z0-9]+)*)\.ipynb$")
TOC_START = "<!-- toc:start -->"
TOC_END = "<!-- toc:end -->"


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
        lines.append(f"- [{number} · {notebook_title(path)}]({path.name})")
    return "\n".join(lines)


def replace_toc(text: str, toc: str) -> str:
    """``text`` with the part between the toc markers replaced by ``toc``."""
    pattern = re.compile(re.escape(TOC_START) + ".*?" + re.escape(TOC_END), re.S)
    if not pattern.search(text):
        raise ValueError(f"expected the markers {TOC_START} and {TOC_END} in the text")
    return pattern.sub(lambda _: f"{TOC_START}\n{toc}\n{TOC_END}", text)
