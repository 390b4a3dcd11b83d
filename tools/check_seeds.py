"""Run every notebook with other values of SEED and report pass/fail and wall time.

Usage: python tools/check_seeds.py 1 2 3 [--only 05 08]
       python tools/check_seeds.py --range 1 200 --only 08 09 --jobs 2
Results and assertions must hold for any seed, not only the default 42. The parameters cell is
overridden as papermill does it (an injected cell after it); the notebook then runs in a fresh
kernel of this environment.
"""

import argparse
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import nbformat
from nbclient import NotebookClient
from nbformat.v4 import new_code_cell

from helpers.toc import series_notebooks

NOTEBOOKS = Path(__file__).resolve().parents[1] / "notebooks"


def unexpected_errors(notebook: nbformat.NotebookNode) -> list[str]:
    """Errors raised by cells that are not tagged ``raises-exception``, and cells that never ran."""
    cells = [c for c in notebook.cells if c.cell_type == "code"]
    problems = [f"cell {i} did not run" for i, c in enumerate(cells) if c.execution_count is None]
    problems += [f"{o.ename}: {o.evalue}" for c in cells
                 if "raises-exception" not in c.metadata.get("tags", [])
                 for o in c.outputs if o.output_type == "error"]
    return problems


def with_seed(notebook: nbformat.NotebookNode, seed: int) -> nbformat.NotebookNode:
    """The notebook with a cell setting ``SEED = seed`` right after its ``parameters`` cell."""
    index = next(i for i, c in enumerate(notebook.cells) if "parameters" in c.metadata.get("tags", []))
    injected = new_code_cell(f"SEED = {seed}", metadata={"tags": ["injected-parameters"]})
    notebook.cells.insert(index + 1, injected)
    return notebook


def run(path: Path, seed: int) -> tuple[bool, float, str]:
    notebook = with_seed(nbformat.read(path, as_version=4), seed)
    client = NotebookClient(notebook, timeout=300, kernel_name="python3", allow_errors=True,
                            resources={"metadata": {"path": str(NOTEBOOKS)}})
    # No imitation of a front end's Output widget: it can hold back a cell's reply until the
    # timeout (jupyter/nbclient#312); nbval does not imitate one either.
    client.widget_registry = {}
    start = time.perf_counter()
    client.execute()
    problems = unexpected_errors(notebook)
    return not problems, time.perf_counter() - start, "; ".join(problems)


def seeds_to_run(seeds: list[int], seed_range: list[int] | None) -> list[int]:
    """The listed seeds, then those of the inclusive range FIRST..LAST, each once, in that order."""
    if seed_range is not None and seed_range[0] > seed_range[1]:
        raise SystemExit(f"--range: expected FIRST <= LAST, got {seed_range[0]} {seed_range[1]}")
    wanted = list(seeds) + (list(range(seed_range[0], seed_range[1] + 1)) if seed_range else [])
    return list(dict.fromkeys(wanted))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("seeds", nargs="*", type=int)
    parser.add_argument("--range", nargs=2, type=int, metavar=("FIRST", "LAST"),
                        help="also run every seed from FIRST to LAST, both included")
    parser.add_argument("--only", nargs="+", default=[""], metavar="PREFIX",
                        help="run only notebooks whose name starts with one of these (e.g. 05 08)")
    parser.add_argument("--jobs", type=int, default=1, metavar="N",
                        help="run N notebooks at a time, each in its own kernel (default 1)")
    args = parser.parse_args()
    if args.jobs < 1:
        parser.error(f"--jobs: expected a number >= 1, got {args.jobs}")
    seeds = seeds_to_run(args.seeds, args.range)
    if not seeds:
        parser.error("expected seeds, e.g. 1 2 3, or --range FIRST LAST")
    runs = [(notebook, seed) for notebook in series_notebooks(NOTEBOOKS)
            if notebook.name.startswith(tuple(args.only)) for seed in seeds]
    failures = 0
    with ThreadPoolExecutor(max_workers=args.jobs) as pool:  # each run starts its own kernel process
        for (notebook, seed), (ok, seconds, why) in zip(runs, pool.map(lambda r: run(*r), runs), strict=True):
            failures += not ok
            verdict = "pass" if ok else "FAIL"
            print(f"{verdict}  {notebook.name:<45} SEED={seed:<4} {seconds:5.1f} s  {why}", flush=True)
    print(f"{failures} failed, {len(runs) - failures} passed")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
