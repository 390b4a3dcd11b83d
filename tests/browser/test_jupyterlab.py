"""What a learner sees: the notebooks run in a real JupyterLab in Chromium, and the widgets work.

nbval proves the kernel side; these tests prove the front end: the notebook runs from the Run menu
without an error output, the widgets render as controls (not as text such as ``IntSlider(...)``),
and clicking the masking explorer redraws its picture. Screenshots go to artifacts/screenshots/.
"""

import hashlib
import json
import re
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
EXPLORER = ".mtp-explorer"
PICTURE = f"{EXPLORER} .mtp-heatmap img"
REDRAW_TIMEOUT_S = 20  # a redraw takes well under a second; this is for a busy machine

pytestmark = pytest.mark.browser


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def expected_errors(relative: str) -> frozenset[int]:
    """The cells tagged ``raises-exception`` (the failure shown before the fix), by position."""
    cells = json.loads((ROOT / relative).read_text(encoding="utf-8"))["cells"]
    tags = [cell["metadata"].get("tags", []) for cell in cells]
    return frozenset(index for index, cell_tags in enumerate(tags) if "raises-exception" in cell_tags)


def run_notebook(lab, relative: str) -> float:
    """Open the notebook, run all its cells from the menu, check nothing failed; return the run's seconds.

    A cell tagged ``raises-exception`` must show its error (as under nbval); any other error fails."""
    lab.open_notebook(relative)
    seconds = lab.run_all_cells()
    expected = expected_errors(relative)
    unexpected = lab.error_outputs(expected)
    assert unexpected == [], "error output in the notebook:\n" + "\n\n".join(unexpected)
    if expected:
        assert lab.error_outputs() != [], f"cells {sorted(expected)} are tagged raises-exception: none raised"
    assert lab.open_dialogs() == [], f"a dialog is open: {lab.open_dialogs()}"
    return seconds


def picture_source(lab) -> str | None:
    """The data URL of the explorer's rendered picture (None while the output is being replaced)."""
    images = lab.page.locator(PICTURE)
    return images.first.get_attribute("src") if images.count() else None


def wait_for_new_picture(lab, old: str, after: str) -> str:
    deadline = time.monotonic() + REDRAW_TIMEOUT_S
    while time.monotonic() < deadline:
        source = picture_source(lab)
        if source and source != old:
            return source
        time.sleep(0.2)
    raise AssertionError(f"the hidden-state picture did not change within {REDRAW_TIMEOUT_S} s after {after}")


def is_pressed(toggle) -> bool:
    return "mod-active" in (toggle.get_attribute("class") or "").split()


def interior_real_step(toggles: list) -> int:
    """A real step between two real steps: padding it gives a mask that no preset makes."""
    pressed = [is_pressed(toggle) for toggle in toggles]
    for step in range(1, len(pressed) - 1):
        if pressed[step - 1] and pressed[step] and pressed[step + 1]:
            return step
    raise AssertionError(f"no real step between two real steps to click; toggles pressed: {pressed}")


def click_explorer(lab, screenshots: Path, prefix: str) -> None:
    """The explorer rendered; a pad toggle, a preset and the mask switch each change the picture."""
    explorer = lab.page.locator(f"{EXPLORER}:not(:has(.mtp-predict))").first
    explorer.scroll_into_view_if_needed()
    controls = (".mtp-pad-toggle", ".mtp-preset", ".mtp-use-mask", ".mtp-keras-agreement", ".mtp-heatmap")
    for control in controls:
        assert explorer.locator(control).first.is_visible(), f"explorer control {control} is not visible"
    if not lab.page.locator(PICTURE).count():
        time.sleep(REDRAW_TIMEOUT_S / 4)  # the output may still be arriving
    shown = explorer.locator(".mtp-heatmap").text_content()
    assert lab.page.locator(PICTURE).count(), f"the explorer shows no picture, only text: {shown!r}"
    before = picture_source(lab)
    explorer.screenshot(path=screenshots / f"{prefix}-explorer-before.png")

    toggles = explorer.locator(".mtp-pad-toggle").all()
    step = interior_real_step(toggles)
    toggles[step].click()
    after_toggle = wait_for_new_picture(lab, before, f"clicking the pad toggle of step {step}")
    assert not is_pressed(toggles[step]), f"step {step} should now be padding (toggle not pressed)"
    explorer.screenshot(path=screenshots / f"{prefix}-explorer-after-toggle.png")

    explorer.locator(".mtp-preset button", has_text=re.compile(r"^\s*pre\s*$")).click()
    after_preset = wait_for_new_picture(lab, after_toggle, "clicking the preset 'pre'")
    explorer.screenshot(path=screenshots / f"{prefix}-explorer-after-preset.png")

    explorer.locator(".mtp-use-mask input[type=checkbox]").uncheck()
    wait_for_new_picture(lab, after_preset, "switching the mask off")
    explorer.screenshot(path=screenshots / f"{prefix}-explorer-after-mask-off.png")
    keras_line = explorer.locator(".mtp-keras-agreement").inner_text()
    assert "Keras agrees at every step" in keras_line, f"the explorer's Keras check says {keras_line!r}"
    assert lab.error_outputs() == [], "error output after clicking:\n" + "\n\n".join(lab.error_outputs())


def predict_then_reveal(lab, screenshots: Path, prefix: str) -> None:
    """The predict-mode explorer hides its picture until the learner answers and reveals, scores the
    answer, and hides the picture again for a new layout."""
    explorer = lab.page.locator(f"{EXPLORER}:has(.mtp-predict)").first
    explorer.scroll_into_view_if_needed()
    heatmap = explorer.locator(".mtp-heatmap")
    assert not heatmap.is_visible(), "predict mode shows the picture before the learner has answered"
    assert not explorer.locator(".mtp-explanation").is_visible(), "predict mode shows the explanation"
    explorer.locator(".mtp-reveal").click()
    expect_text(explorer.locator(".mtp-score"), "Answer all three")
    assert not heatmap.is_visible(), "reveal without answers showed the picture"
    explorer.screenshot(path=screenshots / f"{prefix}-predict-question.png")

    explorer.locator(".mtp-predict-moved button", has_text=re.compile(r"^\s*both\s*$")).click()
    explorer.locator(".mtp-predict-forward select").select_option(label="0")
    explorer.locator(".mtp-predict-backward select").select_option(label="0")
    explorer.locator(".mtp-reveal").click()
    expect_text(explorer.locator(".mtp-score"), re.compile(r"[0-3] of 3 right"))
    heatmap.wait_for(state="visible", timeout=REDRAW_TIMEOUT_S * 1000)
    explorer.locator(".mtp-heatmap img").first.wait_for(state="visible", timeout=REDRAW_TIMEOUT_S * 1000)
    explorer.screenshot(path=screenshots / f"{prefix}-predict-revealed.png")

    explorer.locator(".mtp-new-layout").click()
    heatmap.wait_for(state="hidden", timeout=REDRAW_TIMEOUT_S * 1000)
    assert explorer.locator(".mtp-score").inner_text().strip() == "", "a new layout keeps the old score"
    assert lab.error_outputs() == [], "error output in predict mode:\n" + "\n\n".join(lab.error_outputs())


def expect_text(locator, pattern) -> None:
    """Wait until ``locator``'s text contains ``pattern`` (a string or a compiled regex)."""
    deadline = time.monotonic() + REDRAW_TIMEOUT_S
    while time.monotonic() < deadline:
        text = locator.inner_text()
        if (pattern.search(text) if hasattr(pattern, "search") else pattern in text):
            return
        time.sleep(0.2)
    raise AssertionError(f"expected {pattern!r} in {locator.inner_text()!r} within {REDRAW_TIMEOUT_S} s")


def test_start_here_runs_and_shows_a_slider(lab_page, screenshots: Path):
    notebook = ROOT / "notebooks" / "00-start-here.ipynb"
    before = digest(notebook)
    run_notebook(lab_page, "notebooks/00-start-here.ipynb")

    slider = lab_page.page.locator(".jp-OutputArea-output .widget-slider").first
    slider.scroll_into_view_if_needed()
    assert slider.is_visible(), "the IntSlider did not render as a widget"
    assert slider.locator(".widget-readout").inner_text().strip() == "3"
    outputs = " ".join(lab_page.page.locator(".jp-OutputArea-output").all_text_contents())
    assert "IntSlider(" not in outputs, "the widget was printed as text: the front end lacks ipywidgets"
    slider.screenshot(path=screenshots / "00-slider.png")
    assert lab_page.page.get_by_text("Jupyter news").count() == 0, "JupyterLab asks about fetching news"
    lab_page.page.screenshot(path=screenshots / "00-lab.png")
    assert digest(notebook) == before, "running the notebook in the browser changed the file on disk"


def test_explorer_redraws_on_click_and_predict_mode_reveals(lab_page, screenshots: Path):
    notebook = ROOT / "notebooks" / "06-what-bidirectional-returns.ipynb"
    assert notebook.exists(), f"{notebook.relative_to(ROOT)} is missing: it holds the masking explorer"
    before = digest(notebook)
    run_notebook(lab_page, "notebooks/06-what-bidirectional-returns.ipynb")
    click_explorer(lab_page, screenshots, "06")
    predict_then_reveal(lab_page, screenshots, "06")
    assert digest(notebook) == before, "running the notebook in the browser changed the file on disk"


@pytest.mark.parametrize("name", ["12-text-pipelines", "13-sequence-labelling-and-attention",
                                  "14-where-the-mask-survives"])
def test_pipeline_notebooks_run_in_jupyterlab(lab_page, screenshots: Path, name: str):
    """The real-pipeline notebooks run from the menu; 12's explorer on trained weights answers clicks."""
    notebook = ROOT / "notebooks" / f"{name}.ipynb"
    before = digest(notebook)
    run_notebook(lab_page, f"notebooks/{name}.ipynb")
    if lab_page.page.locator(f"{EXPLORER}:not(:has(.mtp-predict))").count():
        click_explorer(lab_page, screenshots, name[:2])
    assert digest(notebook) == before, "running the notebook in the browser changed the file on disk"
