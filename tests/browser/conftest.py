"""Fixtures that start a private JupyterLab and drive it from headless Chromium with Playwright.

The server runs from this project's own environment (``sys.executable``) on a free localhost port
with a random token, with settings, workspaces, runtime files and checkpoints in a temporary folder,
so a run neither reads nor writes anything of the user's Jupyter set-up and leaves nothing behind in
the repository. Chromium may only talk to that server: every other request is refused.

Without Chromium the tests skip, saying how to install it; with ``MTP_REQUIRE_BROWSER=1`` (CI sets
it) a missing browser is a failure instead.
"""

from __future__ import annotations

import json
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import psutil
import pytest

ROOT = Path(__file__).resolve().parents[2]
SCREENSHOTS = ROOT / "artifacts" / "screenshots"
CHROMIUM_CANDIDATES = ("/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome")
INSTALL_HINT = (
    "Chromium not found, so the browser test cannot run. Install it with "
    "`sudo apt-get install -y chromium` (Debian/Ubuntu), or point MTP_CHROMIUM at a Chromium or Chrome "
    "binary. Set MTP_REQUIRE_BROWSER=1 to make a missing browser a failure instead of a skip."
)
SERVER_START_TIMEOUT_S = 90
KERNEL_READY_TIMEOUT_S = 90
RUN_ALL_TIMEOUT_S = 240
# An error output (not a warning on stderr) always has one of these; IPython writes the second for
# syntax errors, which have no "Traceback" line.
ERROR_OUTPUT = re.compile(r"Traceback \(most recent call last\)|^\s*Cell In\s*\[\d+\], line \d+", re.M)

# The user settings of the test's JupyterLab: only no autosave (running the notebook must not save its
# outputs). No news or update settings: the environment's own defaults (helpers.lab_settings, the
# overrides.d file `make install` writes) must keep the news prompt away, as for a learner.
LAB_SETTINGS = {
    "@jupyterlab/docmanager-extension/plugin.jupyterlab-settings": {"autosave": False},
}
# Anything that stands in a learner's way after a notebook opens: a dialog, or a toast notification
# (JupyterLab's "get notified about news?" question is a toast).
POPUPS = ".jp-Dialog, .Toastify__toast"
POPUP_GRACE_S = 5  # JupyterLab asks its news question a moment after it starts
CHROMIUM_ARGS = [
    "--no-sandbox",  # needed as root (CI containers); harmless otherwise
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-default-apps",
    "--disable-extensions",
    "--no-first-run",
    "--no-default-browser-check",
    "--metrics-recording-only",
    "--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE 127.0.0.1",
]


# What the terminal summary reports, so a CI log shows that the browser tests really ran.
SUMMARY: dict[str, object] = {"chromium": None, "reports": []}


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    if report.nodeid.startswith("tests/browser/") and (report.when == "call" or report.outcome != "passed"):
        SUMMARY["reports"].append(report)


def pytest_terminal_summary(terminalreporter) -> None:
    reports = SUMMARY["reports"]
    if not reports:
        return
    terminalreporter.section("browser tests (real JupyterLab in headless Chromium)")
    if SUMMARY["chromium"]:
        terminalreporter.write_line(f"Chromium {SUMMARY['chromium']}; screenshots in {SCREENSHOTS}")
    for report in reports:
        terminalreporter.write_line(f"{report.outcome.upper():<8} {report.when:<8} {report.duration:6.1f} s  "
                                    f"{report.nodeid}")


def browser_required() -> bool:
    return os.environ.get("MTP_REQUIRE_BROWSER", "") not in ("", "0")


def skip_or_fail(message: str) -> None:
    if browser_required():
        pytest.fail(f"MTP_REQUIRE_BROWSER is set: {message}", pytrace=False)
    pytest.skip(message)


def find_chromium() -> str | None:
    """The Chromium binary to use: $MTP_CHROMIUM, else the first of CHROMIUM_CANDIDATES, else PATH."""
    configured = os.environ.get("MTP_CHROMIUM")
    if configured:
        return configured if Path(configured).is_file() else None
    for candidate in CHROMIUM_CANDIDATES:
        if Path(candidate).is_file():
            return candidate
    return shutil.which("chromium") or shutil.which("chromium-browser")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class LabServer:
    """A running JupyterLab: where it listens, its token, and the process that serves it."""

    port: int
    token: str
    process: subprocess.Popen
    runtime_dir: Path
    log_path: Path
    kernel_pids: set[int] = field(default_factory=set)

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def url(self, path: str) -> str:
        """The URL that opens `path` (relative to the repository root) in a fresh JupyterLab workspace."""
        return f"{self.base_url}/lab/tree/{path}?reset&token={self.token}"

    def api(self, path: str, method: str = "GET") -> object:
        request = urllib.request.Request(
            f"{self.base_url}/api/{path}", method=method,
            headers={"Authorization": f"token {self.token}"},
        )
        with urllib.request.urlopen(request, timeout=10) as response:
            body = response.read()
        return json.loads(body) if body else None

    def remember_kernels(self) -> None:
        """Note the kernels' process ids so teardown can make sure they are gone."""
        for proc in self.own_processes():
            self.kernel_pids.add(proc.pid)

    def shut_down_kernels(self) -> None:
        """Shut down every session's kernel through the REST API (what closing a notebook does)."""
        self.remember_kernels()
        for session in self.api("sessions"):
            self.api(f"sessions/{session['id']}", method="DELETE")

    def log_tail(self, lines: int = 40) -> str:
        return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])

    def own_processes(self) -> list[psutil.Process]:
        """The server, its children, and any kernel started with a connection file in our runtime dir.

        Kernels run in their own process session, so killing the server's process group misses them.
        """
        found = {}
        try:
            server = psutil.Process(self.process.pid)
            found[server.pid] = server
            found.update({child.pid: child for child in server.children(recursive=True)})
        except psutil.NoSuchProcess:
            pass
        marker = str(self.runtime_dir)
        for proc in psutil.process_iter(["cmdline"]):
            if any(marker in part for part in proc.info["cmdline"] or ()):
                found[proc.pid] = proc
        for pid in self.kernel_pids:
            if psutil.pid_exists(pid):
                try:
                    found[pid] = psutil.Process(pid)
                except psutil.NoSuchProcess:
                    pass
        return list(found.values())


def wait_until_answering(server: LabServer) -> None:
    deadline = time.monotonic() + SERVER_START_TIMEOUT_S
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            raise RuntimeError(f"JupyterLab exited with {server.process.returncode}:\n{server.log_tail()}")
        try:
            server.api("status")
            return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            time.sleep(0.25)
    raise RuntimeError(f"JupyterLab did not answer within {SERVER_START_TIMEOUT_S} s:\n{server.log_tail()}")


def stop(server: LabServer) -> None:
    """Shut down kernels and the server politely, then kill whatever is left; raise if anything survives."""
    try:
        server.shut_down_kernels()
        server.api("shutdown", method="POST")
        server.process.wait(timeout=20)
    except Exception:  # noqa: BLE001 - whatever went wrong, the processes still have to go
        pass
    leftovers = server.own_processes()
    if server.process.poll() is None:
        with _ignore_missing():
            os.killpg(server.process.pid, signal.SIGTERM)
    for proc in leftovers:
        with _ignore_missing():
            proc.terminate()
    _, alive = psutil.wait_procs(leftovers, timeout=10)
    for proc in alive:
        with _ignore_missing():
            proc.kill()
    psutil.wait_procs(alive, timeout=10)
    with _ignore_missing():
        server.process.wait(timeout=10)
    survivors = [p for p in server.own_processes() if p.is_running() and p.status() != psutil.STATUS_ZOMBIE]
    if survivors:
        raise RuntimeError(f"processes left behind by the JupyterLab fixture: {survivors}")


class _ignore_missing:
    def __enter__(self) -> None:
        return None

    def __exit__(self, kind, value, traceback) -> bool:
        return kind is not None and issubclass(kind, (ProcessLookupError, psutil.NoSuchProcess,
                                                      subprocess.TimeoutExpired))


@pytest.fixture(scope="session")
def chromium_path() -> str:
    path = find_chromium()
    if path is None:
        skip_or_fail(INSTALL_HINT)
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        skip_or_fail("the `playwright` package is missing: run `make install` (it is a dev dependency).")
    return path


@pytest.fixture(scope="session")
def lab_server(chromium_path: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[LabServer]:
    """One JupyterLab for the whole session, serving the repository root."""
    home = tmp_path_factory.mktemp("jupyterlab")
    names = ("config", "data", "runtime", "settings", "workspaces", "checkpoints")
    dirs = {name: home / name for name in names}
    for path in dirs.values():
        path.mkdir()
    for relative, values in LAB_SETTINGS.items():
        target = dirs["settings"] / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(json.dumps(values))
    env = {
        **os.environ,
        "JUPYTER_CONFIG_DIR": str(dirs["config"]),
        "JUPYTER_DATA_DIR": str(dirs["data"]),
        "JUPYTER_RUNTIME_DIR": str(dirs["runtime"]),
        "JUPYTERLAB_SETTINGS_DIR": str(dirs["settings"]),
        "JUPYTERLAB_WORKSPACES_DIR": str(dirs["workspaces"]),
        "JUPYTER_PLATFORM_DIRS": "0",
    }
    env.pop("MPLBACKEND", None)  # let the kernel use the inline backend, as a learner's would
    port, token = free_port(), secrets.token_hex(16)
    command = [
        sys.executable, "-m", "jupyter", "lab", "--no-browser",
        f"--port={port}", "--ServerApp.ip=127.0.0.1", "--ServerApp.port_retries=0",
        f"--IdentityProvider.token={token}", f"--ServerApp.root_dir={ROOT}",
        "--ServerApp.allow_root=True", "--ServerApp.terminals_enabled=False",
        "--LabApp.news_url=None",
        "--LabApp.check_for_updates_class=jupyterlab.handlers.announcements.NeverCheckForUpdate",
        "--LabApp.extension_manager=readonly",
        f"--FileCheckpoints.root_dir={dirs['checkpoints']}",
        "--LanguageServerManager.autodetect=False",
    ]
    log_path = home / "server.log"
    with open(log_path, "wb") as log:
        process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
                                   stdin=subprocess.DEVNULL, start_new_session=True)
    server = LabServer(port=port, token=token, process=process, runtime_dir=dirs["runtime"],
                       log_path=log_path)
    try:
        wait_until_answering(server)
        yield server
    finally:
        stop(server)


@pytest.fixture(scope="session")
def browser(chromium_path: str, lab_server: LabServer):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium_path, headless=True, args=CHROMIUM_ARGS)
        SUMMARY["chromium"] = browser.version
        try:
            yield browser
        finally:
            browser.close()


@dataclass
class LabPage:
    """A Playwright page on our JupyterLab, plus what the browser tried to fetch elsewhere."""

    page: object
    server: LabServer
    refused: list[str]
    console_errors: list[str]

    def open_notebook(self, path: str) -> None:
        """Open `path` in JupyterLab and wait until its kernel is connected and idle."""
        self.page.goto(self.server.url(path))
        self.page.locator(".jp-NotebookPanel .jp-Notebook .jp-Cell").first.wait_for(state="visible")
        self.wait_for_idle_kernel(KERNEL_READY_TIMEOUT_S)
        time.sleep(POPUP_GRACE_S)
        assert self.open_dialogs() == [], f"a dialog or notification is open after {path} loaded: " \
                                          f"{self.open_dialogs()}"

    def kernel_status(self) -> str:
        """The status bar's kernel item, e.g. 'Python 3 (ipykernel) | Idle' or 'No Kernel | Initializing'."""
        items = self.page.locator("#jp-main-statusbar .jp-StatusBar-TextItem").all_inner_texts()
        return next((item for item in items if " | " in item), "")

    def wait_for_idle_kernel(self, timeout_s: float) -> None:
        deadline = time.monotonic() + timeout_s
        while not re.fullmatch(r"(?!No Kernel).+ \| Idle", self.kernel_status()):
            if time.monotonic() > deadline:
                raise AssertionError(f"kernel not idle after {timeout_s} s: {self.kernel_status()!r}\n"
                                     f"{self.server.log_tail()}")
            time.sleep(0.25)
        self.server.remember_kernels()

    def prompts(self) -> list[str]:
        """The input prompt of every code cell: '[ ]:' not run, '[*]:' queued or running, '[3]:' done.

        textContent, not innerText: off-screen cells are skipped by CSS content-visibility, and their
        innerText is empty.
        """
        return [text.strip() for text in self.page.locator(".jp-Notebook .jp-CodeCell .jp-InputPrompt")
                .all_text_contents()]

    def run_all_cells(self, timeout_s: float = RUN_ALL_TIMEOUT_S) -> float:
        """Run → Run All Cells from the menu bar; wait until nothing is queued and the kernel is idle.

        Returns the seconds it took. Raises AssertionError naming the cells that did not run (after
        an error JupyterLab stops the run, so the cells below keep an empty prompt).
        """
        self.page.locator(".lm-MenuBar-itemLabel", has_text=re.compile(r"^Run$")).click()
        self.page.locator(".lm-Menu-itemLabel", has_text=re.compile(r"^Run All Cells$")).click()
        start = deadline = time.monotonic()
        deadline += timeout_s
        settled = 0
        while settled < 3:  # three quiet polls in a row: nothing queued, kernel idle
            if time.monotonic() > deadline:
                raise AssertionError(f"cells still running after {timeout_s} s: {self.prompts()}")
            time.sleep(0.3)
            prompts = self.prompts()
            quiet = "[*]:" not in prompts and self.kernel_status().endswith("| Idle")
            started = any(re.fullmatch(r"\[\d+\]:", p) for p in prompts)
            settled = settled + 1 if quiet and started else 0
        seconds = time.monotonic() - start
        not_run = [i for i, p in enumerate(self.prompts()) if not re.fullmatch(r"\[\d+\]:", p)]
        assert not not_run, (f"code cells {not_run} (0-based) did not run; the run stopped early:\n"
                             + "\n\n".join(self.error_outputs()))
        return seconds

    def error_outputs(self, expected: frozenset[int] = frozenset()) -> list[str]:
        """Texts of error outputs (tracebacks), except in the cells numbered in ``expected``: those
        tagged ``raises-exception``, whose error is the lesson. Warnings on stderr do not count."""
        stderr = '.jp-OutputArea-output[data-mime-type="application/vnd.jupyter.stderr"]'
        texts = []
        for index, cell in enumerate(self.page.locator(".jp-Notebook .jp-Cell").all()):
            if index not in expected:
                outputs = cell.locator(stderr).all_text_contents()
                texts += [text for text in outputs if ERROR_OUTPUT.search(text)]
        return texts

    def open_dialogs(self) -> list[str]:
        """The text of every open dialog or toast notification."""
        return self.page.locator(POPUPS).all_text_contents()


@pytest.fixture
def lab_page(browser, lab_server: LabServer) -> Iterator[LabPage]:
    """A fresh browser context (no cookies, no storage) whose requests may only go to our server."""
    context = browser.new_context(viewport={"width": 1400, "height": 1800}, device_scale_factor=1)
    refused: list[str] = []
    console_errors: list[str] = []
    local = (f"http://127.0.0.1:{lab_server.port}/", f"ws://127.0.0.1:{lab_server.port}/")

    def only_local(route) -> None:
        url = route.request.url
        if url.startswith(local) or url.startswith(("data:", "blob:")):
            route.continue_()
        else:
            refused.append(url)
            route.abort()

    context.route("**/*", only_local)
    page = context.new_page()
    page.set_default_timeout(60_000)
    page.on("console", lambda msg: console_errors.append(msg.text) if msg.type == "error" else None)
    try:
        yield LabPage(page=page, server=lab_server, refused=refused, console_errors=console_errors)
    finally:
        lab_server.shut_down_kernels()
        context.close()


@pytest.fixture(scope="session")
def screenshots() -> Path:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    return SCREENSHOTS
