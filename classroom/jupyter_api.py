"""Drive a Jupyter server over its own REST and WebSocket API, as JupyterLab does, without a browser.

Used by classroom/loadtest.py (students of a JupyterHub, through its proxy) and by
benchmarks/server_memory.py (a plain Jupyter server). Only the standard library and websocket-client,
which Jupyter Server itself requires, so it runs in any environment that has Jupyter installed.

A notebook is "run" the way Run All Cells runs it: a session (kernel) for its path, every code cell
sent in order as an execute request, each reply awaited; a cell tagged ``raises-exception`` may fail,
as under nbval. Shutting the session down stops its kernel, as closing the notebook and choosing
"Shut Down Kernel" does.
"""

from __future__ import annotations

import http.cookiejar
import json
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from dataclasses import dataclass, field
from pathlib import Path

import websocket

CELL_TIMEOUT_S = 180.0  # as nbval's --nbval-cell-timeout in pyproject.toml


class JupyterAPIError(RuntimeError):
    """An HTTP request or a kernel message that did not go as expected."""


class Client:
    """HTTP with cookies (a browser's session), a token if given, and Jupyter's XSRF header on writes.

    `base_url` is the server's root, e.g. ``http://127.0.0.1:8000`` (a hub's proxy) or
    ``http://127.0.0.1:8888`` (a plain server); paths passed to the methods start with ``/``.
    """

    def __init__(self, base_url: str, token: str | None = None, timeout_s: float = 60.0) -> None:
        self.base_url = base_url.rstrip("/")
        self.token = token
        self.timeout_s = timeout_s
        self.cookies = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.cookies))

    def cookie(self, name: str, path: str = "/") -> str | None:
        """The value of cookie `name` that a request to `path` carries (the most specific path wins:
        a hub sets one ``_xsrf`` for ``/hub/`` and each user server one for ``/user/<name>/``)."""
        matching = [c for c in self.cookies if c.name == name and path.startswith(c.path)]
        return max(matching, key=lambda c: len(c.path)).value if matching else None

    def request(self, method: str, path: str, body: bytes | dict | None = None,
                headers: dict[str, str] | None = None) -> tuple[int, str, bytes]:
        """Send a request, following redirects; returns (status, final URL, body). Raises on >= 400."""
        headers = dict(headers or {})
        if isinstance(body, dict):
            body = json.dumps(body).encode()
            headers.setdefault("Content-Type", "application/json")
        if self.token:
            headers["Authorization"] = f"token {self.token}"
        url = path if path.startswith("http") else self.base_url + path
        xsrf = self.cookie("_xsrf", urllib.parse.urlsplit(url).path)
        if method != "GET" and xsrf:
            headers["X-XSRFToken"] = xsrf
        request = urllib.request.Request(url, data=body, method=method, headers=headers)
        try:
            with self.opener.open(request, timeout=self.timeout_s) as response:
                return response.status, response.geturl(), response.read()
        except urllib.error.HTTPError as error:
            detail = error.read().decode(errors="replace")[:500]
            raise JupyterAPIError(f"{method} {url}: HTTP {error.code} {error.reason}: {detail}") from None

    def json(self, method: str, path: str, body: dict | None = None) -> object:
        _, _, data = self.request(method, path, body)
        return json.loads(data) if data else None

    def cookie_header(self, url: str) -> str:
        """The Cookie header a browser would send with a request to `url` (for the WebSocket)."""
        probe = urllib.request.Request(url.replace("ws://", "http://", 1))
        self.cookies.add_cookie_header(probe)
        return probe.get_header("Cookie", "")


@dataclass
class NotebookRun:
    """One notebook run: seconds from opening to the last reply, cells run, the first output's time."""

    path: str
    seconds: float = 0.0
    cells_run: int = 0
    cells: int = 0
    first_output_at: float | None = None  # time.monotonic() of the first output of any cell
    error: str = ""
    kernel_id: str = ""
    outputs: list[dict] = field(default_factory=list)


def message(msg_type: str, content: dict, session: str, channel: str = "shell") -> dict:
    return {
        "header": {"msg_id": uuid.uuid4().hex, "msg_type": msg_type, "session": session, "username": "",
                   "version": "5.3", "date": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())},
        "parent_header": {}, "metadata": {}, "content": content, "channel": channel, "buffers": [],
    }


def open_session(client: Client, prefix: str, path: str, kernel_name: str = "python3") -> dict:
    """Start a kernel for notebook `path` (relative to the server's root) as opening it in JupyterLab does."""
    return client.json("POST", f"{prefix}api/sessions", {
        "path": path, "name": Path(path).name, "type": "notebook", "kernel": {"name": kernel_name}})


def close_session(client: Client, prefix: str, session_id: str) -> None:
    """Shut the session's kernel down (JupyterLab's "Shut Down Kernel")."""
    client.request("DELETE", f"{prefix}api/sessions/{session_id}")


def run_notebook(client: Client, prefix: str, path: str, cells: list[dict],
                 cell_timeout_s: float = CELL_TIMEOUT_S, keep_open: bool = False) -> NotebookRun:
    """Open `path` on the server at `prefix` (e.g. ``/user/ada/`` or ``/``), run `cells` (nbformat cell
    dicts) in order, and shut the kernel down unless `keep_open`. Never raises for a failing cell:
    the error is in the result, and the cells after it are not run (as in JupyterLab)."""
    run = NotebookRun(path=path, cells=sum(c["cell_type"] == "code" for c in cells))
    start = time.monotonic()
    try:
        session = open_session(client, prefix, path)
    except JupyterAPIError as exc:
        run.error = f"could not open the notebook: {exc}"
        return run
    run.kernel_id = session["kernel"]["id"]
    try:
        _run_cells(client, prefix, session, cells, run, cell_timeout_s)
    except (JupyterAPIError, websocket.WebSocketException, OSError, TimeoutError) as exc:
        run.error = run.error or f"{type(exc).__name__}: {exc}"
    finally:
        run.seconds = time.monotonic() - start
        if not keep_open:
            try:
                close_session(client, prefix, session["id"])
            except JupyterAPIError as exc:
                run.error = run.error or f"could not shut the kernel down: {exc}"
    return run


def _run_cells(client: Client, prefix: str, session: dict, cells: list[dict], run: NotebookRun,
               cell_timeout_s: float) -> None:
    base = client.base_url.replace("http://", "ws://", 1)
    url = f"{base}{prefix}api/kernels/{session['kernel']['id']}/channels?session_id={uuid.uuid4().hex}"
    headers = [f"Authorization: token {client.token}"] if client.token else []
    socket = websocket.create_connection(url, header=headers, cookie=client.cookie_header(url),
                                         timeout=cell_timeout_s)
    kernel_session = uuid.uuid4().hex
    try:
        for cell in cells:
            if cell["cell_type"] != "code":
                continue
            source = cell["source"] if isinstance(cell["source"], str) else "".join(cell["source"])
            request = message("execute_request", {
                "code": source, "silent": False, "store_history": True, "user_expressions": {},
                "allow_stdin": False, "stop_on_error": True}, kernel_session)
            socket.send(json.dumps(request))
            reply = _await_reply(socket, request["header"]["msg_id"], run, cell_timeout_s)
            run.cells_run += 1
            if reply["content"]["status"] != "ok" and "raises-exception" not in cell.get("metadata", {}).get(
                    "tags", []):
                content = reply["content"]
                run.error = (f"code cell {run.cells_run} of {run.cells} raised "
                             f"{content.get('ename', '?')}: {content.get('evalue', '')}"[:500])
                return
    finally:
        socket.close()


def _await_reply(socket: websocket.WebSocket, msg_id: str, run: NotebookRun, timeout_s: float) -> dict:
    """Read messages until the execute_reply to `msg_id`; note the first output of the run."""
    deadline = time.monotonic() + timeout_s
    while True:
        if time.monotonic() > deadline:
            raise TimeoutError(f"no execute_reply within {timeout_s:.0f} s")
        frame = socket.recv()
        if isinstance(frame, bytes):  # a message with binary buffers (widget data): not a reply
            continue
        msg = json.loads(frame)
        if msg.get("parent_header", {}).get("msg_id") != msg_id:
            continue
        kind = msg["header"]["msg_type"]
        if kind in ("stream", "display_data", "execute_result", "error") and run.first_output_at is None:
            run.first_output_at = time.monotonic()
        if kind in ("execute_result", "display_data", "error"):
            run.outputs.append({"output_type": kind, **{k: v for k, v in msg["content"].items()
                                                         if k in ("data", "ename", "evalue")}})
        if msg.get("channel") == "shell" and kind == "execute_reply":
            return msg
