"""End processes and rewrite marked sections of files (for the benchmarks and the classroom load test)."""

from __future__ import annotations

from pathlib import Path


def end_processes(processes: list, timeout: float = 10.0) -> list:
    """Terminate ``processes`` (``psutil.Process``), kill those still alive after ``timeout`` s.

    Returns the processes that are still alive after that (normally none).
    """
    import psutil

    for process in processes:
        try:
            process.terminate()
        except psutil.NoSuchProcess:
            pass
    _, alive = psutil.wait_procs(processes, timeout=timeout)
    for process in alive:
        try:
            process.kill()
        except psutil.NoSuchProcess:
            pass
    return psutil.wait_procs(alive, timeout=timeout)[1]


def replace_marked_section(path: str | Path, start: str, end: str, text: str) -> None:
    """Rewrite the file at ``path`` with what lies between the markers ``start`` and ``end`` replaced."""
    path = Path(path)
    content = path.read_text(encoding="utf-8")
    if start not in content or end not in content:
        raise SystemExit(f"{path} has no {start} ... {end} section to replace")
    head, rest = content.split(start, 1)
    _, tail = rest.split(end, 1)
    path.write_text(f"{head}{start}\n{text}\n{end}{tail}", encoding="utf-8")
