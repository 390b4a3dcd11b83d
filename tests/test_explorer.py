"""helpers.explorer: masked equals unpadded, unmasked padding contaminates, edge cases, clear errors."""

import keras
import numpy as np
import pytest

from helpers import models
from helpers.explorer import (
    KERAS_ATOL,
    MERGE_MODES,
    explore,
    junk_values,
    keras_agreement,
    lay_onto_mask,
    slot_labels,
)
from helpers.keras_states import KerasStepProbe, keras_step_states
from helpers.padding import PRESETS, preset_mask
from helpers.trace import BiLSTMTrace, bilstm_weights, trace_bilstm

TIME, FEATURES, UNITS = 12, 3, 8


@pytest.fixture(scope="module")
def layer():
    return models.make_bilstm(UNITS, FEATURES, seed=0)


@pytest.fixture(scope="module")
def weights(layer):
    return bilstm_weights(layer)


@pytest.fixture(scope="module")
def sequence():
    return np.random.default_rng(0).normal(size=(TIME, FEATURES))


PAD_VALUES = [0.0, -1.0, "junk"]


def pad(value):
    return junk_values(TIME, FEATURES, seed=3) if value == "junk" else value


@pytest.mark.parametrize("preset", PRESETS)
@pytest.mark.parametrize("n_pads", [0, 1, 5, TIME])
@pytest.mark.parametrize("pad_value", PAD_VALUES)
def test_with_the_mask_every_state_equals_the_unpadded_run(weights, sequence, preset, n_pads, pad_value):
    mask = preset_mask(TIME, n_pads, preset, seed=1)
    result = explore(weights, sequence, mask, use_mask=True, pad_value=pad(pad_value))
    np.testing.assert_array_equal(result.forward_difference, 0.0)
    np.testing.assert_array_equal(result.backward_difference, 0.0)
    np.testing.assert_array_equal(result.output, result.unpadded_output)
    assert result.max_difference == 0.0
    assert all(gap == 0.0 for gap in result.final_difference.values())


@pytest.mark.parametrize("merge_mode", MERGE_MODES)
def test_the_unpadded_reference_agrees_with_keras(layer, weights, sequence, merge_mode):
    mask = preset_mask(TIME, 4, "random", seed=2)
    result = explore(weights, sequence, mask, merge_mode=merge_mode)
    keras_layer = models.make_bilstm(UNITS, FEATURES, seed=0, merge_mode=merge_mode)
    k = int(mask.sum())
    expected = keras.ops.convert_to_numpy(keras_layer(sequence[None, :k].astype("float32")))[0]
    np.testing.assert_allclose(result.unpadded_output, expected, atol=1e-5)
    padded = result.inputs[None].astype("float32")
    masked = keras.ops.convert_to_numpy(keras_layer(padded, mask=mask[None]))[0]
    np.testing.assert_allclose(result.output, masked, atol=1e-5)


def test_without_the_mask_post_padding_contaminates_the_forward_output(weights, sequence):
    mask = preset_mask(TIME, 3, "post")
    result = explore(weights, sequence, mask, use_mask=False, pad_value=-1.0)
    assert result.final_difference["forward"] > 0.01
    assert not np.allclose(result.trace.forward_final, result.unpadded.forward_final)
    np.testing.assert_array_equal(result.forward_difference[:9], 0.0)  # before the pads nothing differs
    assert "Forward final output: contaminated" in result.message
    assert "it reads 3 pads last" in result.message
    assert result.message.startswith("The mask is off")


def test_without_the_mask_pre_padding_contaminates_the_backward_output(weights, sequence):
    result = explore(weights, sequence, preset_mask(TIME, 2, "pre"), use_mask=False, pad_value=-1.0)
    assert result.final_difference["backward"] > 0.01
    assert "Backward final output: contaminated" in result.message
    assert "it reads 2 pads last" in result.message
    np.testing.assert_array_equal(result.backward_difference[2:], 0.0)


def test_junk_in_padded_slots_matters_only_without_the_mask(weights, sequence):
    mask = preset_mask(TIME, 4, "middle")
    junk = junk_values(TIME, FEATURES, seed=5)
    masked = [explore(weights, sequence, mask, pad_value=value).output for value in (0.0, junk)]
    np.testing.assert_array_equal(masked[0], masked[1])
    unmasked = [explore(weights, sequence, mask, use_mask=False, pad_value=value).output
                for value in (0.0, junk)]
    assert not np.allclose(unmasked[0], unmasked[1])


def test_real_steps_fill_the_real_slots_in_order(weights, sequence):
    mask = np.array([0, 1, 1, 0, 1, 0, 0, 0, 0, 0, 0, 0], dtype=bool)
    result = explore(weights, sequence, mask, pad_value=-1.0, tokens=[f"t{i}" for i in range(TIME)])
    np.testing.assert_array_equal(result.inputs[mask], sequence[:3])
    np.testing.assert_array_equal(result.inputs[~mask], -1.0)
    assert result.labels == ("pad", "t0", "t1", "pad", "t2") + ("pad",) * 7


@pytest.mark.parametrize("use_mask", [True, False])
def test_all_padding_is_explained_not_raised(weights, sequence, use_mask):
    result = explore(weights, sequence, np.zeros(TIME, bool), use_mask=use_mask, pad_value=-1.0)
    assert "All" in result.message and "padding" in result.message
    np.testing.assert_array_equal(result.unpadded.forward_h, 0.0)
    if use_mask:
        np.testing.assert_array_equal(result.trace.forward_h, 0.0)
        np.testing.assert_array_equal(result.output, 0.0)
        assert result.trace.forward_final_step == [None]
    else:
        assert "mask is off" in result.message and result.max_difference > 0


def test_no_padding_changes_nothing_with_or_without_the_mask(weights, sequence):
    on, off = (explore(weights, sequence, np.ones(TIME, bool), use_mask=u) for u in (True, False))
    np.testing.assert_array_equal(on.output, off.output)
    assert off.message.startswith("No padding")


@pytest.mark.parametrize("real", [True, False])
@pytest.mark.parametrize("use_mask", [True, False])
def test_one_timestep(weights, sequence, real, use_mask):
    result = explore(weights, sequence[:1], np.array([real]), use_mask=use_mask)
    assert result.forward_difference.shape == (1, UNITS)
    assert result.message


def test_lay_onto_mask_carries_states_through_pads():
    forward = np.array([[[1.0], [2.0]]])
    backward = np.array([[[10.0], [20.0]]])
    gates = {"input_gate": np.array([[[0.5], [0.7]]])}
    trace = BiLSTMTrace(forward_h=forward, forward_c=forward * 2, backward_h=backward,
                        backward_c=backward * 2, mask=np.ones((1, 2), bool),
                        forward_gates=gates, backward_gates=gates)
    laid = lay_onto_mask(trace, [0, 1, 0, 1, 0])
    np.testing.assert_array_equal(laid.forward_h[0, :, 0], [0, 1, 1, 2, 2])
    np.testing.assert_array_equal(laid.forward_c[0, :, 0], [0, 2, 2, 4, 4])
    np.testing.assert_array_equal(laid.backward_h[0, :, 0], [10, 10, 20, 20, 0])
    nan = np.nan
    np.testing.assert_array_equal(laid.forward_gates["input_gate"][0, :, 0], [nan, 0.5, nan, 0.7, nan])
    assert laid.forward_final_step == [3] and laid.backward_final_step == [1]
    np.testing.assert_array_equal(laid.forward_final, [[2.0]])
    np.testing.assert_array_equal(laid.backward_final, [[10.0]])


def test_lay_onto_mask_matches_a_masked_keras_free_trace(layer, sequence):
    mask = preset_mask(TIME, 5, "random", seed=4)
    padded = np.zeros((TIME, FEATURES))
    padded[mask] = sequence[: mask.sum()]
    masked = trace_bilstm(layer, padded, mask)
    laid = lay_onto_mask(trace_bilstm(layer, sequence[: mask.sum()]), mask)
    np.testing.assert_allclose(laid.forward_h, masked.forward_h, atol=1e-12)
    np.testing.assert_allclose(laid.backward_h, masked.backward_h, atol=1e-12)


def test_slot_labels():
    assert slot_labels(np.array([True, False, True]), None, 3) == ("x0", "pad", "x1")
    assert slot_labels(np.array([True, True]), [5, 7], 2) == ("5", "7")
    with pytest.raises(ValueError, match=r"tokens: expected 3 labels \(one per row of sequence\), got 2"):
        slot_labels(np.array([True]), ["a", "b"], 3)


def test_junk_values_are_reproducible():
    np.testing.assert_array_equal(junk_values(4, 2, seed=1), junk_values(4, 2, seed=1))
    assert junk_values(4, 2).shape == (4, 2)


@pytest.mark.parametrize(
    ("kwargs", "error", "pattern"),
    [
        ({"weights": "layer"}, TypeError, r"weights: expected a \(forward, backward\) pair of LSTMWeights"),
        ({"mask": np.ones((2, TIME), bool)}, ValueError, r"mask: expected shape \(time,\) .* \(2, 12\)"),
        ({"mask": np.full(TIME, 0.5)}, TypeError, r"mask: expected bool or 0/1 integers, got dtype float64"),
        ({"mask": np.array([], bool)}, ValueError, r"mask: expected shape \(time,\) with time >= 1"),
        ({"merge_mode": None}, ValueError, r"merge_mode: expected one of \('concat', 'sum', 'mul', 'ave'\)"),
        ({"sequence": np.ones((TIME, 2))}, ValueError, r"sequence: expected shape \(steps, 3\) .* got shape"),
        ({"sequence": np.ones((2, FEATURES))}, ValueError, r"sequence: expected at least 12 steps"),
        ({"sequence": np.array([["a"] * 3] * 12)}, TypeError, r"sequence: expected a numeric array"),
        ({"pad_value": np.ones(3)}, ValueError, r"pad_value: expected a number or a numeric"),
        ({"tokens": ["a"]}, ValueError, r"tokens: expected 12 labels"),
    ],
)
def test_bad_input_gets_a_clear_error(weights, sequence, kwargs, error, pattern):
    arguments = {"weights": weights, "sequence": sequence, "mask": np.ones(TIME, bool)} | kwargs
    weights_, sequence_, mask_ = arguments.pop("weights"), arguments.pop("sequence"), arguments.pop("mask")
    with pytest.raises(error, match=pattern):
        explore(weights_, sequence_, mask_, **arguments)


def test_lay_onto_mask_rejects_a_trace_of_the_wrong_length(layer, sequence):
    with pytest.raises(ValueError, match=r"trace: expected batch 1 and 2 steps .* = \(1, 3\)"):
        lay_onto_mask(trace_bilstm(layer, sequence[:3]), [1, 0, 1])
    with pytest.raises(TypeError, match="trace: expected a BiLSTMTrace, got ndarray"):
        lay_onto_mask(np.zeros((1, 2, 3)), [1, 1])


# --- the explorer's states are Keras's, at every step --------------------------------------------


@pytest.fixture(scope="module")
def probe(layer):
    return KerasStepProbe(layer, TIME)


@pytest.mark.parametrize("preset", PRESETS)
@pytest.mark.parametrize("pad_value", PAD_VALUES)
@pytest.mark.parametrize("use_mask", [True, False])
def test_explorer_states_are_keras_states_at_every_step(layer, weights, sequence, probe, preset, pad_value,
                                                        use_mask):
    mask = preset_mask(TIME, 0 if preset == "none" else 4, preset, seed=1)
    result = explore(weights, sequence, mask, use_mask=use_mask, pad_value=pad(pad_value))
    layer_mask = result.layer_mask
    np.testing.assert_array_equal(layer_mask, mask if use_mask else np.ones_like(mask))
    agreement = keras_agreement(result, probe(result.inputs, layer_mask))
    assert agreement.agrees and agreement.max_difference <= KERAS_ATOL, agreement
    masked = int((~mask).sum()) if use_mask else 0
    assert agreement.masked == masked and (f"{masked} of them masked" in agreement.message) == bool(masked)
    eager = keras_step_states(layer, result.inputs, layer_mask)  # the probe is Keras too
    np.testing.assert_allclose(probe(result.inputs, layer_mask).forward_h, eager.forward_h, atol=1e-6)
    np.testing.assert_allclose(probe(result.inputs, layer_mask).output, eager.output, atol=1e-6)


def test_a_disagreement_names_direction_and_step(weights, sequence, probe):
    result = explore(weights, sequence, preset_mask(TIME, 3, "post"))
    states = probe(result.inputs, result.mask)
    forward = states.forward_h.copy()
    forward[0, 10] += 0.5  # a padded step
    agreement = keras_agreement(result, type(states)(forward, states.backward_h, None, None, None))
    assert not agreement.agrees and agreement.worst == ("forward", 10)
    assert agreement.max_difference == pytest.approx(0.5, abs=1e-5)
    assert "DISAGREES" in agreement.message and "step 10" in agreement.message


def test_keras_agreement_rejects_states_of_another_shape(weights, sequence, probe):
    result = explore(weights, sequence, preset_mask(TIME, 3, "post"))
    states = probe(result.inputs, result.mask)
    wrong = type(states)(states.forward_h[:, :5], states.backward_h, None, None, None)
    with pytest.raises(ValueError, match=r"keras_states: expected forward_h of shape \(1, 12, 8\)"):
        keras_agreement(result, wrong)


def test_probe_rejects_another_length(probe, sequence):
    with pytest.raises(ValueError, match=r"sequence: expected shape \(12, 3\)"):
        probe(sequence[:5], np.ones(5, bool))
    with pytest.raises(ValueError, match="time: expected an int >= 1"):
        KerasStepProbe(models.make_bilstm(UNITS, FEATURES, seed=0), 0)
