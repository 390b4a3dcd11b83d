"""Renumber notebooks of the series, and everything that names them: python tools/renumber.py 06:07 07:08.

All moves happen at once (06:07 07:08 does not turn 06 into 08). For each OLD:NEW it renames

- ``notebooks/OLD-slug.ipynb``, ``notebooks/solutions/OLD.K-*.py``,
  ``src/helpers/exercises/nbOLD.py`` and ``tests/test_exercises_nbOLD.py``;

and rewrites, in the repository's tracked text files, the ways the project names a notebook:
its file name, ``OLD · Title``, ``notebook OLD`` (also in lists: ``notebooks 04, 05 and OLD``),
exercise ids ``OLD.K`` and ``nbOLD``.
Then it rewrites the table of contents. It prints every other bare ``OLD`` left in a notebook's
prose, for a person to read: a number in a sentence may or may not mean a notebook.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = ROOT / "notebooks"
SELF = {"tools/renumber.py", "tests/test_renumber.py"}
TEXT_SUFFIXES = {".ipynb", ".md", ".py", ".txt", ".toml", ".yaml", ".yml", ".cfg", ""}
NUMBER_LIST = re.compile(r"\b[Nn]otebooks? \d\d(?:(?:, | and | or |–| to )\d\d)*\b")
# An exercise id "NN.K" where only an exercise id can stand: quoted, in bold, a solution's path, a
# checker's section line, or after the word "exercise". (A float such as 10.5 is left alone.)
EXERCISE_ID = re.compile(r'(?:(?<=")|(?<=\*)|(?<=/)|(?<=--- )|(?<=xercise ))\d\d\.[1-9](?![\d.])')


def parse_moves(arguments: list[str]) -> dict[str, str]:
    """``["06:07", "07:08"]`` -> ``{"06": "07", "07": "08"}``, with clear errors for anything else."""
    moves = {}
    for argument in arguments:
        match = re.fullmatch(r"(\d\d):(\d\d)", argument)
        if not match:
            raise ValueError(f"expected OLD:NEW with two-digit numbers such as 06:07, got {argument!r}")
        moves[match.group(1)] = match.group(2)
    if not moves:
        raise ValueError("expected at least one OLD:NEW move")
    if len(set(moves.values())) != len(moves):
        raise ValueError(f"two notebooks would get the same number: {moves}")
    return moves


def rewrite(text: str, moves: dict[str, str], slugs: dict[str, str]) -> str:
    """``text`` with every name of a moved notebook changed; ``slugs`` maps OLD to its file slug.

    One pass over the text: each place is rewritten once, even where two ways of naming a notebook
    overlap (``notebook 06 · Title``).
    """
    olds = "|".join(moves)
    names = "|".join(re.escape(f"{old}-{slug}") for old, slug in slugs.items()) or "(?!)"
    pattern = re.compile(
        rf"(?P<file>\b(?:{names})\.ipynb)"
        rf"|(?P<list>{NUMBER_LIST.pattern})"
        rf"|(?P<title>(?<![\d.])(?:{olds}) · )"
        rf"|(?P<module>\bnb(?:{olds})\b)"
        rf"|(?P<exercise>{EXERCISE_ID.pattern})"
    )

    def renumbered(match: re.Match) -> str:
        found = match.group(0)
        if match.group("file") or match.group("title"):
            return moves[found[:2]] + found[2:]
        if match.group("module"):
            return "nb" + moves[found[2:4]] + found[4:]
        if match.group("list"):
            word, numbers = found.split(" ", 1)
            return word + " " + re.sub(r"\d\d", lambda n: moves.get(n.group(0), n.group(0)), numbers)
        return moves.get(found[:2], found[:2]) + found[2:]

    return pattern.sub(renumbered, text)


def moved_path(path: Path, moves: dict[str, str]) -> Path:
    """Where ``path`` goes if it is a notebook, solution, checker or checker test of a moved notebook."""
    patterns = (r"^(\d\d)(-.*\.ipynb)$", r"^(\d\d)(\.\d+-.*\.py)$", r"^(nb)(\d\d)(\.py)$",
                r"^(test_exercises_nb)(\d\d)(\.py)$")
    for pattern in patterns:
        match = re.match(pattern, path.name)
        if not match:
            continue
        parts = list(match.groups())
        index = 0 if len(parts) == 2 else 1
        if parts[index] in moves:
            parts[index] = moves[parts[index]]
            return path.with_name("".join(parts))
    return path


def tracked_files() -> list[Path]:
    """The repository's text files, except this script and its test (their examples must not move)."""
    listing = subprocess.run(["git", "ls-files"], cwd=ROOT, capture_output=True, text=True, check=True)
    return [ROOT / line for line in listing.stdout.splitlines()
            if (ROOT / line).is_file() and (ROOT / line).suffix in TEXT_SUFFIXES and line not in SELF]


def leftover_numbers(path: Path, moves: dict[str, str], slugs: dict[str, str]) -> list[str]:
    """Lines of a notebook's prose with a bare OLD number that ``rewrite`` leaves alone (run before it)."""
    cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
    marked = dict.fromkeys(moves, "§§")
    bare = re.compile(rf"(?<![\d.])({'|'.join(moves)})(?![\d.])")
    return [line for cell in cells if cell["cell_type"] == "markdown"
            for line in "".join(cell["source"]).splitlines()
            if bare.search(rewrite(line, marked, slugs))]


def main(arguments: list[str]) -> None:
    moves = parse_moves(arguments)
    slugs = {}
    for old in moves:
        found = sorted(NOTEBOOKS.glob(f"{old}-*.ipynb"))
        if len(found) != 1:
            raise SystemExit(f"expected one notebook numbered {old}, found {[p.name for p in found]}")
        slugs[old] = found[0].stem[3:]
    notebooks = sorted(NOTEBOOKS.glob("*.ipynb"))
    leftovers = [f"{path.name}: check by hand: {line.strip()[:120]}"
                 for path in notebooks for line in leftover_numbers(path, moves, slugs)]
    for path in tracked_files():
        text = path.read_text(encoding="utf-8")
        new_text = rewrite(text, moves, slugs)
        if new_text != text:
            path.write_text(new_text, encoding="utf-8")
    moving = [(path, moved_path(path, moves)) for path in tracked_files()]
    moving = [(path, target) for path, target in moving if target != path]
    for path, target in moving:  # through a temporary name: nb07.py -> nb08.py while nb08.py -> nb09.py
        subprocess.run(["git", "mv", str(path), f"{target}.renumbering"], cwd=ROOT, check=True)
    for _, target in moving:
        subprocess.run(["git", "mv", f"{target}.renumbering", str(target)], cwd=ROOT, check=True)
    subprocess.run([sys.executable, str(ROOT / "tools" / "update_toc.py")], cwd=ROOT, check=True,
                   stdout=subprocess.DEVNULL)
    print("\n".join(leftovers))


if __name__ == "__main__":
    try:
        main(sys.argv[1:])
    except ValueError as error:
        raise SystemExit(f"renumber: {error}") from None
