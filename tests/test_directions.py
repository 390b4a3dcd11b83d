"""helpers.directions: final states agree with Keras and the NumPy reference, one stacked call equals many."""

import keras
import matplotlib.pyplot as plt
import numpy as np
import pytest
from matplotlib.colors import Normalize
from matplotlib.figure import Figure

from helpers.directions import (
    final_states,
    final_states_per_layout,
    lstm_with_weights,
    plot_layouts,
    state_distances,
)
from helpers.models import make_bilstm
from helpers.padding import place_in_mask, preset_mask
from helpers.trace import trace_bilstm

TIME, FEATURES, UNITS, REAL = 7, 3, 4, 4
LAYOUTS = ("post", "pre", "middle")


@pytest.fixture(scope="module")
def layer():
    return make_bilstm(UNITS, FEATURES, seed=5, return_state=True, name="states")


@pytest.fixture(scope="module")
def sequences():
    return np.random.default_rng(5).normal(size=(2, REAL, FEATURES)).astype("float32")


@pytest.fixture(scope="module")
def layouts(sequences):
    masks = {name: np.tile(preset_mask(TIME, TIME - REAL, name), (len(sequences), 1)) for name in LAYOUTS}
    padded = {name: np.stack([place_in_mask(s, m) for s, m in zip(sequences, masks[name], strict=True)])
              .astype("float32") for name in LAYOUTS}
    return padded, masks


@pytest.fixture(autouse=True)
def close_figures():
    yield
    plt.close("all")


def test_lstm_with_weights_computes_what_the_original_computes(layer, sequences):
    backward = layer.backward_layer
    copy = lstm_with_weights(backward.get_weights(), "copy", go_backwards=True)
    assert copy.go_backwards and copy.units == UNITS and copy.name == "copy"
    np.testing.assert_allclose(keras.ops.convert_to_numpy(copy(sequences)),
                               keras.ops.convert_to_numpy(backward(sequences)[0]), atol=1e-6)


@pytest.mark.parametrize(("weights", "error", "pattern"), [
    (np.zeros((3, 16)), TypeError, "expected a list"),
    ([np.zeros((3, 16)), np.zeros((4, 16))], ValueError, "expected 3 arrays"),
    ([np.zeros((3, 16)), np.zeros((4, 12)), np.zeros(16)], ValueError, r"got shapes \(3, 16\), \(4, 12\)"),
    ([np.zeros((3, 16)), np.zeros((4, 16)), np.zeros(12)], ValueError, r"bias \(4 \* units,\)"),
])
def test_lstm_with_weights_rejects_bad_weights(weights, error, pattern):
    with pytest.raises(error, match=pattern):
        lstm_with_weights(weights, "bad")


def test_final_states_are_the_layers_states_and_the_numpy_references(layer, layouts):
    padded, masks = layouts
    forward_h, backward_h = final_states(layer, padded["middle"], masks["middle"])
    _, keras_forward_h, _, keras_backward_h, _ = layer(padded["middle"], mask=masks["middle"])
    np.testing.assert_array_equal(forward_h, keras.ops.convert_to_numpy(keras_forward_h))
    np.testing.assert_array_equal(backward_h, keras.ops.convert_to_numpy(keras_backward_h))
    reference = trace_bilstm(layer, padded["middle"], masks["middle"])
    np.testing.assert_allclose(forward_h, reference.forward_final, atol=1e-6)
    np.testing.assert_allclose(backward_h, reference.backward_final, atol=1e-6)


def test_final_states_with_merge_mode_none(layer, layouts):
    padded, masks = layouts
    separate = make_bilstm(UNITS, FEATURES, seed=5, merge_mode=None, return_state=True)
    assert len(separate(padded["pre"], mask=masks["pre"])) == 6
    for mine, theirs in zip(final_states(separate, padded["pre"], masks["pre"]),
                            final_states(layer, padded["pre"], masks["pre"]), strict=True):
        np.testing.assert_array_equal(mine, theirs)


def test_final_states_rejects_bad_input(layer, layouts):
    padded, masks = layouts
    with pytest.raises(ValueError, match="return_state=True"):
        final_states(make_bilstm(UNITS, FEATURES, seed=5), padded["post"])
    with pytest.raises(TypeError, match="expected keras.layers.Bidirectional"):
        final_states(layer.forward_layer, padded["post"])
    with pytest.raises(ValueError, match=r"inputs: expected shape \(batch, time, features\)"):
        final_states(layer, padded["post"][0])
    with pytest.raises(ValueError, match=r"mask: expected shape \(batch, time\) = \(2, 7\)"):
        final_states(layer, padded["post"], masks["post"][0])


@pytest.mark.parametrize("use_mask", [True, False])
def test_one_stacked_call_equals_one_call_per_layout(layer, layouts, use_mask):
    padded, masks = layouts
    stacked = final_states_per_layout(layer, padded, masks if use_mask else None)
    assert list(stacked) == list(LAYOUTS)
    for name in LAYOUTS:
        alone = final_states(layer, padded[name], masks[name] if use_mask else None)
        for got, expected in zip(stacked[name], alone, strict=True):
            assert got.shape == (2, UNITS)
            np.testing.assert_allclose(got, expected, atol=1e-6, rtol=0, err_msg=name)


def test_stacked_call_rejects_mismatched_layouts(layer, layouts):
    padded, masks = layouts
    with pytest.raises(ValueError, match="at least one layout"):
        final_states_per_layout(layer, {})
    with pytest.raises(ValueError, match="the same shape"):
        final_states_per_layout(layer, {"post": padded["post"], "short": padded["pre"][:, :5]})
    with pytest.raises(ValueError, match="masks: expected the layouts of padded"):
        final_states_per_layout(layer, padded, {"post": masks["post"]})


def test_state_distances_are_euclidean_per_sequence():
    reference = (np.zeros((2, 2)), np.ones((2, 2)))
    states = (np.array([[3.0, 4.0], [0.0, 0.0]]), np.ones((2, 2)))
    distances = state_distances(states, reference)
    np.testing.assert_allclose(distances["forward"], [5.0, 0.0])
    np.testing.assert_array_equal(distances["backward"], [0.0, 0.0])
    with pytest.raises(TypeError, match=r"states: expected a pair \(forward_h, backward_h\)"):
        state_distances(np.zeros((2, 2)), reference)
    with pytest.raises(ValueError, match=r"like the reference's \(2, 2\), got \(2, 3\)"):
        state_distances((np.zeros((2, 3)), np.zeros((2, 2))), reference)


def outlined_steps(ax) -> list[float]:
    return [p.get_x() + 0.5 for p in ax.patches if p.get_gid() == "final" and p.get_visible()]


def hatched_steps(ax) -> list[float]:
    return [p.get_x() + 0.5 for p in ax.patches if p.get_gid() == "pad" and p.get_visible()]


def test_plot_layouts_draws_both_directions_per_row(layer, layouts):
    padded, masks = layouts
    batch = np.stack([padded[name][0] for name in LAYOUTS])
    batch_mask = np.stack([masks[name][0] for name in LAYOUTS])
    trace = trace_bilstm(layer, batch, batch_mask)
    fig = plot_layouts(trace, {"pre": 1, "post": 0}, norm=Normalize(-0.5, 0.5), title="masked")
    assert isinstance(fig, Figure) and fig._suptitle.get_text() == "masked"
    (pre_forward, post_forward), (pre_backward, post_backward) = np.reshape(fig.axes[:4], (2, 2))
    assert outlined_steps(post_forward) == [REAL - 1] and outlined_steps(post_backward) == [0]
    assert outlined_steps(pre_forward) == [TIME - 1] and outlined_steps(pre_backward) == [TIME - REAL]
    assert hatched_steps(post_forward) == list(range(REAL, TIME))
    assert pre_forward.images[0].norm.vmax == 0.5


def test_plot_layouts_hatches_a_given_mask_for_an_unmasked_run(layer, layouts):
    padded, masks = layouts
    unmasked = trace_bilstm(layer, padded["post"])
    ax = plot_layouts(unmasked, {"post": 0}, mask=masks["post"]).axes[0]
    assert hatched_steps(ax) == list(range(REAL, TIME)) and outlined_steps(ax) == [TIME - 1]


def test_plot_layouts_rejects_bad_input(layer, layouts):
    padded, masks = layouts
    trace = trace_bilstm(layer, padded["post"], masks["post"])
    with pytest.raises(TypeError, match="expected a BiLSTMTrace"):
        plot_layouts(padded["post"], {"post": 0})
    with pytest.raises(ValueError, match="rows from 0 to 1"):
        plot_layouts(trace, {"post": 2})
    with pytest.raises(ValueError, match=r"mask: expected shape \(batch, time\) = \(2, 7\)"):
        plot_layouts(trace, {"post": 0}, mask=masks["post"][0])
