"""helpers.predict: the predict-then-reveal answers, proven on Keras itself (not on the NumPy reference)."""

import keras
import numpy as np
import pytest

from helpers import models
from helpers.explorer import explore
from helpers.predict import MOVED_CHOICES, Prediction, random_layout, score, truth
from helpers.trace import bilstm_weights

TIME, FEATURES, UNITS = 8, 3, 4
LEAK, ROUNDING = 1e-4, 1e-5  # Keras float32: a real leak is far above LEAK, rounding far below ROUNDING


@pytest.fixture(scope="module")
def layer():
    return models.make_bilstm(UNITS, FEATURES, seed=1, merge_mode=None, name="bilstm")


@pytest.fixture(scope="module")
def sequence():
    return np.random.default_rng(1).normal(size=(TIME, FEATURES))


def keras_finals(layer, inputs, layer_mask):
    """Keras's forward and backward final outputs (merge_mode=None), eagerly, for one sequence."""
    forward, backward = layer(inputs[None].astype("float32"), mask=layer_mask[None])
    return keras.ops.convert_to_numpy(forward)[0], keras.ops.convert_to_numpy(backward)[0]


def layouts():
    rng = np.random.default_rng(0)
    return [random_layout(TIME, rng) for _ in range(12)] + [(np.ones(TIME, bool), False),
                                                            (np.zeros(TIME, bool), True)]


@pytest.mark.parametrize(("mask", "use_mask"), layouts(), ids=lambda v: str(np.asarray(v).astype(int)))
def test_final_steps_are_the_steps_keras_final_states_depend_on(layer, sequence, mask, use_mask):
    """Changing the input at the answer's step changes that direction's final output in Keras; changing
    every step it reads after that one (forward: later steps, backward: earlier ones) changes nothing."""
    result = explore(bilstm_weights(layer), sequence, mask, use_mask=use_mask)
    right = truth(result)
    base = keras_finals(layer, result.inputs, result.layer_mask)
    for index, (direction, step) in enumerate((("forward", right.forward_step),
                                               ("backward", right.backward_step))):
        if step is None:  # every step masked: no input changes the final state
            moved = keras_finals(layer, result.inputs + 5.0, result.layer_mask)[index]
            assert np.abs(moved - base[index]).max() < ROUNDING
            continue
        nudged = result.inputs.copy()
        nudged[step] += 1.0
        nudged_final = keras_finals(layer, nudged, result.layer_mask)[index]
        assert np.abs(nudged_final - base[index]).max() > LEAK, direction
        after = slice(step + 1, None) if direction == "forward" else slice(0, step)
        later = result.inputs.copy()
        later[after] += 5.0
        assert np.abs(keras_finals(layer, later, result.layer_mask)[index] - base[index]).max() < ROUNDING


@pytest.mark.parametrize(("mask", "use_mask"), layouts(), ids=lambda v: str(np.asarray(v).astype(int)))
def test_which_outputs_move_is_what_keras_says(layer, sequence, mask, use_mask):
    result = explore(bilstm_weights(layer), sequence, mask, use_mask=use_mask)
    padded = keras_finals(layer, result.inputs, result.layer_mask)
    real = sequence[: int(mask.sum())]
    if len(real):
        unpadded = keras_finals(layer, real, np.ones(len(real), bool))
    else:  # nothing real: the unpadded "run" leaves both states at zero
        unpadded = (np.zeros(UNITS), np.zeros(UNITS))
    gaps = [np.abs(p - u).max() for p, u in zip(padded, unpadded, strict=True)]
    assert all(gap > LEAK or gap < ROUNDING for gap in gaps), f"a gap between rounding and a leak: {gaps}"
    keras_moved = tuple(d for d, gap in zip(("forward", "backward"), gaps, strict=True) if gap > LEAK)
    expected = {(): "neither", ("forward",): "forward only", ("backward",): "backward only",
                ("forward", "backward"): "both"}[keras_moved]
    assert truth(result).moved == expected


def test_the_layouts_cover_every_kind_of_answer(layer, sequence):
    answers = [truth(explore(bilstm_weights(layer), sequence, m, use_mask=u)) for m, u in layouts()]
    assert {a.moved for a in answers} >= {"neither", "both"}
    assert any(a.forward_step is None for a in answers)
    assert len({(a.forward_step, a.backward_step) for a in answers}) >= 5


def test_score_counts_each_right_answer_and_explains_the_wrong_ones():
    right = Prediction("forward only", 5, 0)
    assert score(right, right).points == 3 and "3 of 3 right" in score(right, right).message
    wrong = score(Prediction("both", 7, None), right)
    assert wrong.points == 0 and wrong.out_of == 3
    assert "Moved: forward only, not both." in wrong.message
    assert "Forward final state: step 5, not step 7." in wrong.message
    assert "Backward final state: step 0, not no step." in wrong.message
    assert score(Prediction("forward only", 7, 0), right).points == 2


def test_random_layout_keeps_a_real_step_and_varies():
    rng = np.random.default_rng(3)
    drawn = [random_layout(TIME, rng) for _ in range(40)]
    assert all(mask.any() and (~mask).any() for mask, _ in drawn)
    assert {use for _, use in drawn} == {True, False}
    assert len({mask.tobytes() for mask, _ in drawn}) > 10
    mask, _ = random_layout(1, rng)
    np.testing.assert_array_equal(mask, [True])


@pytest.mark.parametrize(("kwargs", "error", "message"), [
    ({"moved": "forward", "forward_step": 1, "backward_step": 0}, ValueError, "moved: expected one of"),
    ({"moved": "both", "forward_step": 1.5, "backward_step": 0}, TypeError, "forward_step: expected an int"),
    ({"moved": "both", "forward_step": 1, "backward_step": True}, TypeError,
     "backward_step: expected an int"),
])
def test_a_malformed_prediction_is_refused(kwargs, error, message):
    with pytest.raises(error, match=message):
        Prediction(**kwargs)


def test_random_layout_refuses_a_bad_length():
    with pytest.raises(ValueError, match="time_steps: expected an int >= 1, got 0"):
        random_layout(0, np.random.default_rng(0))
    assert MOVED_CHOICES[0] == "neither"
