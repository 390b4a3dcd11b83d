"""tools/pytest_per_file.py (make test on JAX): every test file gets its own process, the counts add up,
a failing process fails the run."""

import importlib.util
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
_spec = importlib.util.spec_from_file_location("pytest_per_file", ROOT / "tools" / "pytest_per_file.py")
per_file = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(per_file)


def test_every_test_file_and_the_notebooks_are_a_group_and_ignored_paths_are_not():
    found = per_file.groups(["tests/test_binder.py", "tests/browser"])
    flat = [path for group in found for path in group]
    expected = sorted(str(p.relative_to(ROOT)) for p in (ROOT / "tests").glob("test_*.py"))
    assert flat == [p for p in expected if p != "tests/test_binder.py"] + ["notebooks"]


def test_counts_read_pytest_summary_line():
    output = "....F\nFAILED tests/x.py::t\n== 1 failed, 4 passed, 2 deselected, 1 error in 3.10s =="
    assert per_file.counts(output) == {"failed": 1, "passed": 4, "deselected": 2, "errors": 1}
    assert per_file.counts("no tests ran in 0.01s") == {}


def test_a_failing_file_fails_the_run(tmp_path, monkeypatch, capsys):
    failing = tmp_path / "test_fails.py"
    failing.write_text("def test_no():\n    assert 1 == 2\n")
    passing = tmp_path / "test_passes.py"
    passing.write_text("def test_yes():\n    assert 1 == 1\n")
    monkeypatch.setattr(per_file, "groups", lambda ignored: [[str(passing)], [str(failing)]])
    args = ["--", "-p", "no:cacheprovider", "--rootdir", str(tmp_path), "-c", "/dev/null"]
    assert per_file.main(args) == 1
    printed = capsys.readouterr().out
    assert f"failed: {failing}" in printed
    assert "1 passed" in printed and "1 failed" in printed
    monkeypatch.setattr(per_file, "groups", lambda ignored: [[str(passing)]])
    assert per_file.main(args) == 0
