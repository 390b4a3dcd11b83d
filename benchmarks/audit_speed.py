"""How long one audit takes: every model of the audit zoo on its batch of 32 sequences (seconds).

Run ``.venv/bin/python benchmarks/audit_speed.py``; ``benchmarks/run_all.py`` imports ``measure``.
The zoo's models are the series' size (embeddings of 8, a BiLSTM of 8 units, 12 steps). Each model
is audited once to warm up (Keras builds its functions on the first call), then ``REPEATS`` times;
the figure is the fastest of those (the least disturbed by other work on a shared machine) and the
median. Target: every audit <= 2 s.
"""

from __future__ import annotations

import statistics
import sys
import time

REPEATS = 3
TARGET_S = 2.0


def measure() -> dict[str, tuple[float, float]]:
    """Per zoo model: (fastest, median) seconds of ``audit(model, batch)`` after one warm-up."""
    from helpers import audit
    from helpers.audit.zoo import ZOO

    found = {}
    for name, entry in ZOO.items():
        model, batch, keywords = entry.build(0)
        audit(model, batch, **keywords)
        times = []
        for _ in range(REPEATS):
            start = time.perf_counter()
            audit(model, batch, **keywords)
            times.append(time.perf_counter() - start)
        found[name] = (min(times), statistics.median(times))
    return found


def markdown(found: dict[str, tuple[float, float]]) -> str:
    """The figures as a Markdown table with the target's verdict."""
    slowest = max(found, key=lambda name: found[name][0])
    lines = ["| zoo model | audit, fastest (s) | median (s) |", "| --- | ---: | ---: |"]
    lines += [f"| {name} | {fast:.2f} | {median:.2f} |" for name, (fast, median) in found.items()]
    verdict = "met" if found[slowest][0] <= TARGET_S else "**missed**"
    seconds = found[slowest][0]
    lines += ["", f"Slowest audit: {slowest}, {seconds:.2f} s (target ≤ {TARGET_S:.0f} s: {verdict})."]
    return "\n".join(lines)


if __name__ == "__main__":
    sys.exit(print(markdown(measure())))
