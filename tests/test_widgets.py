"""helpers.widgets: the pad editor and the masking explorer, driven from code (no browser)."""

import io

import keras
import numpy as np
import pytest

from helpers import models
from helpers.padding import PRESETS, preset_mask
from helpers.plots import DIFFERENCE_FLOOR
from helpers.predict import truth
from helpers.widgets import MaskingExplorer, PadEditor

# The explorer's Keras probe is compiled once on JAX, as in a notebook (the no_tensorflow guard relies on it).
pytestmark = pytest.mark.jit_on

TIME, FEATURES, UNITS = 12, 3, 8


@pytest.fixture(scope="module")
def layer():
    return models.make_bilstm(UNITS, FEATURES, seed=0, name="bilstm")


@pytest.fixture(scope="module")
def sequence():
    return np.random.default_rng(0).normal(size=(TIME, FEATURES))


@pytest.fixture
def explorer(layer, sequence):
    return MaskingExplorer(layer, sequence, tokens=[f"w{i}" for i in range(TIME)])


@pytest.fixture
def no_tensorflow(monkeypatch, layer):
    """After the explorer is built, any eager call into a Keras layer fails the test.

    The explorer's traced Keras probe (one ``predict_on_batch`` per update) runs no layer code on
    TensorFlow and JAX, which trace it once. PyTorch's backend has no graph: every
    ``predict_on_batch`` runs the layers' Python code, so there the guard stands aside.
    """
    if keras.backend.backend() == "torch":
        return

    def forbidden(*args, **kwargs):
        raise AssertionError("the explorer called TensorFlow/Keras eagerly during an update")

    for cls in (type(layer), keras.layers.LSTM, keras.layers.Layer):
        monkeypatch.setattr(cls, "__call__", forbidden)
        monkeypatch.setattr(cls, "call", forbidden)


@pytest.mark.backends("tensorflow", "jax")  # PyTorch's backend traces nothing: the guard stands aside
def test_the_guard_stops_calls_into_keras(layer, sequence, no_tensorflow):
    with pytest.raises(AssertionError, match="called TensorFlow"):
        layer(sequence[None].astype("float32"))


def draws(explorer):
    """The figure renders to PNG as the inline backend renders it."""
    buffer = io.BytesIO()
    explorer.figure.savefig(buffer, format="png", bbox_inches="tight")
    return buffer.getvalue().startswith(b"\x89PNG")


def images(explorer):
    view = explorer.view
    names = ("forward", "backward", "forward_difference", "backward_difference")
    return {name: getattr(view, name).image.get_array().copy() for name in names}


def visible_pads(artists):
    return [t for t, pad in enumerate(artists.pads) if pad.get_visible()]


# --- the pad editor -----------------------------------------------------------------------------


def test_editor_starts_from_a_preset():
    editor = PadEditor(6, "post", 2)
    np.testing.assert_array_equal(editor.value, [1, 1, 1, 1, 0, 0])
    assert [t.value for t in editor.toggles] == [True] * 4 + [False] * 2
    assert editor.preset.value == "post" and editor.n_pads.value == 2
    assert [t.description for t in editor.toggles] == [str(t) for t in range(6)]


def test_clicking_a_toggle_changes_the_mask_and_clears_the_preset():
    editor = PadEditor(6, "post", 2)
    editor.toggles[0].value = False
    np.testing.assert_array_equal(editor.value, [0, 1, 1, 1, 0, 0])
    assert editor.preset.value is None and editor.n_pads.value == 3
    assert editor.toggles[0].button_style == "" and editor.toggles[1].button_style == "info"


@pytest.mark.parametrize("preset", PRESETS)
def test_choosing_a_preset_sets_the_toggles(preset):
    editor = PadEditor(8, "none", 0, seed=3)
    editor.n_pads.value = 3  # from "no padding", the slider switches to post-padding
    np.testing.assert_array_equal(editor.value, preset_mask(8, 3, "post"))
    editor.preset.value = preset
    expected = preset_mask(8, 0 if preset == "none" else 3, preset, seed=3)
    np.testing.assert_array_equal(editor.value, expected)
    assert [t.value for t in editor.toggles] == expected.tolist()


def test_the_slider_reapplies_the_last_preset():
    editor = PadEditor(8, "pre", 1)
    editor.toggles[7].value = False  # custom pattern, preset cleared
    editor.n_pads.value = 4
    np.testing.assert_array_equal(editor.value, preset_mask(8, 4, "pre"))
    assert editor.preset.value == "pre"


def test_each_change_notifies_once():
    editor = PadEditor(10, "post", 2)
    seen = []
    editor.observe(lambda change: seen.append(change["new"].copy()), names="value")
    editor.set_preset("middle", 4)
    editor.toggles[0].value = False
    editor.set_mask(np.ones(10, bool))
    editor.n_pads.value = 10
    assert len(seen) == 4
    np.testing.assert_array_equal(seen[0], preset_mask(10, 4, "middle"))
    assert seen[1][0] == False  # noqa: E712 - a NumPy bool
    assert seen[2].all() and not seen[3].any()


def test_editor_errors():
    with pytest.raises(ValueError, match=r"time_steps: expected an int >= 1, got 0"):
        PadEditor(0)
    with pytest.raises(ValueError, match=r"preset: expected one of"):
        PadEditor(4, "sideways", 1)
    editor = PadEditor(4)
    with pytest.raises(ValueError, match=r"mask: expected a \(time_steps,\) = \(4,\) bool or 0/1 mask, "
                                         r"got shape \(3,\)"):
        editor.set_mask([1, 0, 1])
    with pytest.raises(ValueError, match=r"n_pads: expected an int from 0 to 4, got 5"):
        editor.set_preset("post", 5)


# --- the masking explorer -------------------------------------------------------------------------


def test_explorer_has_stable_css_classes(explorer):
    assert "mtp-explorer" in explorer._dom_classes
    assert all("mtp-pad-toggle" in t._dom_classes for t in explorer.editor.toggles)
    for widget, name in ((explorer.editor.preset, "mtp-preset"), (explorer.editor.n_pads, "mtp-n-pads"),
                         (explorer.use_mask, "mtp-use-mask"), (explorer.pad_value, "mtp-pad-value"),
                         (explorer.merge_mode, "mtp-merge-mode"), (explorer.output, "mtp-heatmap"),
                         (explorer.explanation, "mtp-explanation"), (explorer.editor, "mtp-pad-editor")):
        assert name in widget._dom_classes
    assert all(len(t.description) <= 2 for t in explorer.editor.toggles)


def test_explorer_starts_with_post_padding_and_the_mask_on(explorer):
    np.testing.assert_array_equal(explorer.editor.value, preset_mask(TIME, TIME // 4, "post"))
    assert explorer.use_mask.value and explorer.merge_mode.value == "concat"
    assert "post-padding" in explorer.explanation.value


def test_changing_a_control_updates_the_same_figure_in_place(explorer, no_tensorflow):
    figure, image = explorer.figure, explorer.view.forward.image
    before = images(explorer)
    explorer.use_mask.value = False
    after = images(explorer)
    assert explorer.figure is figure and explorer.view.forward.image is image
    np.testing.assert_array_equal(after["forward"][:, :9], before["forward"][:, :9])  # real steps come first
    assert not np.array_equal(after["forward"][:, 9:], before["forward"][:, 9:])  # the pads are read now
    assert np.abs(after["forward_difference"]).max() > 0
    np.testing.assert_array_equal(after["forward"], explorer.result.trace.forward_h[0].T)
    assert "mask is off" in explorer.explanation.value


def test_toggling_a_step_moves_the_pad_marks(explorer, no_tensorflow):
    explorer.editor.toggles[0].value = False
    assert visible_pads(explorer.view.forward) == [0, 9, 10, 11]
    assert visible_pads(explorer.view.backward_difference) == [0, 9, 10, 11]
    assert explorer.view.backward.final.get_x() == 0.5  # backward final state from step 1
    assert [label.get_text() for label in explorer.view.mask.labels][:2] == ["pad", "w0"]


@pytest.mark.parametrize("preset", PRESETS)
@pytest.mark.parametrize("pad_value", [0.0, -1.0, "junk"])
def test_with_the_mask_on_nothing_differs_from_the_unpadded_sequence(explorer, no_tensorflow, preset,
                                                                     pad_value):
    explorer.pad_value.value = pad_value
    for n_pads in (1, 5, TIME):
        explorer.editor.set_preset(preset, n_pads)
        shown = images(explorer)
        np.testing.assert_array_equal(shown["forward_difference"], 0.0)
        np.testing.assert_array_equal(shown["backward_difference"], 0.0)
        np.testing.assert_array_equal(explorer.result.output, explorer.result.unpadded_output)
        assert explorer.view.forward_difference.image.get_clim() == (-DIFFERENCE_FLOOR, DIFFERENCE_FLOOR)


@pytest.mark.parametrize("pad_value", [0.0, -1.0, "junk"])
def test_with_the_mask_off_post_padding_changes_the_forward_final_output(explorer, no_tensorflow, pad_value):
    explorer.pad_value.value = pad_value
    explorer.editor.set_preset("post", 3)
    explorer.use_mask.value = False
    result = explorer.result
    assert np.abs(result.trace.forward_final - result.unpadded.forward_final).max() > 1e-3
    assert "Forward final output: contaminated" in explorer.explanation.value
    assert "≠ unpadded" in explorer.view.outputs["forward"].title.get_text()


def test_merge_mode_changes_the_merged_output(explorer, no_tensorflow):
    explorer.merge_mode.value = "sum"
    result = explorer.result
    np.testing.assert_allclose(result.output, result.trace.forward_final[0] + result.trace.backward_final[0])
    merged = explorer.view.outputs["merged"]
    assert [bar.get_height() for bar in merged.bars if bar.get_visible()] == pytest.approx(result.output)
    explorer.merge_mode.value = "concat"
    assert sum(bar.get_visible() for bar in merged.bars) == 2 * UNITS


def test_one_update_and_one_render_per_change(explorer, no_tensorflow, monkeypatch):
    renders = []
    monkeypatch.setattr(explorer, "render", lambda: renders.append(explorer.result))
    explorer.editor.set_preset("middle", 6)  # twelve toggles change, one update
    explorer.pad_value.value = -1.0
    assert len(renders) == 2


def test_every_step_padded_is_explained(explorer, no_tensorflow):
    explorer.editor.n_pads.value = TIME
    assert "All steps are padding" in explorer.explanation.value
    assert visible_pads(explorer.view.forward) == list(range(TIME))
    assert not explorer.view.forward.final.get_visible() and not explorer.view.backward.final.get_visible()
    assert draws(explorer)
    explorer.use_mask.value = False
    assert "All 12 steps are padding and the mask is off" in explorer.explanation.value
    assert draws(explorer)


def test_no_step_padded_is_explained(explorer, no_tensorflow):
    explorer.editor.preset.value = "none"
    assert "No padding" in explorer.explanation.value
    assert visible_pads(explorer.view.forward) == []
    assert draws(explorer)


def test_clicking_every_toggle_quickly_never_raises(explorer, no_tensorflow):
    for toggle in explorer.editor.toggles:
        toggle.value = not toggle.value
    for toggle in explorer.editor.toggles:
        toggle.value = not toggle.value
    np.testing.assert_array_equal(explorer.editor.value, preset_mask(TIME, TIME // 4, "post"))
    assert explorer.result.max_difference == 0.0


@pytest.mark.parametrize("use_mask", [True, False])
def test_one_timestep(layer, sequence, use_mask):
    explorer = MaskingExplorer(layer, sequence[:1])
    explorer.use_mask.value = use_mask
    explorer.editor.toggles[0].value = False
    assert "padding" in explorer.explanation.value
    assert draws(explorer)
    explorer.editor.toggles[0].value = True
    assert "No padding" in explorer.explanation.value
    assert draws(explorer)


def test_explorer_errors(layer, sequence):
    with pytest.raises(TypeError, match=r"layer: expected keras.layers.Bidirectional, got LSTM"):
        MaskingExplorer(layer.forward_layer, sequence)
    with pytest.raises(ValueError, match=r"sequence: expected shape \(time, features\) with time >= 1, "
                                         r"got shape \(12,\)"):
        MaskingExplorer(layer, sequence[:, 0])
    with pytest.raises(ValueError, match=r"sequence: expected shape \(steps, 3\)"):
        MaskingExplorer(layer, sequence[:, :2])
    with pytest.raises(ValueError, match=r"tokens: expected 12 labels"):
        MaskingExplorer(layer, sequence, tokens=["a", "b"])


# --- asking Keras on every change ---------------------------------------------------------------


def keras_message(explorer):
    return explorer.keras_check.value


def test_keras_agrees_at_every_step_after_every_kind_of_change(explorer, no_tensorflow):
    changes = [lambda: explorer.editor.set_preset("pre", 5),
               lambda: setattr(explorer.use_mask, "value", False),
               lambda: setattr(explorer.pad_value, "value", "junk"),
               lambda: explorer.editor.set_preset("random", 7),
               lambda: setattr(explorer.use_mask, "value", True),
               lambda: explorer.editor.set_preset("middle", 4)]
    for change in changes:
        change()
        assert explorer.agreement.agrees, explorer.agreement
        assert "Keras agrees at every step" in keras_message(explorer)
        assert f"max |Δ| = {explorer.agreement.max_difference:.1e}" in keras_message(explorer)


@pytest.mark.tensorflow_only  # reads the tf.function's tracing count
def test_keras_is_asked_through_one_traced_function(explorer, no_tensorflow):
    tracings = explorer.keras.model.predict_function.experimental_get_tracing_count
    before = tracings()
    for toggle in explorer.editor.toggles:
        toggle.value = not toggle.value
    explorer.use_mask.value = False
    assert tracings() == before == 1


def test_keras_states_are_really_compared(explorer, monkeypatch):
    probe = explorer.keras

    def shifted(sequence, mask):
        states = probe(sequence, mask)
        backward = states.backward_h.copy()
        backward[0, 3] += 0.25
        return type(states)(states.forward_h, backward, None, None, states.output)

    monkeypatch.setattr(explorer, "keras", shifted)
    explorer.editor.set_preset("pre", 3)
    assert not explorer.agreement.agrees and explorer.agreement.worst == ("backward", 3)
    assert "Keras DISAGREES" in keras_message(explorer) and "step 3" in keras_message(explorer)


@pytest.fixture
def quiz_explorer(layer, sequence):
    return MaskingExplorer(layer, sequence, seed=3, predict=True)


def answer(explorer, moved, forward, backward):
    quiz = explorer.quiz
    quiz.moved.value = moved
    quiz.forward_step.value = quiz.NO_STEP if forward is None else forward
    quiz.backward_step.value = quiz.NO_STEP if backward is None else backward


def test_predict_mode_hides_the_picture_and_the_explanation_until_reveal(quiz_explorer, monkeypatch):
    renders = []
    monkeypatch.setattr(quiz_explorer, "render", lambda: renders.append(1))
    assert quiz_explorer.hidden and quiz_explorer.explanation.layout.display == "none"
    assert quiz_explorer.keras_check.layout.display == "none"
    quiz_explorer.editor.set_preset("pre", 3)  # changing the layout while hidden draws nothing
    assert quiz_explorer.hidden and renders == []
    assert quiz_explorer.reveal() is None and quiz_explorer.hidden  # nothing answered yet
    assert "Answer all three" in quiz_explorer.quiz.score.value
    answer(quiz_explorer, "neither", TIME - 1, 3)
    result = quiz_explorer.reveal()
    assert result.points == 3 and not quiz_explorer.hidden and renders == [1]
    assert "3 of 3 right" in quiz_explorer.quiz.score.value


def test_reveal_scores_a_wrong_prediction_and_shows_the_truth(quiz_explorer):
    quiz_explorer.use_mask.value = False  # post padding, mask off: the forward state ends on a pad
    right = truth(quiz_explorer.result)
    assert right.forward_step == TIME - 1 and right.moved != "neither"
    answer(quiz_explorer, "neither", TIME - 1 - TIME // 4, 0)
    result = quiz_explorer.reveal()
    assert result.points == 1
    assert "Forward final state: step 11, not step 8." in quiz_explorer.quiz.score.value
    assert draws(quiz_explorer) and not quiz_explorer.hidden


def test_new_layout_hides_again_clears_the_answers_and_sets_a_fresh_question(quiz_explorer):
    answer(quiz_explorer, "both", 1, 2)
    quiz_explorer.reveal()
    seen = set()
    for _ in range(6):
        quiz_explorer.new_question()
        assert quiz_explorer.hidden and quiz_explorer.quiz.prediction() is None
        assert quiz_explorer.quiz.score.value == ""
        mask = quiz_explorer.editor.value
        assert mask.any() and (~mask).any()
        np.testing.assert_array_equal(quiz_explorer.result.mask, mask)
        assert quiz_explorer.result.use_mask == quiz_explorer.use_mask.value
        seen.add((mask.tobytes(), quiz_explorer.use_mask.value))
    assert len(seen) > 2
    right = truth(quiz_explorer.result)
    answer(quiz_explorer, right.moved, right.forward_step, right.backward_step)
    assert quiz_explorer.reveal().points == 3


def test_predict_mode_all_padded_and_one_step_never_crash(layer, sequence):
    explorer = MaskingExplorer(layer, sequence, predict=True)
    explorer.editor.set_mask(np.zeros(TIME, bool))
    answer(explorer, "neither", None, None)
    assert explorer.reveal().points == 3 and draws(explorer)
    single = MaskingExplorer(layer, sequence[:1], predict=True)
    single.new_question()
    right = truth(single.result)
    answer(single, right.moved, right.forward_step, right.backward_step)
    assert single.reveal().points == 3


def test_predict_mode_has_stable_css_classes(quiz_explorer):
    classes = {c for w in quiz_explorer.quiz.children for c in getattr(w, "_dom_classes", ())}
    classes |= {c for box in quiz_explorer.quiz.children[2:4] for w in box.children for c in w._dom_classes}
    assert {"mtp-predict-moved", "mtp-predict-forward", "mtp-predict-backward", "mtp-reveal",
            "mtp-new-layout", "mtp-score"} <= classes
    assert "mtp-predict" in quiz_explorer.quiz._dom_classes


# --- any trained Bidirectional(LSTM) layer, with token labels ---------------------------------------


@pytest.fixture(scope="module")
def trained_text_model():
    """A functional model (ids -> Embedding(mask_zero) -> Bidirectional -> Dense) after one short fit."""
    keras.utils.set_random_seed(1)
    ids = keras.Input((None,), dtype="int32")
    vectors = keras.layers.Embedding(20, 5, mask_zero=True, name="embedding")(ids)
    encoded = keras.layers.Bidirectional(keras.layers.LSTM(6), name="bilstm")(vectors)
    model = keras.Model(ids, keras.layers.Dense(1, activation="sigmoid")(encoded))
    model.compile(optimizer="adam", loss="binary_crossentropy")
    rng = np.random.default_rng(1)
    model.fit(rng.integers(0, 20, (64, 9)), rng.integers(0, 2, 64).astype("float32"), epochs=1, verbose=0)
    return model


def test_explorer_takes_a_trained_layer_inside_a_model_and_word_labels(trained_text_model):
    layer = trained_text_model.get_layer("bilstm")
    ids = np.array([3, 7, 1, 12, 5, 9, 2, 4])
    sequence = keras.ops.convert_to_numpy(trained_text_model.get_layer("embedding")(ids[None]))[0]  # (8, 5)
    words = ["i", "do", "not", "think", "it", "was", "good", "today"]
    explorer = MaskingExplorer(layer, sequence, tokens=words, preset="post", n_pads=3)
    assert explorer.result.labels == ("i", "do", "not", "think", "it", "pad", "pad", "pad")
    assert [label.get_text() for label in explorer.view.mask.labels] == list(explorer.result.labels)
    assert explorer.agreement.agrees and explorer.result.max_difference <= 1e-6
    explorer.use_mask.value = False
    assert explorer.agreement.agrees and explorer.result.final_difference["forward"] > 1e-3
    quiz = MaskingExplorer(layer, sequence, tokens=words, predict=True)
    quiz.new_question()
    assert quiz.agreement.agrees and quiz.result.labels.count("pad") == int((~quiz.result.mask).sum())


@pytest.mark.parametrize(("merge_mode", "return_sequences", "return_state"), [
    ("concat", True, False), ("sum", False, True), ("mul", True, True), ("ave", False, False),
    (None, False, False), (None, True, True),
])
def test_explorer_takes_any_merge_mode_and_return_flags(merge_mode, return_sequences, return_state):
    layer = keras.layers.Bidirectional(
        keras.layers.LSTM(5, return_sequences=return_sequences, return_state=return_state),
        merge_mode=merge_mode)
    layer.build((None, None, 2))
    models.randomise_biases(layer, seed=2)
    sequence = np.random.default_rng(2).normal(size=(7, 2))
    explorer = MaskingExplorer(layer, sequence, tokens=list("abcdefg"), n_pads=2)
    assert explorer.merge_mode.value == (merge_mode or "concat")
    for change in (lambda: setattr(explorer.use_mask, "value", False),
                   lambda: explorer.editor.set_preset("pre", 3),
                   lambda: setattr(explorer.merge_mode, "value", "ave")):
        change()
        assert explorer.agreement.agrees, (merge_mode, return_sequences, return_state, explorer.agreement)
    expected = explorer.keras.model.outputs[2:]  # after the two directions' states: the layer's own outputs
    assert len(expected) == (1 + (merge_mode is None)) + 4 * return_state
