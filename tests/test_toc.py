"""helpers.toc: the study-time rule counts what a notebook asks of a learner."""

import json

import pytest

from helpers.toc import (
    CODE_CELL_MINUTES,
    EXERCISE_MINUTES,
    WIDGET_MINUTES,
    WORDS_PER_MINUTE,
    StudyTime,
    replace_time_line,
    study_time,
)


def _notebook(tmp_path, cells):
    path = tmp_path / "01-demo.ipynb"
    path.write_text(json.dumps({"cells": [{"cell_type": kind, "source": source, "metadata": {}}
                                          for kind, source in cells]}), encoding="utf-8")
    return path


def test_study_time_counts_words_cells_widgets_and_exercises(tmp_path):
    path = _notebook(tmp_path, [
        ("markdown", "# 01 · Demo\n\nfive words of prose here\n\n**Time:** about 5 minutes (not counted)."),
        ("code", "x = 1"),
        ("code", "explorer = MaskingExplorer(layer, x)\nexplorer"),
        ("code", "# %load solutions/01.1-demo.py\ndef answer():\n    ..."),
        ("code", 'check("01.1", answer)'),
    ])
    time = study_time(path)
    assert time == StudyTime(words=9, code_cells=1, widgets=1, exercises=1)
    expected = 9 / WORDS_PER_MINUTE + CODE_CELL_MINUTES + WIDGET_MINUTES + EXERCISE_MINUTES
    assert time.minutes == pytest.approx(expected)
    assert time.stated == 10 and time.stated - 5 < time.minutes <= time.stated


def test_time_line_is_rewritten_in_a_paragraph_of_its_own():
    time = StudyTime(words=1500, code_cells=20, widgets=0, exercises=2)
    text = replace_time_line("**Prerequisites:** notebook 01. **Time:** 25 minutes.\nmore", time)
    assert text == f"**Prerequisites:** notebook 01.\n\n{time.time_line()}\nmore"
    assert time.time_line().startswith(
        "**Time:** about 30 minutes (1500 words to read, 20 code cells to run, 2 exercises")
    assert replace_time_line(text, time) == text


def test_a_text_without_a_time_line_is_refused():
    with pytest.raises(ValueError, match="expected a"):
        replace_time_line("no time here", StudyTime(1, 1, 0, 0))
