"""Memory of a Jupyter server with one notebook open, and with two: what Binder's limit counts.

Binder guarantees each user 1 GB and restarts the kernel above 2 GB, counting everything in the
user's container: the Jupyter server and every kernel. This starts JupyterLab from this environment
on 127.0.0.1 (with a token, its files in a temporary folder, serving the repository), then

1. **server alone**: its memory once it answers;
2. **server + 1 kernel**, for each notebook in turn: open it (a session, as JupyterLab does), run
   every cell through the server's API (classroom/jupyter_api.py), note the peak, shut the kernel
   down before opening the next, as notebook 00 tells learners to do;
3. **server + 2 kernels**: the two notebooks with the largest peaks, both left open.

A thread samples the server and its descendants every 0.1 s: the sum of their resident memory (RSS:
an upper bound of what a container's limit charges, since pages that the server and the kernels
share, TensorFlow's libraries above all, are counted in each) and of their unique set size (USS:
pages no other process maps, a lower bound). The verdicts use RSS. (PSS would split shared pages
with every other kernel on a shared machine, and so say less than a container is charged.)

Run alone (``.venv/bin/python benchmarks/server_memory.py [--only 05 08]``) it prints a Markdown
section; ``make bench`` (run_all.py) appends that section to its report.
"""

from __future__ import annotations

import argparse
import json
import os
import secrets
import socket
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path

import nbformat
import psutil

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = ROOT / "notebooks"
sys.path.insert(0, str(ROOT / "classroom"))
import jupyter_api  # noqa: E402 - classroom/ is not a package

from helpers.processes import end_processes  # noqa: E402

GUARANTEE_BYTES = 1e9  # mybinder.org: "at least 1GB of RAM, with a maximum of 2GB"
LIMIT_BYTES = 2e9
SAMPLE_EVERY_S = 0.1
MB = 1e6


@dataclass
class Peak:
    rss: float = 0.0
    uss: float = 0.0


class TreeSampler(threading.Thread):
    """Peak RSS and USS sums of a process and its descendants, between reset() and the next reset()."""

    def __init__(self, pid: int) -> None:
        super().__init__(daemon=True)
        self.pid = pid
        self.peak = Peak()
        self._lock = threading.Lock()
        self._done = threading.Event()

    def reset(self) -> Peak:
        with self._lock:
            peak, self.peak = self.peak, Peak()
        return peak

    def run(self) -> None:
        while not self._done.is_set():
            try:
                root = psutil.Process(self.pid)
                procs = [root] + root.children(recursive=True)
            except psutil.NoSuchProcess:
                return
            rss = uss = 0
            for proc in procs:
                try:
                    info = proc.memory_full_info()
                    rss, uss = rss + info.rss, uss + info.uss
                except (psutil.NoSuchProcess, psutil.ZombieProcess, psutil.AccessDenied):
                    continue
            with self._lock:
                self.peak = Peak(max(self.peak.rss, rss), max(self.peak.uss, uss))
            self._done.wait(SAMPLE_EVERY_S)

    def stop(self) -> None:
        self._done.set()
        self.join(timeout=5)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_server(home: Path) -> tuple[subprocess.Popen, jupyter_api.Client]:
    """JupyterLab from this environment on a free 127.0.0.1 port, serving the repository."""
    port, token = free_port(), secrets.token_hex(16)
    dirs = {name: home / name for name in ("config", "data", "runtime")}
    for path in dirs.values():
        path.mkdir()
    env = {**os.environ, "JUPYTER_CONFIG_DIR": str(dirs["config"]), "JUPYTER_DATA_DIR": str(dirs["data"]),
           "JUPYTER_RUNTIME_DIR": str(dirs["runtime"]), "JUPYTER_PLATFORM_DIRS": "0"}
    env.pop("MPLBACKEND", None)
    command = [sys.executable, "-m", "jupyter", "lab", "--no-browser", f"--port={port}",
               "--ServerApp.ip=127.0.0.1", "--ServerApp.port_retries=0", f"--IdentityProvider.token={token}",
               f"--ServerApp.root_dir={ROOT}", "--ServerApp.allow_root=True", "--LabApp.news_url=None",
               "--LabApp.check_for_updates_class=jupyterlab.handlers.announcements.NeverCheckForUpdate"]
    log = open(home / "server.log", "wb")  # noqa: SIM115 - closed with the server in measure()
    server = subprocess.Popen(command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
                              stdin=subprocess.DEVNULL, start_new_session=True)
    client = jupyter_api.Client(f"http://127.0.0.1:{port}", token=token, timeout_s=30)
    deadline = time.monotonic() + 90
    while True:
        if server.poll() is not None or time.monotonic() > deadline:
            raise RuntimeError("JupyterLab did not start:\n" + (home / "server.log").read_text()[-2000:])
        try:
            client.json("GET", "/api/status")
            return server, client
        except (jupyter_api.JupyterAPIError, OSError):
            time.sleep(0.25)


def stop_server(server: subprocess.Popen) -> None:
    """Stop the server and everything it started (kernels run in their own sessions: end them by pid)."""
    try:
        family = [psutil.Process(server.pid)] + psutil.Process(server.pid).children(recursive=True)
    except psutil.NoSuchProcess:
        family = []
    end_processes(family)
    server.wait(timeout=10)


def relative(path: Path) -> str:
    return path.relative_to(ROOT).as_posix()


def measure(paths: list[Path]) -> dict:
    """The figures: server alone, server + 1 kernel per notebook, server + the 2 largest kernels."""
    with tempfile.TemporaryDirectory(prefix="mtp-server-memory-") as home:
        server, client = start_server(Path(home))
        sampler = TreeSampler(server.pid)
        try:
            sampler.start()
            time.sleep(2)  # let the server settle after its first answer
            alone = sampler.reset()
            one: dict[str, tuple[Peak, str]] = {}
            for path in paths:
                sampler.reset()
                run = jupyter_api.run_notebook(client, "/", relative(path), nbformat.read(path, 4).cells)
                time.sleep(2 * SAMPLE_EVERY_S)
                one[path.stem] = (sampler.reset(), run.error)
                print(f"{path.stem}: server + 1 kernel {one[path.stem][0].rss / MB:.0f} MB"
                      + (f"  FAILED {run.error}" if run.error else ""), file=sys.stderr, flush=True)
            largest = sorted(paths, key=lambda p: one[p.stem][0].rss, reverse=True)[:2]
            if len(largest) < 2:
                return {"alone": alone, "one": one, "two": None}
            sampler.reset()
            opened = [jupyter_api.run_notebook(client, "/", relative(p), nbformat.read(p, 4).cells,
                                               keep_open=True) for p in largest]
            time.sleep(2 * SAMPLE_EVERY_S)
            two = sampler.reset()
            for session in client.json("GET", "/api/sessions"):
                jupyter_api.close_session(client, "/", session["id"])
        finally:
            sampler.stop()
            stop_server(server)
    return {"alone": alone, "one": one, "two": (two, [p.stem for p in largest],
                                                 [r.error for r in opened if r.error])}


def verdict(value: float, bound: float) -> str:
    return "within" if value <= bound else "**over**"


def markdown(figures: dict) -> str:
    alone, one = figures["alone"], figures["one"]
    two, pair, errors = figures["two"] or (None, [], [])
    worst = max(one, key=lambda name: one[name][0].rss)
    lines = [
        "### A Jupyter server with one and with two notebooks open",
        "",
        "JupyterLab from this environment, every cell of the notebook run through the server's API; "
        "RSS sums count pages that the server and its kernels share in each of them (an upper bound), "
        "USS sums only pages no other process maps (a lower bound); the verdicts use RSS.",
        "",
        "| what is open | RSS (MB) | USS (MB) | 1 GB guarantee | 2 GB limit |",
        "| --- | ---: | ---: | --- | --- |",
        f"| the server alone | {alone.rss / MB:.0f} | {alone.uss / MB:.0f} | | |",
    ]
    for name, (peak, error) in one.items():
        label = f"server + {name}" + (f" (failed: {error})" if error else "")
        lines.append(f"| {label} | {peak.rss / MB:.0f} | {peak.uss / MB:.0f} | "
                     f"{verdict(peak.rss, GUARANTEE_BYTES)} | {verdict(peak.rss, LIMIT_BYTES)} |")
    lines += ["", f"With one notebook open the largest is {worst} ({one[worst][0].rss / MB:.0f} MB RSS)."]
    if two is not None:
        lines.insert(-2, f"| **server + {' + '.join(pair)}, both open** | **{two.rss / MB:.0f}** | "
                         f"**{two.uss / MB:.0f}** | {verdict(two.rss, GUARANTEE_BYTES)} | "
                         f"{verdict(two.rss, LIMIT_BYTES)} |")
        lines[-1] += f" With two open: {two.rss / MB:.0f} MB RSS ({two.uss / MB:.0f} MB USS)."
    if errors:
        lines.append(f"Failures while two were open: {errors}.")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", nargs="*", metavar="NN", help="these notebooks only, e.g. 05 08")
    parser.add_argument("--json", type=Path, help="also write the figures, in bytes, to this file")
    args = parser.parse_args(argv)
    paths = [p for p in sorted(NOTEBOOKS.glob("[0-9][0-9]-*.ipynb"))
             if not args.only or p.name[:2] in args.only]
    if not paths:
        raise SystemExit("no notebooks matched")
    figures = measure(paths)
    print(markdown(figures))
    if args.json:
        args.json.write_text(json.dumps(figures, default=lambda o: o.__dict__, indent=1))
    return 1 if any(error for _, error in figures["one"].values()) or (figures["two"] or [0, 0, []])[2] else 0


if __name__ == "__main__":
    sys.exit(main())
