"""helpers.timing."""

import numpy as np
import pytest

from helpers.timing import (
    Timing,
    batches_in_order,
    measure,
    measure_interleaved,
    padded_cells,
    padding_fraction,
)


def test_measure_counts_repeats_and_warmup():
    calls = []
    timing = measure(lambda: calls.append(1), repeats=4, warmup=2)
    assert len(calls) == 6
    assert timing.seconds.shape == (4,) and (timing.seconds >= 0).all()


def test_best_and_median_ignore_one_slow_repeat():
    timing = Timing(np.array([0.011, 0.010, 0.012, 0.013, 5.0]))
    assert timing.best == pytest.approx(0.010)
    assert timing.median == pytest.approx(0.012)
    assert str(timing) == "10.00 ms (fastest of 5; median 12.00, slowest 5000.00 ms)"


def test_measure_interleaved_takes_turns():
    order = []
    timings = measure_interleaved({"a": lambda: order.append("a"), "b": lambda: order.append("b")},
                                  repeats=3, warmup=1)
    assert order == ["a", "b"] * 4
    assert set(timings) == {"a", "b"} and all(t.seconds.shape == (3,) for t in timings.values())


def test_one_slow_repeat_leaves_best_untouched():
    """The first timed call pauses (as a busy machine would); the fastest repeat does not see it."""
    import time

    state = {"calls": 0}

    def slow_once():
        state["calls"] += 1
        time.sleep(0.02 if state["calls"] == 2 else 0.0)  # the first timed call is slow

    timings = measure_interleaved({"slow": slow_once, "fast": lambda: None}, repeats=3)
    assert timings["slow"].seconds[0] >= 0.02 and timings["slow"].best < 0.02


@pytest.mark.parametrize(("kwargs", "error"), [
    ({"call": 3}, TypeError),
    ({"call": print, "repeats": 0}, ValueError),
    ({"call": print, "warmup": -1}, ValueError),
])
def test_measure_rejects_bad_arguments(kwargs, error):
    with pytest.raises(error):
        measure(**kwargs)


@pytest.mark.parametrize(("kwargs", "error", "match"), [
    ({"calls": {}}, TypeError, "non-empty dict"),
    ({"calls": [print]}, TypeError, "non-empty dict"),
    ({"calls": {"x": 3}}, TypeError, r"calls\['x'\]"),
    ({"calls": {"x": print}, "repeats": True}, ValueError, "repeats"),
])
def test_measure_interleaved_rejects_bad_arguments(kwargs, error, match):
    with pytest.raises(error, match=match):
        measure_interleaved(**kwargs)


def test_batches_in_order_splits_and_sorts():
    lengths = np.array([5, 1, 4, 2, 3])
    assert [b.tolist() for b in batches_in_order(lengths, 2)] == [[5, 1], [4, 2], [3]]
    sorted_batches = batches_in_order(lengths, 2, order=np.argsort(lengths))
    assert [b.tolist() for b in sorted_batches] == [[1, 2], [3, 4], [5]]


def test_padded_cells_and_fraction():
    batches = [np.array([5, 1]), np.array([4, 2]), np.array([3])]
    assert padded_cells(batches) == 2 * 5 + 2 * 4 + 3
    assert padding_fraction(batches) == pytest.approx(1 - 15 / 21)
    assert padding_fraction([np.array([3, 3])]) == 0.0


def test_sorting_never_costs_more_cells():
    rng = np.random.default_rng(0)
    for _ in range(20):
        lengths = rng.integers(1, 50, rng.integers(1, 60))
        plain = padded_cells(batches_in_order(lengths, 8))
        assert padded_cells(batches_in_order(lengths, 8, np.argsort(lengths))) <= plain


@pytest.mark.parametrize(("call", "error"), [
    (lambda: batches_in_order([1.5, 2.0], 2), ValueError),
    (lambda: batches_in_order([1, 2], 0), ValueError),
    (lambda: batches_in_order([1, 2], 2, order=[0, 0]), ValueError),
    (lambda: batches_in_order([0, 2], 2), ValueError),
    (lambda: padded_cells(np.array([1, 2])), TypeError),
    (lambda: padded_cells([]), TypeError),
])
def test_bad_arguments_are_named(call, error):
    with pytest.raises(error):
        call()
