"""Create a new notebook from the series template: python tools/new_notebook.py 11-short-slug "Title"."""

import sys
from pathlib import Path

import nbformat
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

from helpers.toc import NOTEBOOK_NAME

NOTEBOOKS = Path(__file__).resolve().parents[1] / "notebooks"


def template(number: str, title: str) -> nbformat.NotebookNode:
    parameters = new_code_cell("SEED = 42")
    parameters.metadata["tags"] = ["parameters"]
    cells = [
        new_markdown_cell(f"# {number} · {title}\n\nOne paragraph: what you can do after this notebook."),
        new_markdown_cell(
            "**Learning objectives** — after this notebook you can:\n- ...\n\n"
            "**Prerequisites:** ... **Time:** ... minutes."
        ),
        parameters,
        new_code_cell("import helpers\n\nhelpers.setup(SEED);"),
        new_markdown_cell("## A first idea\n\nOne short idea in prose."),
        new_code_cell("# the smallest code that shows it"),
        new_markdown_cell("**Check** — the claim, in words."),
        new_code_cell("assert ..."),
        new_markdown_cell("## Summary\n\n- ..."),
        new_markdown_cell("## Exercises\n\n1. ..."),
        new_markdown_cell("## Next\n\n..."),
    ]
    notebook = new_notebook(cells=cells)
    notebook.metadata["kernelspec"] = {
        "display_name": "Python 3 (ipykernel)", "language": "python", "name": "python3"
    }
    return notebook


def main() -> None:
    if len(sys.argv) != 3 or not NOTEBOOK_NAME.match(sys.argv[1] + ".ipynb"):
        sys.exit('usage: python tools/new_notebook.py NN-short-slug "Title"')
    path = NOTEBOOKS / f"{sys.argv[1]}.ipynb"
    if path.exists():
        sys.exit(f"{path} exists already")
    nbformat.write(template(sys.argv[1][:2], sys.argv[2]), path)
    print(f"created {path}; now run `make toc`")


if __name__ == "__main__":
    main()
