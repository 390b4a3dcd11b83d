"""helpers.processes: ending processes for good, rewriting a marked section of a file."""

import subprocess
import sys

import psutil
import pytest

from helpers.processes import end_processes, replace_marked_section


def test_end_processes_ends_a_process_that_ignores_sigterm():
    stubborn = subprocess.Popen([sys.executable, "-c",
                                 "import signal, time; signal.signal(signal.SIGTERM, signal.SIG_IGN); "
                                 "print('ready', flush=True); time.sleep(60)"], stdout=subprocess.PIPE)
    assert stubborn.stdout.readline().strip() == b"ready"
    assert end_processes([psutil.Process(stubborn.pid)], timeout=1) == []
    assert not psutil.pid_exists(stubborn.pid)  # killed and reaped, although it ignored SIGTERM


def test_replace_marked_section(tmp_path):
    path = tmp_path / "README.md"
    path.write_text("head\n<!-- a -->\nold\n<!-- b -->\ntail\n", encoding="utf-8")
    replace_marked_section(path, "<!-- a -->", "<!-- b -->", "new")
    assert path.read_text(encoding="utf-8") == "head\n<!-- a -->\nnew\n<!-- b -->\ntail\n"
    with pytest.raises(SystemExit, match="has no <!-- x --> ... <!-- b --> section"):
        replace_marked_section(path, "<!-- x -->", "<!-- b -->", "new")
