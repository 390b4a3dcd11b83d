"""helpers.audit.batch and helpers.audit.recording: layouts keep the real steps; recordings see masks."""

import keras
import numpy as np
import pytest

from helpers.audit.batch import (
    MASK,
    SEQUENCE,
    STATIC,
    alone,
    assign_roles,
    is_left_padded,
    is_right_padded,
    layouts,
    mask_from_lengths,
    model_inputs,
    pad_fills,
    real_parts,
    relayout,
    values_mask,
)
from helpers.audit.recording import record_run

MASK_POST = np.array([[1, 1, 1, 0, 0], [1, 1, 1, 1, 0], [1, 0, 0, 0, 0]], dtype=bool)
IDS = np.where(MASK_POST, np.arange(1, 16).reshape(3, 5), 0)


def test_containers_become_model_inputs_in_the_same_container():
    assert model_inputs(IDS).kind == "array"
    listed = model_inputs([IDS, MASK_POST])
    assert listed.kind == "list" and isinstance(listed.for_model(), list)
    named = model_inputs({"ids": IDS, "extra": np.zeros((3, 2))})
    assert named.for_model().keys() == {"ids", "extra"}
    with pytest.raises(ValueError, match="same batch size"):
        model_inputs([IDS, IDS[:2]])
    with pytest.raises(TypeError, match="numeric array"):
        model_inputs({"ids": "text"})


def test_roles_follow_the_time_axis():
    inputs = assign_roles(model_inputs([IDS, MASK_POST, np.zeros((3, 2))]), time=5)
    assert inputs.roles == (SEQUENCE, MASK, STATIC)
    with pytest.raises(ValueError, match="with 7 steps on axis 1"):
        assign_roles(model_inputs(IDS), time=7)


def test_masks_from_lengths_and_values():
    np.testing.assert_array_equal(mask_from_lengths([3, 4, 1], 5), MASK_POST)
    np.testing.assert_array_equal(mask_from_lengths([3, 4, 1], 5, "pre"), MASK_POST[:, ::-1])
    np.testing.assert_array_equal(values_mask(IDS, 0), MASK_POST)
    np.testing.assert_array_equal(values_mask(np.stack([IDS, IDS], -1), 0), MASK_POST)
    with pytest.raises(ValueError, match="padding: expected 'post' or 'pre'"):
        mask_from_lengths([1], 5, "middle")
    assert is_right_padded(MASK_POST) and not is_left_padded(MASK_POST)
    assert is_left_padded(MASK_POST[:, ::-1]) and not is_right_padded(MASK_POST[:, ::-1])


@pytest.mark.parametrize("fixed", [False, True])
def test_every_layout_keeps_each_rows_real_steps_in_order(fixed):
    inputs = assign_roles(model_inputs(IDS), 5)
    found = layouts(MASK_POST, fixed_length=fixed)
    assert set(found) == (
        {"padding on the other side", "a gap in the middle"} | (set() if fixed else {"more padding"})
    )
    for name, new_mask in found.items():
        assert (new_mask.shape[1] == 5) == fixed or name != "more padding"
        moved = relayout(inputs, MASK_POST, new_mask, pad_fills(inputs, MASK_POST, None)).arrays[0]
        for row, keep, new_row, new_keep in zip(IDS, MASK_POST, moved, new_mask, strict=True):
            np.testing.assert_array_equal(new_row[new_keep], row[keep])
            assert (new_row[~new_keep] == 0).all()
    expected = [1, 1, 0, 1, 1] if fixed else [1, 1, 0, 0, 0, 1, 1, 0]
    assert found["a gap in the middle"][1].astype(int).tolist() == expected


def test_junk_fills_padded_slots_with_real_values_and_mask_inputs_follow_the_layout():
    inputs = assign_roles(model_inputs([IDS, MASK_POST]), 5)
    junk = relayout(inputs, MASK_POST, MASK_POST, {}, junk_seed=0)
    assert np.isin(junk.arrays[0][~MASK_POST], IDS[MASK_POST]).all()
    np.testing.assert_array_equal(junk.arrays[0][MASK_POST], IDS[MASK_POST])
    other = layouts(MASK_POST, False)["padding on the other side"]
    np.testing.assert_array_equal(relayout(inputs, MASK_POST, other, {0: 0}).arrays[1], other)


def test_each_sequence_alone_is_grouped_by_length_without_padding():
    inputs = assign_roles(model_inputs([IDS, MASK_POST, np.arange(3)[:, None]]), 5)
    groups = alone(inputs, MASK_POST)
    assert [rows.tolist() for rows, _, _ in groups] == [[2], [0], [1]]
    rows, group, group_mask = groups[1]
    np.testing.assert_array_equal(group.arrays[0], IDS[0:1, :3])
    assert group.arrays[1].all() and group.arrays[2].tolist() == [[0]] and group_mask.shape == (1, 3)


def test_real_parts_takes_real_steps_of_timed_outputs_and_whole_rows_otherwise():
    timed = real_parts(np.arange(15).reshape(3, 5), MASK_POST)
    assert [p.tolist() for p in timed] == [[0, 1, 2], [5, 6, 7, 8], [10]]
    assert [p.tolist() for p in real_parts(np.ones((3, 2)), MASK_POST)] == [[1, 1]] * 3


def test_a_recording_sees_each_layers_masks_and_leaves_the_model_as_it_was():
    ids = keras.Input((None,), dtype="int32")
    embedded = keras.layers.Embedding(20, 4, mask_zero=True, name="embed")(ids)
    model = keras.Model(ids, keras.layers.LSTM(3, name="lstm")(embedded))
    recording = record_run(model, IDS)
    assert [c.name for c in recording.calls] == ["embed", "lstm"]
    np.testing.assert_array_equal(recording.calls[0].mask_out, MASK_POST)
    np.testing.assert_array_equal(recording.calls[1].mask_in, MASK_POST)
    assert recording.calls[1].mask_out is None and recording.output_masks == [None]
    assert all("call" not in layer.__dict__ for layer in model.layers)
    with pytest.raises(ValueError):
        record_run(model, IDS[..., None, None])
    assert all("call" not in layer.__dict__ for layer in model.layers)
