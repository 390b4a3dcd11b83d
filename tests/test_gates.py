"""helpers.gates: one step of one direction, read from a trace, drawn, and checked at the edges."""

import matplotlib.pyplot as plt
import numpy as np
import pytest

from helpers import models
from helpers.gates import MASKED_NOTE, StepView, draw_step, step_view
from helpers.trace import GATE_NAMES, trace_bilstm, trace_lstm

TIME, FEATURES, UNITS = 6, 2, 3
MASK = np.array([[1, 1, 1, 1, 1, 1], [0, 1, 1, 0, 1, 0]], dtype=bool)


@pytest.fixture(scope="module")
def traces():
    rng = np.random.default_rng(0)
    x = rng.normal(size=(2, TIME, FEATURES))
    bi = trace_bilstm(models.make_bilstm(UNITS, FEATURES, seed=0), x, MASK)
    single = trace_lstm(models.make_lstm(UNITS, FEATURES, seed=1), x, MASK)
    backwards = trace_lstm(models.make_lstm(UNITS, FEATURES, seed=1, go_backwards=True), x, MASK)
    return bi, single, backwards


def test_every_step_of_both_directions_is_consistent(traces):
    bi = traces[0]
    for direction in ("forward", "backward"):
        for row in range(2):
            for t in range(TIME):
                view = step_view(bi, row, t, direction)
                assert view.valid == MASK[row, t]
                if view.valid:
                    g = view.gates
                    c = g["forget_gate"] * view.c_before + g["input_gate"] * g["candidate"]
                    np.testing.assert_allclose(view.c, c, atol=1e-12)
                    np.testing.assert_allclose(view.h, g["output_gate"] * np.tanh(view.c), atol=1e-12)
                else:
                    np.testing.assert_array_equal(view.h, view.h_before)
                    np.testing.assert_array_equal(view.c, view.c_before)
                    assert view.note == MASKED_NOTE


def test_state_before_follows_the_reading_direction(traces):
    bi = traces[0]
    forward, backward = step_view(bi, 0, 2, "forward"), step_view(bi, 0, 2, "backward")
    np.testing.assert_array_equal(forward.h_before, bi.forward_h[0, 1])
    np.testing.assert_array_equal(backward.h_before, bi.backward_h[0, 3])
    assert not step_view(bi, 0, 0, "forward").h_before.any()
    assert not step_view(bi, 0, TIME - 1, "backward").h_before.any()


def test_gates_are_copied_from_the_trace(traces):
    bi = traces[0]
    view = step_view(bi, 1, 3, "backward")
    assert set(view.gates) == set(GATE_NAMES)
    for name in GATE_NAMES:
        np.testing.assert_array_equal(view.gates[name], bi.backward_gates[name][1, 3])


def test_single_lstm_trace_uses_its_own_direction(traces):
    _, single, backwards = traces
    assert step_view(single, 1, 2).direction == "forward"
    view = step_view(backwards, 1, 2)
    assert view.direction == "backward"
    np.testing.assert_array_equal(view.h_before, backwards.h[1, 3])
    np.testing.assert_array_equal(step_view(backwards, 1, 2, "backward").h, view.h)


@pytest.mark.parametrize("direction", ["forward", "backward"])
@pytest.mark.parametrize("valid", [True, False])
def test_draw_step_marks_masked_steps_and_colours_the_direction(direction, valid):
    from matplotlib.colors import to_rgba

    from helpers.plots import BACKWARD_COLOR, FORWARD_COLOR, PAD_STYLE

    fig = draw_step(step_view_of(valid=valid, direction=direction))
    assert len(fig.axes) == 6
    assert (MASKED_NOTE in fig._suptitle.get_text()) == (not valid)
    expected = (to_rgba(FORWARD_COLOR if direction == "forward" else BACKWARD_COLOR) if valid
                else to_rgba(PAD_STYLE["facecolor"]))
    for ax in fig.axes[:4]:  # the gates: the series' pad style at a masked step, the direction's colour else
        for bar in ax.patches:
            assert bar.get_facecolor() == pytest.approx(expected)
            assert (bar.get_hatch() == PAD_STYLE["hatch"]) == (not valid)
    plt.close(fig)


def step_view_of(valid, direction="forward"):
    zeros = np.zeros(UNITS)
    gates = dict.fromkeys(GATE_NAMES, zeros + 0.5)
    return StepView(row=0, t=0, direction=direction, valid=valid, gates=gates, h_before=zeros,
                    c_before=zeros, h=zeros + 0.1, c=zeros + 2.0)


def test_rejects_bad_arguments(traces):
    bi, single, _ = traces
    with pytest.raises(ValueError, match="direction: expected 'forward' or 'backward' for a BiLSTMTrace"):
        step_view(bi, 0, 0)
    with pytest.raises(ValueError, match="direction: expected None or 'forward' for this LSTMTrace"):
        step_view(single, 0, 0, "backward")
    with pytest.raises(ValueError, match="t: expected an int from 0 to 5, got 6"):
        step_view(bi, 0, TIME, "forward")
    with pytest.raises(ValueError, match="row: expected an int from 0 to 1, got -1"):
        step_view(bi, -1, 0, "forward")
    with pytest.raises(TypeError, match=r"t: expected an int, got float \(1.0\)"):
        step_view(bi, 0, 1.0, "forward")
    with pytest.raises(TypeError, match="trace: expected an LSTMTrace or a BiLSTMTrace, got ndarray"):
        step_view(np.zeros((2, 3)), 0, 0)
