"""helpers.plots: heat maps mark pads and final steps, differences share one symmetric scale, clear errors."""

import matplotlib.pyplot as plt
import numpy as np
import pytest
from matplotlib.figure import Figure

from helpers import models
from helpers.explorer import explore
from helpers.padding import preset_mask
from helpers.plots import (
    DIFFERENCE_FLOOR,
    ExplorerFigure,
    draw_output,
    draw_states,
    plot_difference,
    plot_mask,
    plot_states,
    symmetric_limit,
)
from helpers.trace import bilstm_weights, trace_bilstm

TIME, FEATURES, UNITS = 7, 3, 5
MASK = np.array([[1, 1, 1, 1, 0, 0, 0], [0, 0, 1, 1, 1, 1, 1], [0, 0, 0, 0, 0, 0, 0]], dtype=bool)


@pytest.fixture(scope="module")
def layer():
    return models.make_bilstm(UNITS, FEATURES, seed=0)


@pytest.fixture(scope="module")
def inputs():
    return np.random.default_rng(0).normal(size=(3, TIME, FEATURES))


@pytest.fixture(scope="module")
def masked(layer, inputs):
    return trace_bilstm(layer, inputs, MASK)


@pytest.fixture(scope="module")
def unmasked(layer, inputs):
    return trace_bilstm(layer, inputs)


@pytest.fixture(autouse=True)
def close_figures():
    yield
    plt.close("all")


def visible(ax, gid):
    """x centres of the visible patches with this gid, sorted."""
    return sorted(p.get_x() + p.get_width() / 2 for p in ax.patches if p.get_gid() == gid and p.get_visible())


def count_artists(fig):
    """Images, patches, texts and lines the code itself adds (ticks come and go with the limits)."""
    return sum(len(ax.images) + len(ax.patches) + len(ax.texts) + len(ax.lines) for ax in fig.axes)


def heat_maps(fig):
    return [ax for ax in fig.axes if ax.images and ax.get_label() != "<colorbar>"]


@pytest.mark.parametrize(("index", "pads", "forward_final", "backward_final"),
                         [(0, [4, 5, 6], [3], [0]), (1, [0, 1], [6], [2])])
def test_plot_states_marks_pads_and_final_steps(masked, index, pads, forward_final, backward_final):
    fig = plot_states(masked, index)
    assert isinstance(fig, Figure)
    assert len(fig.axes) == 3  # forward, backward, colour bar
    forward, backward = heat_maps(fig)
    for ax in (forward, backward):
        assert visible(ax, "pad") == pads
        patch = next(p for p in ax.patches if p.get_gid() == "pad")
        assert patch.get_hatch() == "//"
    assert visible(forward, "final") == forward_final
    assert visible(backward, "final") == backward_final
    assert "reads →" in forward.get_title(loc="left") and "← reads" in backward.get_title(loc="left")
    np.testing.assert_array_equal(forward.images[0].get_array(), masked.forward_h[index].T)
    np.testing.assert_array_equal(backward.images[0].get_array(), masked.backward_h[index].T)


def test_plot_states_uses_a_symmetric_diverging_scale(masked):
    forward, backward = heat_maps(plot_states(masked))
    for ax in (forward, backward):
        assert ax.images[0].get_clim() == (-1.0, 1.0)
        assert ax.images[0].get_cmap().name == "RdBu_r"


def test_nothing_is_highlighted_when_every_step_is_padded(masked):
    forward, backward = heat_maps(plot_states(masked, 2))
    assert visible(forward, "final") == [] and visible(backward, "final") == []
    assert len(visible(forward, "pad")) == TIME
    assert "no real step" in forward.get_title(loc="left")


def test_a_given_mask_marks_the_pads_of_an_unmasked_run(unmasked):
    forward, _ = heat_maps(plot_states(unmasked, 0, mask=MASK))
    assert visible(forward, "pad") == [4, 5, 6]
    assert visible(forward, "final") == [TIME - 1]  # without a mask the final state comes from the last step


def test_token_labels_go_on_the_time_axis(masked):
    tokens = ["the", "cat", "sat", "<pad>", "<pad>", "<pad>", "<pad>"]
    _, backward = heat_maps(plot_states(masked, 0, tokens=tokens))
    assert [t.get_text() for t in backward.get_xticklabels()] == tokens


def test_plot_mask_draws_one_cell_per_step_with_the_tokens():
    tokens = np.where(MASK, 7, 0)
    fig = plot_mask(MASK, tokens)
    (ax,) = fig.axes
    assert ax.images[0].get_array().shape == MASK.shape
    pads = [p for p in ax.patches if p.get_gid() == "pad" and p.get_visible()]
    assert len(pads) == (~MASK).sum()
    cells = sorted((p.get_y() + 0.5, p.get_x() + 0.5) for p in pads)
    assert cells == sorted(zip(*np.nonzero(~MASK), strict=True))
    texts = [t.get_text() for t in ax.texts]
    assert texts == [str(v) for v in tokens.ravel()]


def test_plot_mask_writes_ones_and_zeros_without_tokens():
    (ax,) = plot_mask([1, 0, 1]).axes
    assert [t.get_text() for t in ax.texts] == ["1", "0", "1"]


def test_plot_difference_shares_one_symmetric_scale(unmasked, masked):
    fig = plot_difference(unmasked, masked, 0, names=("unmasked", "masked"))
    assert len(fig.axes) == 3
    forward, backward = heat_maps(fig)
    limits = {forward.images[0].get_clim(), backward.images[0].get_clim()}
    assert len(limits) == 1
    low, high = limits.pop()
    assert low == -high
    largest = max(np.abs(unmasked.forward_h[0] - masked.forward_h[0]).max(),
                  np.abs(unmasked.backward_h[0] - masked.backward_h[0]).max())
    assert high == pytest.approx(max(largest, DIFFERENCE_FLOOR))
    assert forward.images[0].norm is backward.images[0].norm
    colorbar = next(ax for ax in fig.axes if ax not in (forward, backward))
    assert "unmasked − masked" in colorbar.get_ylabel()
    assert visible(forward, "pad") == [4, 5, 6]
    np.testing.assert_allclose(forward.images[0].get_array(), (unmasked.forward_h[0] - masked.forward_h[0]).T)


def test_plot_difference_of_equal_traces_keeps_a_small_scale(masked):
    forward, _ = heat_maps(plot_difference(masked, masked))
    assert forward.images[0].get_clim() == (-DIFFERENCE_FLOOR, DIFFERENCE_FLOOR)
    forward, _ = heat_maps(plot_difference(masked, masked, vmax=2.0))
    assert forward.images[0].get_clim() == (-2.0, 2.0)


def test_draw_states_updates_in_place():
    fig, ax = plt.subplots()
    states = np.zeros((4, 2))
    artists = draw_states(ax, states, [True] * 4, 3)
    image = artists.image
    artists.update(np.ones((4, 2)), np.array([True, False, True, True]), None, "new")
    assert artists.image is image and len(ax.images) == 1
    np.testing.assert_array_equal(image.get_array(), 1.0)
    assert visible(ax, "pad") == [1] and visible(ax, "final") == []
    assert artists.title.get_text() == "new"


def test_draw_output_shows_bars_and_reference():
    fig, ax = plt.subplots()
    artists = draw_output(ax, np.array([0.5, -0.5]), np.array([0.1, 0.2]), capacity=4)
    assert [bar.get_height() for bar in artists.bars if bar.get_visible()] == [0.5, -0.5]
    np.testing.assert_array_equal(artists.reference.get_ydata(), [0.1, 0.2])
    artists.update(np.arange(4.0), np.zeros(4))
    assert sum(bar.get_visible() for bar in artists.bars) == 4


def test_explorer_figure_updates_the_same_artists(layer):
    weights = bilstm_weights(layer)
    sequence = np.random.default_rng(1).normal(size=(TIME, FEATURES))
    before = explore(weights, sequence, preset_mask(TIME, 2, "post"), use_mask=False)
    view = ExplorerFigure(before)
    images = [view.forward.image, view.backward.image, view.forward_difference.image]
    n_artists = count_artists(view.figure)
    after = explore(weights, sequence, preset_mask(TIME, 3, "pre"), merge_mode="sum")
    view.update(after)
    assert [view.forward.image, view.backward.image, view.forward_difference.image] == images
    assert count_artists(view.figure) == n_artists
    np.testing.assert_array_equal(view.forward.image.get_array(), after.trace.forward_h[0].T)
    np.testing.assert_array_equal(view.forward_difference.image.get_array(), 0.0)
    assert view.forward_difference.image.get_clim() == (-DIFFERENCE_FLOOR, DIFFERENCE_FLOOR)
    assert visible(view.forward.image.axes, "pad") == [0, 1, 2]
    assert visible(view.backward.image.axes, "final") == [3]
    assert [t.get_text() for t in view.mask.labels] == ["pad"] * 3 + ["x0", "x1", "x2", "x3"]
    assert sum(bar.get_visible() for bar in view.outputs["merged"].bars) == UNITS  # sum: one bar per unit
    assert "= unpadded" in view.outputs["forward"].title.get_text()


def test_symmetric_limit():
    assert symmetric_limit(np.array([0.3, -0.7])) == 0.7
    assert symmetric_limit(np.zeros(3)) == DIFFERENCE_FLOOR
    assert symmetric_limit(np.ones(3), vmax=0.2) == 0.2


@pytest.mark.parametrize(
    ("call", "error", "pattern"),
    [
        (lambda t: plot_states(t, 3), ValueError, r"index: expected an int from 0 to 2 \(the trace holds 3 "
                                                  r"sequences\), got 3"),
        (lambda t: plot_states(t, -1), ValueError, r"index: expected an int from 0 to 2"),
        (lambda t: plot_states(t, 0, tokens=["a"]), ValueError,
         r"tokens: expected 7 labels \(one per timestep\), got shape \(1,\)"),
        (lambda t: plot_states(t.forward_h), TypeError, r"trace: expected a BiLSTMTrace .* got ndarray"),
        (lambda t: plot_states(t, 0, mask=np.ones(3, bool)), ValueError, r"mask: expected shape \(time,\)"),
        (lambda t: plot_mask(np.ones(3) * 0.5), TypeError, r"mask: expected bool or 0/1 integers"),
        (lambda t: plot_mask(np.ones((2, 2, 2), bool)), ValueError, r"mask: expected shape \(time,\) or"),
        (lambda t: plot_mask([1, 0], tokens=[1, 2, 3]), ValueError, r"tokens: expected shape \(2,\) like"),
        (lambda t: plot_difference(t, "x"), TypeError, r"second: expected a BiLSTMTrace"),
        (lambda t: plot_difference(t, t, vmax=0), ValueError, r"vmax: expected a number > 0 or None, got 0"),
    ],
)
def test_bad_input_gets_a_clear_error(masked, call, error, pattern):
    with pytest.raises(error, match=pattern):
        call(masked)


def test_traces_of_different_shapes_cannot_be_subtracted(layer, inputs, masked):
    short = trace_bilstm(layer, inputs[:1, :4])
    with pytest.raises(ValueError, match=r"second: expected states of shape .* \(3, 7, 5\) like first, "
                                         r"got \(1, 4, 5\); lay an unpadded trace"):
        plot_difference(masked, short)


def test_draw_functions_check_their_input():
    fig, ax = plt.subplots()
    with pytest.raises(ValueError, match=r"states: expected shape \(time, units\), got shape \(3,\)"):
        draw_states(ax, np.zeros(3), [True] * 3)
    with pytest.raises(ValueError, match=r"final_step: expected None or an int from 0 to 2, got 3"):
        draw_states(ax, np.zeros((3, 2)), [True] * 3, 3)
    with pytest.raises(ValueError, match=r"capacity: expected at least 2 \(the number of values\), got 1"):
        draw_output(ax, np.zeros(2), np.zeros(2), capacity=1)
    with pytest.raises(ValueError, match=r"reference: expected shape \(2,\) like values, got \(3,\)"):
        draw_output(ax, np.zeros(2), np.zeros(3))


def test_plot_states_takes_a_symmetric_colour_scale():
    from helpers.trace import trace_bilstm

    trace = trace_bilstm(models.make_bilstm(3, 2, seed=0), np.ones((4, 2)), np.array([1, 1, 0, 0]))
    fig = plot_states(trace, vmax=0.25)
    assert fig.axes[0].images[0].get_clim() == (-0.25, 0.25)
    assert plot_states(trace).axes[0].images[0].get_clim() == (-1.0, 1.0)
    with pytest.raises(ValueError, match="vmax: expected a positive number or None"):
        plot_states(trace, vmax=0)
    plt.close("all")
