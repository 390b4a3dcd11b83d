"""The code and the notebooks are ruff clean (the same check the pre-commit hook runs)."""

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


CHECKED = ["src", "tests", "tools", "benchmarks", "notebooks", "conftest.py"]


def test_ruff_finds_nothing():
    paths = [p for p in CHECKED if (ROOT / p).exists()]
    result = subprocess.run(
        [sys.executable, "-m", "ruff", "check", "--no-cache", *paths],
        cwd=ROOT, capture_output=True, text=True,
    )
    assert result.returncode == 0, result.stdout + result.stderr
