"""Rewrite the table of contents in notebooks/00-start-here.ipynb from the file names."""

import json
from pathlib import Path

from helpers.toc import TOC_START, replace_toc, toc_markdown

NOTEBOOKS = Path(__file__).resolve().parents[1] / "notebooks"
START_HERE = NOTEBOOKS / "00-start-here.ipynb"


def main() -> None:
    notebook = json.loads(START_HERE.read_text(encoding="utf-8"))
    toc = toc_markdown(NOTEBOOKS)
    for cell in notebook["cells"]:
        source = "".join(cell["source"])
        if cell["cell_type"] == "markdown" and TOC_START in source:
            cell["source"] = replace_toc(source, toc).splitlines(keepends=True)
    START_HERE.write_text(json.dumps(notebook, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    print(toc)


if __name__ == "__main__":
    main()
