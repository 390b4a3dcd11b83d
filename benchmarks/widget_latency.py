"""How fast the masking explorer answers a click: recomputation, full update and bare redraw (medians, ms).

Run ``.venv/bin/python benchmarks/widget_latency.py``; ``benchmarks/run_all.py`` imports ``measure``.
The explorer is built at 12 timesteps and 8 units. It is shown the way a notebook shows it: the
explorer renders its figure to PNG itself (on the Agg canvas, uncropped, ``helpers.rendering``) and
displays it through IPython's display machinery, here published to a silent display publisher
instead of a browser.

- recompute: ``explorer.compute()``, the NumPy reference for the current controls (target <= 5 ms);
- ask Keras: ``explorer.ask_keras()``, the traced Keras call that checks every step (part of a click);
- full update: one click on a step toggle, i.e. recompute, ask Keras, update the artists, re-render;
- bare redraw: ``explorer.render()``, re-render the same figure without recomputing.
Target: full update <= 1.5 x bare redraw.
"""

from __future__ import annotations

import statistics
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager

TIME_STEPS, UNITS, FEATURES = 12, 8, 3
REPEATS = 30
RECOMPUTE_TARGET_MS = 5.0
UPDATE_TARGET = 1.5


@contextmanager
def _inline_display() -> Iterator[list[int]]:
    """Within: ``display(...)`` makes PNG as a notebook does; yields the sizes of the PNGs published.

    The PNGs go to a silent display publisher; the shell's own publisher is put back afterwards.
    """
    from IPython.core.displaypub import DisplayPublisher
    from IPython.core.interactiveshell import InteractiveShell

    sizes: list[int] = []

    class SilentPublisher(DisplayPublisher):
        def publish(self, data, metadata=None, source=None, *, transient=None, update=False, **kwargs):
            sizes.append(len(data.get("image/png", b"")))

        def clear_output(self, wait=False):
            pass

    shell = InteractiveShell.instance()
    own = shell.display_pub
    shell.display_pub = SilentPublisher(shell=shell)
    try:
        yield sizes
    finally:
        shell.display_pub = own


def _median_ms(action: Callable[[], object], repeats: int) -> float:
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        action()
        times.append(time.perf_counter() - start)
    return 1000 * statistics.median(times)


def measure(repeats: int = REPEATS) -> dict[str, float]:
    """Median milliseconds of one recomputation, one full update (a click) and one bare redraw."""
    import matplotlib
    import numpy as np

    matplotlib.use("Agg")
    from helpers.environment import quiet_tensorflow_logs, set_plot_defaults

    quiet_tensorflow_logs()
    from helpers.models import make_bilstm
    from helpers.widgets import MaskingExplorer

    set_plot_defaults()
    layer = make_bilstm(UNITS, FEATURES, seed=0, name="bilstm")
    sequence = np.random.default_rng(0).normal(size=(TIME_STEPS, FEATURES))
    with _inline_display() as pngs:
        explorer = MaskingExplorer(layer, sequence, tokens=[f"w{i}" for i in range(TIME_STEPS)])
        toggle = explorer.editor.toggles[TIME_STEPS // 2]

        def click() -> None:
            toggle.value = not toggle.value

        for _ in range(3):  # warm up caches (fonts, renderer)
            click()
            explorer.render()
        pngs.clear()
        result = {"recompute_ms": _median_ms(explorer.compute, repeats),
                  "ask_keras_ms": _median_ms(explorer.ask_keras, repeats)}
        updates, redraws = [], []
        for _ in range(repeats):  # interleaved, so that a busy spell on the machine hits both
            updates.append(_median_ms(click, 1))
            redraws.append(_median_ms(explorer.render, 1))
    if len(pngs) != 2 * repeats or min(pngs) == 0:
        raise RuntimeError(f"expected {2 * repeats} PNG renders, got {len(pngs)}: the display path changed")
    result["full_update_ms"] = statistics.median(updates)
    result["bare_redraw_ms"] = statistics.median(redraws)
    return result


def main() -> int:
    figures = measure()
    ratio = figures["full_update_ms"] / figures["bare_redraw_ms"]
    print(f"masking explorer, {TIME_STEPS} timesteps, {UNITS} units (medians of {REPEATS})")
    for name, value in figures.items():
        print(f"  {name.removesuffix('_ms').replace('_', ' '):<14} {value:7.1f} ms")
    fast = figures["recompute_ms"] <= RECOMPUTE_TARGET_MS
    print(f"  recompute <= {RECOMPUTE_TARGET_MS} ms: {'met' if fast else 'MISSED'}")
    print(f"  full update / bare redraw = {ratio:.2f} (target <= {UPDATE_TARGET}): "
          f"{'met' if ratio <= UPDATE_TARGET else 'MISSED'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
