"""The 15 checkers: what they take for right is what Keras and the audit say, and each can fail."""

import runpy
from pathlib import Path

import numpy as np
import pytest

from helpers.audit.zoo import add_with_unmasked_branch
from helpers.exercises import check, nb15

SOLUTIONS = Path(__file__).resolve().parents[1] / "notebooks" / "solutions"


def _pre_padded(ids):
    lengths = (ids != 0).sum(axis=1)
    return np.stack([np.roll(row, ids.shape[1] - n) for row, n in zip(ids, lengths, strict=True)])


def _gap_after_first_token(ids):
    return np.stack([np.concatenate([row[:1], [0], row[1:-1]]) if row[-1] == 0 else row for row in ids])


def test_15_1_the_zoo_s_broken_tagger_is_told_about_the_mask():
    feedback = check("15.1", lambda: add_with_unmasked_branch(0)[0])
    assert not feedback.correct and "no mask" in feedback.message


def test_15_1_hints_name_the_mistake():
    assert "Add" in check("15.1", nb15._concatenated_instead).message
    assert "compile" in check("15.1", nb15._not_compiled).message
    assert "replace the `...`" in check("15.1", lambda: None).message


def test_15_1_solution_output_mask_is_keras_own():
    model = runpy.run_path(str(SOLUTIONS / "15.1-fix-the-unmasked-branch.py"))["fixed_tagger"]()
    ids = nb15._ids()
    np.testing.assert_array_equal(np.asarray(model(ids)._keras_mask), ids != 0)


@pytest.mark.parametrize(("layout", "accepted"), [(lambda ids: ids, True), (_pre_padded, False),
                                                  (_gap_after_first_token, False)])
def test_15_2_cudnn_rule_is_keras_own_mask_check(layout, accepted):
    assert nb15.cudnn_accepts(layout(nb15._ids()) != 0) == accepted


def test_15_2_accepts_a_gap_in_the_middle_too():
    assert check("15.2", _gap_after_first_token).correct


def test_15_2_hints_name_the_mistake():
    assert "same order" in check("15.2", nb15._reversed_rows).message
    assert "accepts this mask" in check("15.2", nb15._unchanged).message
    assert "pad with 0" in check("15.2", nb15._minus_one_pads).message
    assert "same shape" in check("15.2", nb15._extra_pad_in_front).message
