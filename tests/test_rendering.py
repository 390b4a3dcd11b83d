"""helpers.rendering: figures with a layout engine are not cropped; others are cropped as before."""

import base64
import io

import matplotlib
import matplotlib.pyplot as plt
import numpy as np
import pytest
from IPython.core.interactiveshell import InteractiveShell
from matplotlib.figure import Figure
from PIL import Image

from helpers.rendering import figure_png, fits_its_canvas, use_one_pass_png


def png_size(data: bytes) -> tuple[int, int]:
    return Image.open(io.BytesIO(data)).size


def heat_map(layout):
    """A 6 x 3 inch figure at 50 dpi (300 x 150 px) with a title, labels and a legend."""
    fig, ax = plt.subplots(figsize=(6, 3), dpi=50, layout=layout)
    ax.imshow(np.arange(12.0).reshape(3, 4), aspect="auto")
    ax.plot([0, 3], [0, 2], label="a line")
    ax.set(title="title", xlabel="step", ylabel="unit")
    ax.legend(loc="upper left", bbox_to_anchor=(1.0, 1.0))
    return fig


@pytest.fixture(autouse=True)
def close_figures():
    yield
    plt.close("all")


@pytest.mark.parametrize("layout", ["constrained", "tight"])
def test_a_figure_with_a_layout_engine_keeps_its_whole_canvas(layout):
    fig = heat_map(layout)
    assert fits_its_canvas(fig)
    assert png_size(figure_png(fig)) == (300, 150)


def test_a_figure_without_a_layout_engine_is_cropped_as_the_inline_backend_does():
    fig = heat_map(None)
    assert not fits_its_canvas(fig)
    cropped = png_size(figure_png(fig))
    assert cropped != (300, 150)
    tight = io.BytesIO()
    fig.savefig(tight, format="png", bbox_inches="tight")
    assert cropped == png_size(tight.getvalue())


def test_crop_can_be_forced_either_way():
    fig = heat_map("constrained")
    assert png_size(figure_png(fig, crop=False)) == (300, 150)
    assert png_size(figure_png(fig, crop=True)) != (300, 150)


def test_a_figure_that_fits_is_not_measured_for_cropping(monkeypatch):
    fig = heat_map("constrained")
    measured = []
    original = Figure.get_tightbbox
    monkeypatch.setattr(Figure, "get_tightbbox",
                        lambda self, *args, **kwargs: measured.append(1) or original(self, *args, **kwargs))
    figure_png(fig)
    assert measured == []
    figure_png(fig, crop=True)
    assert measured  # the crop measures every artist: the costly pass that one-pass rendering skips


@pytest.mark.parametrize("bad", [None, "figure.png", plt])
def test_bad_figure_says_what_was_expected(bad):
    with pytest.raises(TypeError, match="expected a matplotlib Figure"):
        fits_its_canvas(bad)


def test_bad_crop_says_what_was_expected():
    with pytest.raises(TypeError, match="crop: expected True, False or None"):
        figure_png(heat_map("constrained"), crop="tight")


def test_outside_ipython_nothing_changes(monkeypatch):
    monkeypatch.setattr("helpers.rendering.get_ipython", lambda: None)
    assert use_one_pass_png() is False


def test_with_another_backend_nothing_changes():
    shell = InteractiveShell.instance()
    formatter = shell.display_formatter.formatters["image/png"]
    before = formatter.type_printers.get(Figure)
    assert matplotlib.get_backend().lower() == "agg"  # the tests' backend
    assert use_one_pass_png(shell) is False
    assert formatter.type_printers.get(Figure) is before


def test_with_the_inline_backend_figures_are_shown_through_figure_png(monkeypatch):
    shell = InteractiveShell.instance()
    formatter = shell.display_formatter.formatters["image/png"]
    monkeypatch.setattr(matplotlib, "get_backend", lambda **_: "module://matplotlib_inline.backend_inline")
    monkeypatch.setitem(formatter.type_printers, Figure, None)  # put back whatever was there afterwards
    assert use_one_pass_png(shell) is True
    fig = heat_map("constrained")
    shown = formatter(fig)
    assert png_size(base64.b64decode(shown)) == (300, 150)
    assert formatter(plt.figure()) is None  # an empty figure shows nothing, as in IPython
