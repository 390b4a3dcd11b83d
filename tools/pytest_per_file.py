"""Run the test suite as one pytest process per test file (and one for all the notebooks), then sum up.

``make test KERAS_BACKEND=jax`` runs through this. Keras's JAX backend compiles an RNN's loop at
every eager call, and the helper tests make thousands of such calls; in one long process JAX 0.10.2
crashed with a segmentation fault after most of them (in ``backend_compile_and_load``, and before
that in its compilation cache). A fresh process per file keeps each one short. Every process runs
with the same pytest options, the root conftest.py's backend selection included.

    python tools/pytest_per_file.py [--ignore PATH ...] [-- extra pytest args]

Exit status: 0 when every process passed, 1 otherwise (the summary names the failed ones).
"""

from __future__ import annotations

import argparse
import re
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
COUNTED = ("passed", "failed", "errors", "error", "deselected", "skipped", "xfailed", "xpassed")


def groups(ignored: list[str]) -> list[list[str]]:
    """One group per test file under tests/ (tests/browser as one), and one for notebooks/."""
    skip = {str(Path(p)) for p in ignored}
    files = sorted(str(p.relative_to(ROOT)) for p in (ROOT / "tests").glob("test_*.py"))
    found = [[f] for f in files if f not in skip]
    if (ROOT / "tests" / "browser").is_dir() and "tests/browser" not in skip:
        found.append(["tests/browser"])
    if "notebooks" not in skip:
        found.append(["notebooks"])
    return found


def counts(output: str) -> dict[str, int]:
    """The numbers in pytest's last summary line ('== 3 passed, 1 deselected in 2.0s ==')."""
    lines = [line for line in output.splitlines() if re.search(r"\d+ (passed|failed|error|deselected)", line)]
    found: dict[str, int] = {}
    for number, word in re.findall(r"(\d+) (\w+)", lines[-1] if lines else ""):
        if word in COUNTED:
            key = "errors" if word == "error" else word
            found[key] = found.get(key, 0) + int(number)
    return found


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--ignore", action="append", default=[], help="a path to leave out, as pytest's")
    parser.add_argument("pytest_args", nargs="*", help="passed on to every pytest process")
    args = parser.parse_args(argv)
    totals: dict[str, int] = {}
    failed: list[str] = []
    start = time.perf_counter()
    for paths in groups(args.ignore):
        began = time.perf_counter()
        # 5: no tests collected (every test of the file deselected on this backend)
        result = subprocess.run([sys.executable, "-m", "pytest", *paths, *args.pytest_args],
                                cwd=ROOT, capture_output=True, text=True)
        output = result.stdout + result.stderr
        found = counts(output)
        for key, value in found.items():
            totals[key] = totals.get(key, 0) + value
        status = "ok" if result.returncode in (0, 5) else f"FAILED (exit {result.returncode})"
        print(f"{' '.join(paths)}: {status}, {time.perf_counter() - began:.0f} s, "
              + ", ".join(f"{v} {k}" for k, v in found.items()), flush=True)
        if result.returncode not in (0, 5):
            failed.append(" ".join(paths))
            print(output[-6000:], flush=True)
    summary = ", ".join(f"{v} {k}" for k, v in totals.items())
    print(f"\n{len(groups(args.ignore))} pytest processes: {summary} in {time.perf_counter() - start:.0f} s")
    if failed:
        print("failed: " + "; ".join(failed))
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
