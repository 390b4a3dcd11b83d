"""A class on a real JupyterHub on this machine: N students log in, get the series, run two notebooks.

    .venv/bin/python classroom/loadtest.py --students 10 --write-readme   # = make classroom-bench
    .venv/bin/python classroom/loadtest.py --students 3 --json out.json   # CI: tests/test_classroom.py

What happens:

1. a bare clone (`git clone --bare`) of this repository's committed HEAD stands in for GitHub;
2. JupyterHub starts with classroom/jupyterhub_config.py from the classroom environment
   (build/classroom-venv and build/classroom-node: `make classroom-install`), listening on 127.0.0.1
   only, on free ports, with its state and the students' homes in a temporary folder;
3. every student, at the same time: logs in with the shared password, follows the nbgitpuller link
   (the hub starts their server, nbgitpuller clones the series into their home), opens notebook 00
   and runs every cell, shuts its kernel down, does the same with notebook 06 (the masking explorer),
   and logs out (which stops their server). Students talk to their kernels through the hub's proxy,
   with the REST and WebSocket API that JupyterLab uses (classroom/jupyter_api.py); student 1 instead
   uses JupyterLab itself in headless Chromium (Run All Cells from the menu), unless ``--browser-students 0``;
4. a sampler records every 0.25 s the memory and CPU time of each student's server and kernels, of
   the hub side (hub, proxy, idle culler) and of the whole machine;
5. the hub is stopped and every process it started is ended (its process group and any process
   carrying this run's marker), in ``finally``: nothing is left behind, and the run stops by itself
   after ``--deadline`` seconds at most.

It only ever talks to a hub it started itself on a loopback address: ``--hub-ip`` must be one
(127.0.0.1 by default), and N is bounded (MAX_STUDENTS, and by the memory the machine has free).
It prints a Markdown report; ``--write-readme`` puts it into classroom/README.md and the figures into
classroom/bench.json, from which classroom/values.yaml takes its memory guarantee and limit.
"""

from __future__ import annotations

import argparse
import datetime as dt
import ipaddress
import json
import math
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from dataclasses import asdict, dataclass, field
from pathlib import Path

import psutil

sys.path.insert(0, str(Path(__file__).resolve().parent))
import jupyter_api  # noqa: E402 - the folder is not a package

from helpers.processes import end_processes, replace_marked_section  # noqa: E402

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
README = HERE / "README.md"
BENCH_JSON = HERE / "bench.json"
START, END = "<!-- classroom:start -->", "<!-- classroom:end -->"
ENV_DIR = ROOT / "build" / "classroom-venv"
PROXY = ROOT / "build" / "classroom-node" / "node_modules" / ".bin" / "configurable-http-proxy"

DEFAULT_STUDENTS = 10
MAX_STUDENTS = 16
MEMORY_PER_STUDENT = 1 << 30  # refuse to start unless this much per student (and 1 GiB more) is free
DEFAULT_DEADLINE_S = 1200
NOTEBOOKS = ("00-start-here.ipynb", "06-what-bidirectional-returns.ipynb")
REPO_NAME = "mind-the-pad"  # nbgitpuller's target folder in each home: the repository URL's last part
GITHUB_REPO = "https://github.com/mind-the-pad/mind-the-pad"
BRANCH = "main"
SAMPLE_EVERY_S = 0.25
PSS_EVERY = 4  # proportional set size (shared pages split) on every 4th sample: it costs more to read
GIB = 1 << 30
MB = 1e6
NOTEBOOK_PANEL = ".jp-NotebookPanel:not(.lm-mod-hidden)"  # the notebook in view, not one in a hidden tab
CHROMIUM_CANDIDATES = ("/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome")
CHROMIUM_ARGS = [  # as tests/browser/conftest.py: no sandbox as root, nothing that reaches the internet
    "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--disable-default-apps", "--disable-extensions",
    "--no-first-run", "--no-default-browser-check", "--metrics-recording-only",
    "--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE 127.0.0.1",
]


# --- what the load test accepts ------------------------------------------------------------------


def check_hub_ip(text: str) -> str:
    """`text` if it is a loopback IPv4 address (127.0.0.0/8); SystemExit with the reason otherwise."""
    try:
        address = ipaddress.ip_address(text)
    except ValueError:
        raise SystemExit(f"--hub-ip: expected a loopback IP address such as 127.0.0.1, got {text!r} "
                         "(host names are refused: this load test never leaves this machine)") from None
    if address.version != 4 or not address.is_loopback:
        raise SystemExit(f"--hub-ip: {text} is not a loopback IPv4 address (127.0.0.0/8); this load "
                         "test only talks to a hub on this machine, on 127.0.0.1 by default")
    return text


def check_students(count: int, available_bytes: int | None = None) -> int:
    """`count` if 1 <= count <= MAX_STUDENTS and the machine has the memory; SystemExit otherwise."""
    if not isinstance(count, int) or isinstance(count, bool):
        raise SystemExit(f"--students: expected a whole number, got {count!r}")
    if not 1 <= count <= MAX_STUDENTS:
        raise SystemExit(f"--students: expected 1 to {MAX_STUDENTS} students, got {count}: every student "
                         f"runs a TensorFlow kernel (about 0.7 GB) on this one machine")
    available = psutil.virtual_memory().available if available_bytes is None else available_bytes
    needed = (count + 1) * MEMORY_PER_STUDENT
    if available < needed:
        raise SystemExit(f"--students: {count} students need about {needed / GIB:.0f} GiB free, but this "
                         f"machine has {available / GIB:.1f} GiB available; ask for fewer")
    return count


def nbgitpuller_link(hub_url: str, repo_url: str, notebook: str = NOTEBOOKS[0], branch: str = BRANCH) -> str:
    """The link that pulls `repo_url` into each student's home and opens `notebook` in JupyterLab."""
    target = repo_url.rstrip("/").split("/")[-1]
    query = urllib.parse.urlencode({"repo": repo_url, "branch": branch,
                                    "urlpath": f"lab/tree/{target}/notebooks/{notebook}"})
    return f"{hub_url.rstrip('/')}/hub/user-redirect/git-pull?{query}"


def memory_settings(peak_bytes: float) -> tuple[str, str]:
    """(guarantee, limit) for one student from their measured peak (server plus one open notebook).

    Guarantee: the peak plus 10 %, rounded up to 0.25 GiB. Limit: twice that, so that a second open
    notebook (another kernel, about 0.6 GB) fits. JupyterHub's units: 1G = 2**30 bytes.
    """
    if peak_bytes <= 0:
        raise ValueError(f"peak_bytes: expected a positive peak, got {peak_bytes}")
    quarters = math.ceil(peak_bytes * 1.1 / (GIB / 4))

    def text(q: int) -> str:
        return f"{q // 4}G" if q % 4 == 0 else f"{q * 256}M"

    return text(quarters), text(2 * quarters)


# --- measuring -------------------------------------------------------------------------------------


def read_environ(pid: int) -> dict[str, str]:
    try:
        raw = Path(f"/proc/{pid}/environ").read_bytes()
    except OSError:
        return {}
    return dict(item.split("=", 1) for item in raw.decode(errors="replace").split("\0") if "=" in item)


@dataclass
class Usage:
    """Peaks over a run, in bytes, and CPU seconds."""

    peak_rss: float = 0.0
    peak_pss: float = 0.0
    cpu_s: float = 0.0


class Sampler(threading.Thread):
    """Samples the hub's process tree: per student (by JUPYTERHUB_USER), the hub side, the total, and
    the machine's used memory (total minus available)."""

    def __init__(self, hub_pid: int) -> None:
        super().__init__(daemon=True)
        self.hub_pid = hub_pid
        self.students: dict[str, Usage] = {}
        self.hub = Usage()
        self.total = Usage()
        self.machine_baseline = psutil.virtual_memory().total - psutil.virtual_memory().available
        self.machine_peak = self.machine_baseline
        self.seen: dict[int, tuple[str, float]] = {}  # pid -> (owner, last CPU seconds)
        self._owners: dict[int, str] = {}
        self._done = threading.Event()

    def owner(self, proc: psutil.Process) -> str:
        if proc.pid not in self._owners:
            self._owners[proc.pid] = read_environ(proc.pid).get("JUPYTERHUB_USER", "") or "(hub)"
        return self._owners[proc.pid]

    def run(self) -> None:
        tick = 0
        while not self._done.is_set():
            self.sample(with_pss=tick % PSS_EVERY == 0)
            tick += 1
            self._done.wait(SAMPLE_EVERY_S)

    def sample(self, with_pss: bool) -> None:
        try:
            hub = psutil.Process(self.hub_pid)
            procs = [hub] + hub.children(recursive=True)
        except psutil.NoSuchProcess:
            return
        rss: dict[str, float] = {}
        pss: dict[str, float] = {}
        for proc in procs:
            try:
                owner = self.owner(proc)
                with proc.oneshot():
                    rss[owner] = rss.get(owner, 0) + proc.memory_info().rss
                    if with_pss:
                        pss[owner] = pss.get(owner, 0) + proc.memory_full_info().pss
                    times = proc.cpu_times()
                self.seen[proc.pid] = (owner, times.user + times.system)
            except (psutil.NoSuchProcess, psutil.ZombieProcess, psutil.AccessDenied):
                continue
        for owner, value in rss.items():
            usage = self.hub if owner == "(hub)" else self.students.setdefault(owner, Usage())
            usage.peak_rss = max(usage.peak_rss, value)
            usage.peak_pss = max(usage.peak_pss, pss.get(owner, 0))
        self.total.peak_rss = max(self.total.peak_rss, sum(rss.values()))
        self.total.peak_pss = max(self.total.peak_pss, sum(pss.values()))
        memory = psutil.virtual_memory()
        self.machine_peak = max(self.machine_peak, memory.total - memory.available)

    def stop(self) -> None:
        self._done.set()
        self.join(timeout=10)
        for usage in [self.hub, self.total, *self.students.values()]:
            usage.cpu_s = 0.0
        for owner, cpu in self.seen.values():
            (self.hub if owner == "(hub)" else self.students.setdefault(owner, Usage())).cpu_s += cpu
            self.total.cpu_s += cpu


# --- one student ---------------------------------------------------------------------------------


@dataclass
class StudentResult:
    name: str
    via: str  # "API" or "Chromium"
    login_to_first_result_s: float | None = None
    notebook_s: dict[str, float] = field(default_factory=dict)
    session_s: float = 0.0
    failures: list[str] = field(default_factory=list)
    peak_rss: float = 0.0
    peak_pss: float = 0.0
    cpu_s: float = 0.0


@dataclass
class Class:
    """What one student needs to know about the class they join."""

    hub_url: str
    repo_url: str
    password: str
    deadline: float  # time.monotonic() by which every student must be done


def wait_for_server(client: jupyter_api.Client, page: str, timeout_s: float) -> None:
    """Follow the spawn-pending page's progress stream (as its JavaScript does) until the server is up."""
    match = re.search(r'new EventSource\("([^"]+)"\)', page)
    if not match:
        return  # already running: the hub redirected straight to the server
    url = match.group(1).encode().decode("unicode_escape").replace("&amp;", "&")
    request = jupyter_api.urllib.request.Request(client.base_url + url)
    with client.opener.open(request, timeout=timeout_s) as stream:
        for raw in stream:
            line = raw.decode(errors="replace").strip()
            if not line.startswith("data:"):
                continue
            event = json.loads(line[5:])
            if event.get("failed"):
                message = event.get("message")
                raise jupyter_api.JupyterAPIError(f"the hub could not start the server: {message}")
            if event.get("ready"):
                return
    raise jupyter_api.JupyterAPIError("the spawn progress stream ended before the server was ready")


def pull(client: jupyter_api.Client, prefix: str, repo_url: str) -> None:
    """nbgitpuller's sync API, as its page calls it; raises unless it reports 'finished'."""
    query = urllib.parse.urlencode({"repo": repo_url, "branch": BRANCH, "targetpath": REPO_NAME})
    _, _, body = client.request("GET", f"{prefix}git-pull/api?{query}")
    events = [json.loads(line[5:]) for line in body.decode().splitlines() if line.startswith("data:")]
    if not events or events[-1].get("phase") != "finished":
        raise jupyter_api.JupyterAPIError(f"nbgitpuller did not finish: {events[-1:] or body[-300:]}")


def api_student(name: str, klass: Class) -> StudentResult:
    """Log in, follow the nbgitpuller link, run each notebook with the kernel API, log out."""
    result = StudentResult(name=name, via="API")
    client = jupyter_api.Client(klass.hub_url, timeout_s=120)
    prefix = f"/user/{name}/"
    start = time.monotonic()
    try:
        client.request("GET", "/hub/login")
        link = nbgitpuller_link("", klass.repo_url)
        form = urllib.parse.urlencode({"username": name, "password": klass.password,
                                       "_xsrf": client.cookie("_xsrf", "/hub/login")}).encode()
        _, url, page = client.request("POST", "/hub/login?" + urllib.parse.urlencode({"next": link}), form,
                                      {"Content-Type": "application/x-www-form-urlencoded"})
        if "/hub/login" in url:
            raise jupyter_api.JupyterAPIError("login refused")
        wait_for_server(client, page.decode(errors="replace"), klass.deadline - time.monotonic())
        client.request("GET", link)  # the git-pull page: OAuth to the student's server, its cookies
        pull(client, prefix, klass.repo_url)
        for notebook in NOTEBOOKS:
            path = f"{REPO_NAME}/notebooks/{notebook}"
            content = client.json("GET", f"{prefix}api/contents/{urllib.parse.quote(path)}?content=1")
            cells = content["content"]["cells"]
            remaining = klass.deadline - time.monotonic()
            run = jupyter_api.run_notebook(client, prefix, path, cells,
                                           cell_timeout_s=min(jupyter_api.CELL_TIMEOUT_S, remaining))
            result.notebook_s[notebook] = run.seconds
            if run.first_output_at and result.login_to_first_result_s is None:
                result.login_to_first_result_s = run.first_output_at - start
            if run.error:
                result.failures.append(f"{notebook}: {run.error}")
            elif run.cells_run != run.cells:
                result.failures.append(f"{notebook}: ran {run.cells_run} of {run.cells} code cells")
        client.request("GET", "/hub/logout")
    except Exception as exc:  # noqa: BLE001 - a student's failure is reported, not fatal to the class
        result.failures.append(f"{type(exc).__name__}: {str(exc)[:400]}")
    result.session_s = time.monotonic() - start
    return result


def find_chromium() -> str | None:
    configured = os.environ.get("MTP_CHROMIUM")
    if configured:
        return configured if Path(configured).is_file() else None
    return next((c for c in CHROMIUM_CANDIDATES if Path(c).is_file()), None) or shutil.which("chromium")


def browser_student(name: str, klass: Class) -> StudentResult:
    """The same session in JupyterLab in headless Chromium: the login form, the link, Run All Cells."""
    result = StudentResult(name=name, via="Chromium")
    start = time.monotonic()
    chromium = find_chromium()
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        result.failures.append("playwright is not installed (a dev dependency: make install)")
        return result
    if chromium is None:
        result.failures.append("Chromium not found (apt-get install chromium, or set MTP_CHROMIUM)")
        return result
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=chromium, headless=True, args=CHROMIUM_ARGS)
            try:
                context = browser.new_context(viewport={"width": 1400, "height": 1800})
                local = (klass.hub_url + "/", klass.hub_url.replace("http://", "ws://") + "/")
                context.route("**/*", lambda route: route.continue_() if route.request.url.startswith(
                    local + ("data:", "blob:")) else route.abort())
                page = context.new_page()
                page.set_default_timeout(120_000)
                lab = LabDriver(page, klass, name)
                lab.log_in()
                for notebook in NOTEBOOKS:
                    lab.open(notebook)
                    seconds, first_output = lab.run_all(klass.deadline - time.monotonic())
                    result.notebook_s[notebook] = seconds
                    if first_output and result.login_to_first_result_s is None:
                        result.login_to_first_result_s = first_output - start
                    failure = lab.failure()
                    shots = os.environ.get("MTP_CLASSROOM_SCREENSHOTS")  # a folder: see what the student saw
                    if shots:
                        page.screenshot(path=str(Path(shots) / f"{notebook}.png"))
                    if failure:
                        result.failures.append(f"{notebook}: {failure}")
                    lab.shut_down_kernels()
                page.goto(f"{klass.hub_url}/hub/logout")
            finally:
                browser.close()
    except Exception as exc:  # noqa: BLE001
        result.failures.append(f"{type(exc).__name__}: {str(exc).splitlines()[0][:400]}")
    result.session_s = time.monotonic() - start
    return result


class LabDriver:
    """JupyterLab through Playwright, for one student (selectors as in tests/browser/conftest.py)."""

    def __init__(self, page, klass: Class, name: str) -> None:
        self.page, self.klass, self.name = page, klass, name
        self.prefix = f"/user/{name}/"

    def log_in(self) -> None:
        """The hub's login form, then the nbgitpuller link: it lands on notebook 00 in JupyterLab."""
        link = nbgitpuller_link(self.klass.hub_url, self.klass.repo_url)
        self.page.goto(f"{self.klass.hub_url}/hub/login?" + urllib.parse.urlencode({"next": link[len(
            self.klass.hub_url):]}))
        self.page.fill("#username_input", self.name)
        self.page.fill("#password_input", self.klass.password)
        self.page.click("#login_submit")
        self.page.wait_for_url(re.compile(r".*/lab/tree/.*"), timeout=self._left_ms())
        self.wait_for_notebook()

    def _left_ms(self) -> float:
        return max(1000.0, (self.klass.deadline - time.monotonic()) * 1000)

    def open(self, notebook: str) -> None:
        if not self.page.url.split("?")[0].endswith(notebook):
            # ?reset: a fresh workspace, so that the notebook before this one is not reopened beside it
            self.page.goto(f"{self.klass.hub_url}{self.prefix}lab/tree/{REPO_NAME}/notebooks/{notebook}?reset")
            self.wait_for_notebook()

    def wait_for_notebook(self) -> None:
        self.page.locator(f"{NOTEBOOK_PANEL} .jp-Notebook .jp-Cell").first.wait_for(state="visible",
                                                                                  timeout=self._left_ms())
        deadline = self.klass.deadline
        while not re.fullmatch(r"(?!No Kernel).+ \| Idle", self.kernel_status()):
            if time.monotonic() > deadline:
                raise TimeoutError(f"kernel not idle: {self.kernel_status()!r}")
            time.sleep(0.25)

    def kernel_status(self) -> str:
        items = self.page.locator("#jp-main-statusbar .jp-StatusBar-TextItem").all_inner_texts()
        return next((item for item in items if " | " in item), "")

    def prompts(self) -> list[str]:
        """Input prompts of the notebook in view ('[3]:' ran); textContent, as off-screen cells have no
        innerText."""
        return [t.strip() for t in self.page.locator(f"{NOTEBOOK_PANEL} .jp-CodeCell .jp-InputPrompt")
                .all_text_contents()]

    def run_all(self, timeout_s: float) -> tuple[float, float | None]:
        """Run → Run All Cells; wait until nothing is queued and the kernel is idle. Returns the seconds
        it took and when the first output appeared (time.monotonic())."""
        self.page.locator(".lm-MenuBar-itemLabel", has_text=re.compile(r"^Run$")).click()
        self.page.locator(".lm-Menu-itemLabel", has_text=re.compile(r"^Run All Cells$")).click()
        start = time.monotonic()
        first_output, settled = None, 0
        while settled < 3:
            if time.monotonic() - start > timeout_s:
                raise TimeoutError(f"cells still running after {timeout_s:.0f} s")
            time.sleep(0.3)
            if first_output is None and self.page.locator(f"{NOTEBOOK_PANEL} .jp-OutputArea-output").count():
                first_output = time.monotonic()
            prompts = self.prompts()
            quiet = "[*]:" not in prompts and self.kernel_status().endswith("| Idle")
            settled = settled + 1 if quiet and any(re.fullmatch(r"\[\d+\]:", p) for p in prompts) else 0
        return time.monotonic() - start, first_output

    def failure(self) -> str:
        not_run = [i for i, p in enumerate(self.prompts()) if not re.fullmatch(r"\[\d+\]:", p)]
        return f"code cells {not_run} (0-based) did not run" if not_run else ""

    def shut_down_kernels(self) -> None:
        """What "Shut Down Kernel" does, through the API with the page's cookies."""
        server = f"{self.klass.hub_url}{self.prefix}"
        cookies = {c["name"]: c["value"] for c in self.page.context.cookies(server)}
        headers = {"X-XSRFToken": cookies.get("_xsrf", "")}
        api = self.page.context.request
        for session in api.get(f"{self.klass.hub_url}{self.prefix}api/sessions").json():
            api.delete(f"{self.klass.hub_url}{self.prefix}api/sessions/{session['id']}", headers=headers)


# --- the class -------------------------------------------------------------------------------------


@dataclass
class ClassResult:
    students: list[StudentResult]
    hub: Usage
    total: Usage
    machine_baseline: float
    machine_peak: float
    wall_s: float
    commit: str
    left_behind: list[str]
    failures: list[str]
    started: str
    machine: str
    run_id: str


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def processes_of_run(run_id: str, also: set[int]) -> list[psutil.Process]:
    """Every live process of this run: the pids seen and any process whose environment has the marker."""
    found = {}
    marker = f"MTP_CLASSROOM_RUN={run_id}".encode()
    for proc in psutil.process_iter():
        try:
            if proc.pid in also or marker in Path(f"/proc/{proc.pid}/environ").read_bytes():
                if proc.status() != psutil.STATUS_ZOMBIE:
                    found[proc.pid] = proc
        except (OSError, psutil.NoSuchProcess, psutil.ZombieProcess):
            continue
    return [p for p in found.values() if p.pid != os.getpid()]


def stop_everything(hub: subprocess.Popen, run_id: str, seen: set[int]) -> list[str]:
    """Stop the hub politely (it stops the students' servers and its proxy), then end whatever is left:
    the hub's process group, every process seen during the run, every process with the run's marker.
    Returns descriptions of processes that would not die."""
    if hub.poll() is None:
        hub.send_signal(signal.SIGTERM)
        try:
            hub.wait(timeout=45)
        except subprocess.TimeoutExpired:
            pass
    try:
        os.killpg(hub.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass
    end_processes(processes_of_run(run_id, seen))
    try:
        hub.wait(timeout=10)
    except subprocess.TimeoutExpired:
        pass
    return [f"{p.pid} {' '.join(p.cmdline())[:120]}" for p in processes_of_run(run_id, seen)]


def machine_description() -> str:
    cpuinfo = Path("/proc/cpuinfo").read_text() if Path("/proc/cpuinfo").exists() else ""
    model = re.search(r"^model name\s*:\s*(.+)$", cpuinfo, re.M)
    load = os.getloadavg()[0]
    return (f"{os.cpu_count()} CPUs ({model.group(1).strip() if model else '?'}), "
            f"{psutil.virtual_memory().total / GIB:.1f} GiB RAM, load average {load:.1f} at the start")


def run_class(students: int = DEFAULT_STUDENTS, hub_ip: str = "127.0.0.1", browser_students: int = 1,
              deadline_s: float = DEFAULT_DEADLINE_S, env_dir: Path = ENV_DIR, proxy: Path = PROXY,
              source: Path = ROOT, run_id: str | None = None, log: Path | None = None) -> ClassResult:
    """Run the class (see the module docstring) and return what was measured."""
    check_hub_ip(hub_ip)
    check_students(students)
    if not 0 <= browser_students <= students:
        raise SystemExit(f"--browser-students: expected 0 to {students}, got {browser_students}")
    if not (env_dir / "bin" / "jupyterhub").exists() or not proxy.exists():
        raise SystemExit(f"the classroom environment is missing ({env_dir}/bin/jupyterhub, {proxy}): "
                         "run `make classroom-install`")
    run_id = run_id or secrets.token_hex(6)
    work = Path(tempfile.mkdtemp(prefix="mtp-classroom-"))
    started = dt.datetime.now().astimezone()
    machine = machine_description()
    hub = sampler = None
    results: list[StudentResult] = []
    failures: list[str] = []
    left: list[str] = []
    commit = subprocess.run(["git", "-C", str(source), "rev-parse", "--short", "HEAD"], capture_output=True,
                            text=True, check=True).stdout.strip()
    start = time.monotonic()
    try:
        bare = work / "git" / REPO_NAME  # no .git suffix: nbgitpuller's folder is the URL's last part
        subprocess.run(["git", "clone", "--quiet", "--bare", str(source), str(bare)], check=True)
        port = free_port()
        password = secrets.token_urlsafe(12)
        token = secrets.token_hex(16)
        env = {**os.environ, "MTP_CLASS_PASSWORD": password, "MTP_CLASSROOM_STATE": str(work / "state"),
               "MTP_HUB_IP": hub_ip, "MTP_HUB_PORT": str(port), "MTP_HUB_API_PORT": str(free_port()),
               "MTP_PROXY_API_PORT": str(free_port()), "MTP_PROXY_COMMAND": str(proxy),
               "MTP_LOADTEST_TOKEN": token, "MTP_CLASSROOM_RUN": run_id,
               "PATH": f"{env_dir / 'bin'}{os.pathsep}{os.environ.get('PATH', '')}"}
        for name in ("VIRTUAL_ENV", "PYTHONPATH", "MPLBACKEND", "JUPYTER_PATH", "JUPYTER_CONFIG_DIR"):
            env.pop(name, None)
        log = log or work / "hub.log"
        with open(log, "wb") as out:
            command = [str(env_dir / "bin" / "jupyterhub"), "-f", str(HERE / "jupyterhub_config.py")]
            hub = subprocess.Popen(command, cwd=work, env=env, stdout=out, stderr=subprocess.STDOUT,
                                   stdin=subprocess.DEVNULL, start_new_session=True)
        hub_url = f"http://{hub_ip}:{port}"
        wait_for_hub(hub, hub_url, token, log, timeout_s=120)
        sampler = Sampler(hub.pid)
        sampler.start()
        klass = Class(hub_url=hub_url, repo_url=f"file://{bare}", password=password,
                      deadline=time.monotonic() + deadline_s)
        names = [f"student{i:02d}" for i in range(1, students + 1)]
        slots: list[StudentResult | None] = [None] * students

        def attend(i: int) -> None:
            student = browser_student if i < browser_students else api_student
            slots[i] = student(names[i], klass)

        threads = [threading.Thread(target=attend, args=(i,), daemon=True) for i in range(students)]
        for thread in threads:
            thread.start()
            time.sleep(0.2)  # a class logs in within seconds, not within the same millisecond
        for thread in threads:
            thread.join(timeout=max(0.0, klass.deadline - time.monotonic()) + 30)
        for i, slot in enumerate(slots):
            results.append(slot or StudentResult(name=names[i], via="?", failures=[
                f"did not finish within the deadline of {deadline_s:.0f} s"]))
        for result in results:
            if result.failures:
                failures += [f"{result.name}: {f}" for f in result.failures]
            elif set(result.notebook_s) != set(NOTEBOOKS):
                failures.append(f"{result.name}: ran {sorted(result.notebook_s)}, expected {list(NOTEBOOKS)}")
        if sampler is not None:
            servers_alive = wait_for_servers_gone(sampler, timeout_s=30)
            failures += [f"{name}: server still running after logout" for name in servers_alive]
    except Exception as exc:  # noqa: BLE001 - reported; the finally below still cleans up
        failures.append(f"the class could not run: {type(exc).__name__}: {exc}")
        if log and Path(log).exists():
            tail = Path(log).read_text(errors="replace").splitlines()[-25:]
            failures.append("hub log tail:\n" + "\n".join(tail))
    finally:
        if sampler is not None:
            sampler.stop()
        if hub is not None:
            left = stop_everything(hub, run_id, set(sampler.seen) if sampler else set())
        shutil.rmtree(work, ignore_errors=True)
    if left:
        failures.append(f"processes left behind: {left}")
    if sampler is not None:
        for result in results:
            usage = sampler.students.get(result.name, Usage())
            result.peak_rss, result.peak_pss, result.cpu_s = usage.peak_rss, usage.peak_pss, usage.cpu_s
    return ClassResult(
        students=results, hub=sampler.hub if sampler else Usage(),
        total=sampler.total if sampler else Usage(),
        machine_baseline=sampler.machine_baseline if sampler else 0.0,
        machine_peak=sampler.machine_peak if sampler else 0.0, wall_s=time.monotonic() - start,
        commit=commit, left_behind=left, failures=failures, started=f"{started:%Y-%m-%d %H:%M %Z}",
        machine=machine, run_id=run_id)


def wait_for_hub(hub: subprocess.Popen, hub_url: str, token: str, log: Path, timeout_s: float) -> None:
    client = jupyter_api.Client(hub_url, token=token, timeout_s=5)
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if hub.poll() is not None:
            raise RuntimeError(f"JupyterHub exited with {hub.returncode}:\n"
                               + "\n".join(log.read_text(errors="replace").splitlines()[-25:]))
        try:
            client.json("GET", "/hub/api/")
            return
        except (jupyter_api.JupyterAPIError, OSError):
            time.sleep(0.5)
    raise RuntimeError(f"JupyterHub did not answer within {timeout_s:.0f} s")


def wait_for_servers_gone(sampler: Sampler, timeout_s: float) -> list[str]:
    """Names of students whose server processes still run `timeout_s` after everyone logged out."""
    deadline = time.monotonic() + timeout_s
    while True:
        try:
            children = psutil.Process(sampler.hub_pid).children(recursive=True)
        except psutil.NoSuchProcess:
            return []
        owners = sorted({sampler.owner(p) for p in children} - {"(hub)"})
        if not owners or time.monotonic() > deadline:
            return owners
        time.sleep(0.5)


# --- the report ------------------------------------------------------------------------------------


def figures(result: ClassResult) -> dict:
    """The figures classroom/bench.json keeps, and from which values.yaml takes its memory settings."""
    students = result.students
    peak = max((s.peak_rss for s in students), default=0.0)
    cpu = [s.cpu_s for s in students if s.cpu_s]
    first = sorted(s.login_to_first_result_s for s in students if s.login_to_first_result_s is not None)
    return {
        "measured": result.started, "machine": result.machine, "commit": result.commit,
        "students": len(students), "failures": len(result.failures),
        "student_peak_rss_bytes": round(peak),
        "hub_side_peak_rss_bytes": round(result.hub.peak_rss),
        "all_classroom_peak_rss_bytes": round(result.total.peak_rss),
        "all_classroom_peak_pss_bytes": round(result.total.peak_pss),
        "machine_used_baseline_bytes": round(result.machine_baseline),
        "machine_used_peak_bytes": round(result.machine_peak),
        "student_cpu_s_mean": round(sum(cpu) / len(cpu), 1) if cpu else None,
        "login_to_first_result_s_median": round(first[len(first) // 2], 1) if first else None,
        "login_to_first_result_s_max": round(first[-1], 1) if first else None,
        "memory_settings": (dict(zip(("guarantee", "limit"), memory_settings(peak), strict=True))
                            if peak else None),
    }


def report(result: ClassResult) -> str:
    f = figures(result)
    n = len(result.students)
    lines = [
        f"Measured {result.started} on {result.machine}; {n} students, the series at commit {result.commit}, "
        f"the whole class took {result.wall_s:.0f} s.",
        "",
        "| student | via | peak memory (MB, RSS) | login → first result (s) | "
        + " | ".join(f"{nb[:2]} run (s)" for nb in NOTEBOOKS) + " | CPU (s) | failures |",
        "| --- | --- | ---: | ---: | " + " | ".join("---:" for _ in NOTEBOOKS) + " | ---: | --- |",
    ]
    for s in result.students:
        first = f"{s.login_to_first_result_s:.1f}" if s.login_to_first_result_s is not None else "–"
        runs = " | ".join(f"{s.notebook_s[nb]:.1f}" if nb in s.notebook_s else "–" for nb in NOTEBOOKS)
        failures = "; ".join(s.failures).replace("|", "/")[:200] or "none"
        lines.append(f"| {s.name} | {s.via} | {s.peak_rss / MB:.0f} | {first} | {runs} | {s.cpu_s:.1f} "
                     f"| {failures} |")
    peak_gb = f["all_classroom_peak_pss_bytes"] / 1e9
    per_gb_machine = n / peak_gb if peak_gb else float("nan")
    guarantee, limit = f["memory_settings"].values() if f["memory_settings"] else ("?", "?")
    cpu = f["student_cpu_s_mean"]
    lines += [
        "",
        "| figure | measured |",
        "| --- | --- |",
        f"| largest student peak (their server and kernels, RSS) | {f['student_peak_rss_bytes'] / MB:.0f} "
        "MB |",
        f"| hub side (hub, proxy, idle culler), peak RSS | {f['hub_side_peak_rss_bytes'] / MB:.0f} MB |",
        f"| all classroom processes at their peak: PSS (shared pages counted once) / RSS | "
        f"{f['all_classroom_peak_pss_bytes'] / MB:.0f} MB / "
        f"{f['all_classroom_peak_rss_bytes'] / MB:.0f} MB |",
        f"| the machine's used memory: before the hub started → peak (other jobs included) | "
        f"{f['machine_used_baseline_bytes'] / GIB:.1f} → {f['machine_used_peak_bytes'] / GIB:.1f} GiB |",
        f"| login → first result: median / slowest | {f['login_to_first_result_s_median']} s / "
        f"{f['login_to_first_result_s_max']} s |",
        f"| CPU time per student (server and kernels, whole session) | {cpu} s |",
        f"| failures | {len(result.failures)} |",
        f"| processes left behind | {len(result.left_behind)} |",
        "",
        f"Students per GB on one machine (all classroom processes' PSS at the peak): {per_gb_machine:.1f}. "
        f"Per GB with one container per student (Kubernetes: no shared pages, the guarantee "
        f"{guarantee} each): {1 / gib_of(guarantee) / (GIB / 1e9):.1f}. "
        + (f"Per core: {600 / cpu:.0f} students, if each runs notebooks 00 and 05 once in the same "
           f"10 minutes ({cpu} CPU seconds each; a core gives 600 in 10 minutes)." if cpu else "")
        + f" From the largest peak: memory guarantee {guarantee}, limit {limit} (classroom/values.yaml).",
    ]
    if result.failures:
        lines += ["", "Failures:", *[f"- {line}" for line in result.failures]]
    return "\n".join(lines)


def gib_of(text: str) -> float:
    """'1G' -> 1.0, '1280M' -> 1.25 (JupyterHub's units: 1G = 2**30 bytes)."""
    match = re.fullmatch(r"(\d+)([MG])", text)
    if not match:
        return float("nan")
    return int(match.group(1)) / (1024 if match.group(2) == "M" else 1)


def write_readme(text: str, result: ClassResult) -> None:
    replace_marked_section(README, START, END, text)
    BENCH_JSON.write_text(json.dumps(figures(result), indent=1) + "\n", encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--students", type=int, default=DEFAULT_STUDENTS,
                        help=f"how many students (1 to {MAX_STUDENTS}; default {DEFAULT_STUDENTS})")
    parser.add_argument("--hub-ip", default="127.0.0.1",
                        help="the hub's loopback address (default 127.0.0.1)")
    parser.add_argument("--browser-students", type=int, default=1,
                        help="how many students use JupyterLab in headless Chromium (default 1)")
    parser.add_argument("--deadline", type=float, default=DEFAULT_DEADLINE_S,
                        help=f"seconds after which unfinished students fail (default {DEFAULT_DEADLINE_S})")
    parser.add_argument("--json", type=Path, help="also write the result, in full, to this file")
    parser.add_argument("--run-id", help="the marker put into every student server's environment")
    parser.add_argument("--write-readme", action="store_true",
                        help="put the report into classroom/README.md, its figures into classroom/bench.json")
    args = parser.parse_args(argv)
    check_hub_ip(args.hub_ip)
    check_students(args.students)
    result = run_class(students=args.students, hub_ip=args.hub_ip, browser_students=args.browser_students,
                       deadline_s=args.deadline, run_id=args.run_id)
    text = report(result)
    print(text)
    if args.json:
        args.json.write_text(json.dumps({**asdict(result), "figures": figures(result)}, indent=1) + "\n")
    if args.write_readme:
        if result.failures:
            print("\n(not written: the class had failures)", file=sys.stderr)
        else:
            write_readme(text, result)
            print(f"\n(written to {README.relative_to(ROOT)} and {BENCH_JSON.relative_to(ROOT)})",
                  file=sys.stderr)
    return 1 if result.failures else 0


if __name__ == "__main__":
    sys.exit(main())
