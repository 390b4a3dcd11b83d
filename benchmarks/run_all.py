"""Benchmark the course: suite time against its floor, each kernel's peak memory, widget latency.

Run with ``make bench`` (or ``.venv/bin/python benchmarks/run_all.py``). It prints one Markdown
document and, unless ``--no-write`` is given, puts it into benchmarks/README.md between the
``bench:start`` and ``bench:end`` markers. See benchmarks/README.md for what each figure means.

For each notebook ``notebooks/NN-*.ipynb``, in order:
1. the floor: start a kernel, ``import tensorflow``, ``import helpers``, stop it;
2. the notebook: start a kernel, run every cell (nbclient, in this environment, ``raises-exception``
   cells allowed to raise, as nbval does), stop it.
Both are timed from kernel start to kernel stop; the kernel is stopped at once (killed), as nbval
does. Floor and notebook alternate so that a busy spell on the machine hits both. While a kernel
runs, a thread samples its memory every 20 ms: the peak is the larger of the kernel's own high-water
mark (``VmHWM``, exact) and its resident memory plus that of its child processes.
"""

from __future__ import annotations

import argparse
import datetime as dt
import importlib.metadata
import os
import platform
import re
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path

import nbformat
import psutil
from jupyter_client.manager import AsyncKernelManager
from nbclient import NotebookClient

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = ROOT / "notebooks"
README = Path(__file__).resolve().parent / "README.md"
# The kernels inherit it: `make bench KERAS_BACKEND=jax` measures the notebooks on JAX, against a
# floor that imports JAX (its results go into their own section of benchmarks/README.md).
BACKEND = os.environ.get("KERAS_BACKEND", "tensorflow")
FLOOR_SOURCE = f"import {BACKEND}\nimport helpers"
START, END = (("<!-- bench:start -->", "<!-- bench:end -->") if BACKEND == "tensorflow"
              else (f"<!-- bench-{BACKEND}:start -->", f"<!-- bench-{BACKEND}:end -->"))
SAMPLE_EVERY_S = 0.02
CELL_TIMEOUT_S = 180  # as nbval's --nbval-cell-timeout in pyproject.toml
MB = 1e6

SUITE_TARGET = 1.5  # suite time <= 1.5 x floor
MEMORY_TARGET_MB = 1000.0  # every kernel's peak <= 1 GB
WIDGET_TARGET = 1.5  # explorer full update <= 1.5 x a bare redraw
RECOMPUTE_TARGET_MS = 5.0  # one NumPy recomputation of the explorer


@dataclass
class Run:
    """One kernel's life: wall seconds from start to stop, peak memory in MB, and an error if any."""

    seconds: float
    peak_mb: float
    error: str = ""
    slowest: str = ""


class MemorySampler(threading.Thread):
    """Samples a process's peak resident memory (own high-water mark, and RSS with its children)."""

    def __init__(self, pid: int) -> None:
        super().__init__(daemon=True)
        self.pid = pid
        self.peak_bytes = 0
        self._done = threading.Event()

    def run(self) -> None:
        status = Path(f"/proc/{self.pid}/status")
        try:
            process = psutil.Process(self.pid)
        except psutil.NoSuchProcess:
            return
        while not self._done.is_set():
            try:
                rss = process.memory_info().rss
                rss += sum(child.memory_info().rss for child in process.children(recursive=True))
                high_water = 0
                if status.exists():
                    match = re.search(r"^VmHWM:\s+(\d+) kB", status.read_text(), re.M)
                    high_water = int(match.group(1)) * 1024 if match else 0
                self.peak_bytes = max(self.peak_bytes, rss, high_water)
            except (psutil.NoSuchProcess, psutil.ZombieProcess, FileNotFoundError, ProcessLookupError):
                return
            self._done.wait(SAMPLE_EVERY_S)

    def stop(self) -> None:
        self._done.set()
        self.join(timeout=5)


def execute(notebook: nbformat.NotebookNode, timeout_s: int = CELL_TIMEOUT_S) -> Run:
    """Run `notebook` in a fresh kernel of this environment; time it and sample the kernel's memory.

    The kernel talks over Unix sockets in a private folder, not TCP ports: on a machine where other
    jobs start kernels too, two kernels can otherwise pick the same free port and a run hangs.
    """
    samplers: list[MemorySampler] = []
    sockets = tempfile.TemporaryDirectory(prefix="mtp-bench-")
    manager = AsyncKernelManager(kernel_name="python3", transport="ipc",
                                 ip=str(Path(sockets.name) / "kernel"))

    def start_sampling(**_) -> None:
        sampler = MemorySampler(client.km.provisioner.process.pid)
        sampler.start()
        samplers.append(sampler)

    client = NotebookClient(
        notebook, km=manager, timeout=timeout_s, allow_errors=False, shutdown_kernel="immediate",
        resources={"metadata": {"path": str(NOTEBOOKS)}}, on_notebook_start=start_sampling,
    )
    # Do not mimic a front end's Output widget: the mimic sends on the shell socket while nbclient
    # awaits the execute reply on it, and then that reply is sometimes only seen when the cell's
    # timeout expires (the explorer cell of notebook 06 then "takes" 180 s). nbval does not mimic either.
    client.widget_registry = {}
    error = ""
    start = time.perf_counter()
    try:
        # cleanup_kc: stop the kernel afterwards although we made its manager; stderr: the kernels'
        # C++ logs would drown the report
        client.execute(cleanup_kc=True, stderr=subprocess.DEVNULL)
    except Exception as exc:  # noqa: BLE001 - a broken notebook is reported, not fatal to the benchmark
        error = f"{type(exc).__name__}: {str(exc).strip().splitlines()[-1] if str(exc).strip() else ''}"
    seconds = time.perf_counter() - start
    sockets.cleanup()
    for sampler in samplers:
        sampler.stop()
    peak = max((s.peak_bytes for s in samplers), default=0) / MB
    return Run(seconds=seconds, peak_mb=peak, error=error, slowest=slowest_cell(notebook))


def slowest_cell(notebook: nbformat.NotebookNode) -> str:
    """'cell 12 (3.1 s): `first line`' for the code cell that took longest, not counting the setup cell
    (the one that imports helpers: that is the floor). Cells are counted from 1 over all cells, as in
    JupyterLab's status bar. nbclient records when each cell ran.
    """
    timings = []
    for number, cell in enumerate(notebook.cells):
        execution = cell.get("metadata", {}).get("execution", {})
        started, replied = execution.get("iopub.execute_input"), execution.get("shell.execute_reply")
        if cell.cell_type != "code" or not (started and replied) or "import helpers\n" in cell.source + "\n":
            continue
        duration = (dt.datetime.fromisoformat(replied.replace("Z", "+00:00"))
                    - dt.datetime.fromisoformat(started.replace("Z", "+00:00"))).total_seconds()
        lines = cell.source.strip().splitlines()
        timings.append((duration, number + 1, lines[0] if lines else ""))
    if not timings:
        return ""
    duration, number, first_line = max(timings)
    first_line = first_line if len(first_line) <= 40 else first_line[:39] + "…"
    return f"cell {number} ({duration:.1f} s): `{first_line.replace('|', '/')}`"


def floor_notebook() -> nbformat.NotebookNode:
    return nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(FLOOR_SOURCE)])


def series(only: list[str] | None) -> list[Path]:
    """The notebooks to measure: those named by ``only`` (all if None) that declare this backend
    (metadata "mind-the-pad": {"backends": [...]}, TensorFlow only when they declare none)."""
    paths = sorted(NOTEBOOKS.glob("[0-9][0-9]-*.ipynb"))
    return [p for p in paths if (not only or p.name[:2] in only) and BACKEND in declared_backends(p)]


def declared_backends(path: Path) -> list[str]:
    metadata = nbformat.read(path, as_version=4).metadata
    return list(metadata.get("mind-the-pad", {}).get("backends", ["tensorflow"]))


def widget_latency() -> tuple[dict[str, float] | None, str]:
    """The explorer's latency figures from benchmarks/widget_latency.py, or None and why not."""
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    try:
        import widget_latency as module
    except ImportError as exc:
        return None, f"benchmarks/widget_latency.py could not be imported ({exc})"
    try:
        return module.measure(), ""
    except Exception as exc:  # noqa: BLE001
        return None, f"widget_latency.measure() failed: {type(exc).__name__}: {exc}"


def server_memory(paths: list[Path]) -> str:
    """The Markdown section of benchmarks/server_memory.py (a server with one and with two notebooks
    open), or a line saying why it is missing."""
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    try:
        import server_memory as module

        return module.markdown(module.measure(paths))
    except Exception as exc:  # noqa: BLE001 - the rest of the report still stands
        return f"Server memory not measured: {type(exc).__name__}: {exc}"


def audit_speed() -> str:
    """The Markdown section of benchmarks/audit_speed.py, or a line saying why it is missing."""
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    try:
        import audit_speed as module

        return "Audit speed (`benchmarks/audit_speed.py`):\n\n" + module.markdown(module.measure())
    except Exception as exc:  # noqa: BLE001 - the rest of the report still stands
        return f"Audit speed not measured: {type(exc).__name__}: {exc}"


def machine() -> str:
    cpuinfo = Path("/proc/cpuinfo").read_text() if Path("/proc/cpuinfo").exists() else ""
    model = re.search(r"^model name\s*:\s*(.+)$", cpuinfo, re.M)
    memory = psutil.virtual_memory().total / 2**30

    def version(name: str) -> str:
        try:
            return importlib.metadata.version(name)
        except importlib.metadata.PackageNotFoundError:
            return "absent"

    tensorflow = version("tensorflow-cpu") if version("tensorflow-cpu") != "absent" else version("tensorflow")
    return (f"{os.cpu_count()} CPUs ({model.group(1).strip() if model else platform.processor() or '?'}), "
            f"{memory:.1f} GiB RAM, {platform.system()} {platform.release()}; "
            f"Python {platform.python_version()}, TensorFlow {tensorflow}, Keras {version('keras')} on the "
            f"{BACKEND} backend, JupyterLab {version('jupyterlab')}")


def verdict(ok: bool) -> str:
    return "met" if ok else "**missed**"


def report(results: list[tuple[Path, Run, Run]], latency: dict[str, float] | None, latency_note: str) -> str:
    total = sum(run.seconds for _, _, run in results)
    floor = sum(f.seconds for _, f, _ in results)
    lines = [
        f"Measured {dt.datetime.now().astimezone():%Y-%m-%d %H:%M %Z} on {machine()}.",
        "",
        "| notebook | wall (s) | floor (s) | above floor (s) | wall / floor | kernel peak (MB) "
        "| floor peak (MB) | slowest cell after setup |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | --- |",
    ]
    for path, fl, run in results:
        name = path.stem + (f" (failed: {run.error})" if run.error else "")
        lines.append(f"| {name} | {run.seconds:.1f} | {fl.seconds:.1f} | {run.seconds - fl.seconds:.1f} | "
                     f"{run.seconds / fl.seconds:.2f} | {run.peak_mb:.0f} | {fl.peak_mb:.0f} | "
                     f"{run.slowest} |")
    suite_ratio = total / floor if floor else float("nan")
    peak_path, _, peak_run = max(results, key=lambda r: r[2].peak_mb)
    lines += [
        f"| **suite** | **{total:.1f}** | **{floor:.1f}** | **{total - floor:.1f}** | "
        f"**{suite_ratio:.2f}** | **{peak_run.peak_mb:.0f}** (max) | | |",
        "",
        "| target | measured | verdict |",
        "| --- | --- | --- |",
        f"| suite time ≤ {SUITE_TARGET} × floor | {suite_ratio:.2f} × | "
        f"{verdict(suite_ratio <= SUITE_TARGET)} |",
        f"| every kernel peak ≤ {MEMORY_TARGET_MB:.0f} MB | {peak_run.peak_mb:.0f} MB ({peak_path.stem}) | "
        f"{verdict(peak_run.peak_mb <= MEMORY_TARGET_MB)} |",
    ]
    if latency:
        ratio = latency["full_update_ms"] / latency["bare_redraw_ms"]
        lines.append(f"| explorer full update ≤ {WIDGET_TARGET} × bare redraw | {ratio:.2f} × | "
                     f"{verdict(ratio <= WIDGET_TARGET)} |")
        recompute = latency["recompute_ms"]
        lines.append(f"| explorer recompute ≤ {RECOMPUTE_TARGET_MS:.0f} ms | {recompute:.1f} ms | "
                     f"{verdict(recompute <= RECOMPUTE_TARGET_MS)} |")
    else:
        lines.append(f"| explorer full update ≤ {WIDGET_TARGET} × bare redraw | not measured | "
                     f"{latency_note} |")
    failed = [p.stem for p, _, r in results if r.error]
    if failed:
        lines += ["", f"Notebooks that failed (their times are up to the failure): {', '.join(failed)}."]
    if latency:
        lines += ["", "| explorer step (median) | ms |", "| --- | ---: |"]
        lines += [f"| {name.removesuffix('_ms').replace('_', ' ')} | {value:.1f} |"
                  for name, value in latency.items() if name.endswith("_ms")]
        lines.append(f"| full update / bare redraw | {ratio:.2f} × |")
    slowest = sorted(results, key=lambda r: r[2].seconds - r[1].seconds, reverse=True)[:3]
    lines += ["", "Most time above the floor: " + ", ".join(
        f"{p.stem} ({r.seconds - f.seconds:+.1f} s)" for p, f, r in slowest) + "."]
    return "\n".join(lines)


def write_readme(text: str) -> None:
    from helpers.processes import replace_marked_section

    replace_marked_section(README, START, END, text)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", nargs="*", metavar="NN", help="benchmark only these notebooks, e.g. 00 05")
    parser.add_argument("--no-write", action="store_true",
                        help="print only; leave benchmarks/README.md alone")
    parser.add_argument("--no-widgets", action="store_true", help="skip the widget latency figures")
    parser.add_argument("--no-audit", action="store_true", help="skip the audit speed figures")
    parser.add_argument("--no-server", action="store_true",
                        help="skip the server memory figures (server + 1 and + 2 kernels)")
    args = parser.parse_args(argv)

    paths = series(args.only)
    if not paths:
        raise SystemExit("no notebooks matched")
    results = []
    for path in paths:
        floor = execute(floor_notebook())
        run = execute(nbformat.read(path, as_version=4))
        print(f"{path.stem}: {run.seconds:.1f} s (floor {floor.seconds:.1f} s), peak {run.peak_mb:.0f} MB"
              + (f"  FAILED {run.error}" if run.error else ""), file=sys.stderr, flush=True)
        results.append((path, floor, run))
    latency, note = (None, "skipped (--no-widgets)") if args.no_widgets else widget_latency()
    text = report(results, latency, note)
    if BACKEND != "tensorflow":
        text += ("\n\nAudit speed and server memory are measured on TensorFlow only: Binder and the "
                 "classroom run TensorFlow.")
    else:
        if not args.no_audit:
            text += "\n\n" + audit_speed()
        if not args.no_server:
            text += "\n\n" + server_memory(paths)
    print(text)
    if not args.no_write and not args.only:
        write_readme(text)
        print(f"\n(written to {README.relative_to(ROOT)})", file=sys.stderr)
    return 1 if any(run.error for _, _, run in results) else 0


if __name__ == "__main__":
    sys.exit(main())
