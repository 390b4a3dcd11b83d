"""Run every notebook with other values of SEED (papermill) and report pass/fail and wall time.

Usage: python tools/check_seeds.py 1 2 3 [--only 05]
Results and assertions must hold for any seed, not only the default 42.
"""

import argparse
import sys
import tempfile
import time
from pathlib import Path

import nbformat
import papermill

from helpers.toc import series_notebooks

NOTEBOOKS = Path(__file__).resolve().parents[1] / "notebooks"


def unexpected_errors(executed: Path) -> list[str]:
    """Errors raised by cells that are not tagged ``raises-exception``, and cells that never ran."""
    cells = [c for c in nbformat.read(executed, as_version=4).cells if c.cell_type == "code"]
    problems = [f"cell {i} did not run" for i, c in enumerate(cells) if c.execution_count is None]
    problems += [f"{o.ename}: {o.evalue}" for c in cells
                 if "raises-exception" not in c.metadata.get("tags", [])
                 for o in c.outputs if o.output_type == "error"]
    return problems


def run(notebook: Path, seed: int, out_dir: Path) -> tuple[bool, float, str]:
    start = time.perf_counter()
    executed = out_dir / f"{notebook.stem}-seed{seed}.ipynb"
    try:
        papermill.execute_notebook(
            str(notebook), str(executed), parameters={"SEED": seed}, cwd=str(NOTEBOOKS),
            kernel_name="python3", progress_bar=False, log_output=False,
        )
    except papermill.PapermillExecutionError:
        pass  # papermill also stops on errors that tagged cells raise on purpose; judged below
    problems = unexpected_errors(executed)
    return not problems, time.perf_counter() - start, "; ".join(problems)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("seeds", nargs="+", type=int)
    parser.add_argument("--only", default="", help="run only notebooks whose name starts with this")
    args = parser.parse_args()
    failures = 0
    with tempfile.TemporaryDirectory() as tmp:
        for notebook in series_notebooks(NOTEBOOKS):
            if not notebook.name.startswith(args.only):
                continue
            for seed in args.seeds:
                ok, seconds, why = run(notebook, seed, Path(tmp))
                failures += not ok
                verdict = "pass" if ok else "FAIL"
                print(f"{verdict}  {notebook.name:<45} SEED={seed:<4} {seconds:5.1f} s  {why}")
    print(f"{failures} failed")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
