"""How a notebook turns figures into PNG pictures, without the costly crop where it changes nothing.

By default IPython's inline backend saves every figure with ``bbox_inches="tight"``: before drawing,
it measures every artist to find what the figure draws and crops the picture to that. A figure
with a layout engine (``layout="constrained"`` or ``"tight"``) already fits its canvas, so the
crop finds nothing worth cutting, yet measuring costs more than half of the time such a figure
takes to appear (the heat maps of this course: about 0.3 s instead of 0.12 s each, on one core).
``use_one_pass_png`` makes the notebook skip the crop for those figures; every other figure is
still cropped exactly as before.
"""

from __future__ import annotations

from IPython import get_ipython
from IPython.core.pylabtools import print_figure
from matplotlib.figure import Figure
from matplotlib.layout_engine import ConstrainedLayoutEngine, TightLayoutEngine


def fits_its_canvas(figure: Figure) -> bool:
    """True if a layout engine keeps everything the figure draws inside its canvas."""
    if not isinstance(figure, Figure):
        raise TypeError(f"figure: expected a matplotlib Figure, got {type(figure).__name__}")
    return isinstance(figure.get_layout_engine(), ConstrainedLayoutEngine | TightLayoutEngine)


def figure_png(figure: Figure, crop: bool | None = None) -> bytes | None:
    """``figure`` as PNG bytes at its own dpi, on its own facecolour, as a notebook shows it (drawn by
    IPython's ``print_figure``; None for a figure with nothing in it).

    crop: True crops to what the figure draws (``bbox_inches="tight"``, which measures every artist
    first), False keeps the whole canvas; None (default) crops only figures that do not fit their canvas.
    """
    return print_figure(figure, "png", bbox_inches=_bbox_inches(figure, crop))


def _bbox_inches(figure: Figure, crop: bool | None) -> str | None:
    if crop is None:
        crop = not fits_its_canvas(figure)
    elif not isinstance(crop, bool):
        raise TypeError(f"crop: expected True, False or None, got {type(crop).__name__} ({crop!r})")
    return "tight" if crop else None


def _png_for_display(figure: Figure) -> str | None:
    """The PNG formatter's answer: IPython's own, base64 text (None for an empty figure), crop chosen."""
    return print_figure(figure, "png", bbox_inches=_bbox_inches(figure, None), base64=True)


def use_one_pass_png(shell=None) -> bool:
    """In an IPython kernel with the inline backend, show figures with ``figure_png``'s crop rule.

    shell: the IPython shell (default: the running one). Returns False, changing nothing, outside
    IPython or with another backend (a learner's ``%matplotlib widget`` is left alone).
    """
    import matplotlib

    if shell is None:
        shell = get_ipython()
    if shell is None or "inline" not in matplotlib.get_backend():
        return False
    # the inline backend installs its own PNG formatter the first time it is loaded; load it now,
    # so that it does not replace this one at the first figure
    import matplotlib_inline.backend_inline  # noqa: F401

    shell.display_formatter.formatters["image/png"].for_type(Figure, _png_for_display)
    return True
