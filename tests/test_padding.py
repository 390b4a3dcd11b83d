"""helpers.padding."""

import numpy as np
import pytest

from helpers.padding import (
    PRESETS,
    describe_mask,
    is_right_padded,
    mask_from_lengths,
    place_in_mask,
    preset_mask,
)


@pytest.mark.parametrize("preset", PRESETS)
@pytest.mark.parametrize("n_pads", [0, 1, 5, 8])
def test_preset_mask_has_the_requested_number_of_pads(preset, n_pads):
    mask = preset_mask(8, n_pads, preset, seed=3)
    assert mask.shape == (8,) and mask.dtype == bool
    assert (~mask).sum() == (0 if preset == "none" else n_pads)


def test_preset_positions():
    assert preset_mask(6, 2, "pre").tolist() == [0, 0, 1, 1, 1, 1]
    assert preset_mask(6, 2, "post").tolist() == [1, 1, 1, 1, 0, 0]
    assert preset_mask(6, 2, "middle").tolist() == [1, 1, 0, 0, 1, 1]
    assert preset_mask(6, 3, "random", seed=1).tolist() == preset_mask(6, 3, "random", seed=1).tolist()


@pytest.mark.parametrize("args, message", [
    ((0, 0, "pre"), "time_steps: expected an int >= 1"),
    ((5, 6, "pre"), "n_pads: expected an int from 0 to 5, got 6"),
    ((5, -1, "post"), "n_pads"),
    ((5, 1, "left"), "preset: expected one of"),
])
def test_preset_mask_rejects_bad_arguments(args, message):
    with pytest.raises(ValueError, match=message):
        preset_mask(*args)


def test_mask_from_lengths_post_and_pre():
    np.testing.assert_array_equal(mask_from_lengths([2, 0, 3], 3), [[1, 1, 0], [0, 0, 0], [1, 1, 1]])
    np.testing.assert_array_equal(mask_from_lengths([2, 3], 3, "pre"), [[0, 1, 1], [1, 1, 1]])
    with pytest.raises(ValueError, match="lengths: expected values from 0 to maxlen=3"):
        mask_from_lengths([4], 3)
    with pytest.raises(ValueError, match="padding: expected 'post' or 'pre'"):
        mask_from_lengths([1], 3, "middle")


def test_place_in_mask_fills_pads_and_keeps_order():
    sequence = np.arange(6.0).reshape(3, 2)
    out = place_in_mask(sequence, np.array([0, 1, 0, 1, 1], bool), pad_value=-1)
    np.testing.assert_array_equal(out, [[-1, -1], [0, 1], [-1, -1], [2, 3], [4, 5]])
    with pytest.raises(ValueError, match="sequence: expected at least 4 steps"):
        place_in_mask(sequence, np.ones(4, bool))


def test_is_right_padded():
    assert is_right_padded([[1, 1, 0], [1, 0, 0], [1, 1, 1]])
    assert is_right_padded([[0, 0, 0]])  # Keras' cuDNN check rejects all-padded rows separately
    assert not is_right_padded([[0, 1, 1]])
    assert not is_right_padded([1, 0, 1])


def test_describe_mask_covers_the_edge_cases():
    assert describe_mask([0, 0, 0]).startswith("All steps are padding")
    assert describe_mask([1, 1]).startswith("No padding")
    text = describe_mask([0, 1, 0, 1, 0])
    assert "3 of 5 steps are padding" in text and "1 between real steps" in text
    assert "final state comes from step 3" in text and "from step 1" in text
    assert describe_mask([1]).startswith("No padding")
