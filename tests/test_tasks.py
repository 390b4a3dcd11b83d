"""helpers.tasks."""

import numpy as np
import pytest

from helpers.padding import is_right_padded
from helpers.tasks import all_switch_logs, best_accuracy_without_mask, switch_logs


def test_switch_logs_shapes_and_types():
    logs = switch_logs(50, seed=0, time=12, min_length=2, max_length=10)
    assert logs.x.shape == (50, 12, 1) and logs.x.dtype == np.float32
    assert logs.mask.shape == (50, 12) and logs.mask.dtype == bool
    assert logs.y.shape == (50,) and set(np.unique(logs.y)) <= {0.0, 1.0}
    np.testing.assert_array_equal(logs.mask.sum(axis=1), logs.lengths)
    assert ((logs.lengths >= 2) & (logs.lengths <= 10)).all()


def test_switch_logs_pads_with_zeros_in_front_or_at_the_end():
    logs = switch_logs(200, seed=1)
    assert (logs.x[~logs.mask] == 0).all()
    assert set(np.unique(logs.x)) == {0.0, 1.0}
    for row, pre in zip(logs.mask, logs.pre, strict=True):
        assert is_right_padded(row[::-1] if pre else row)
    assert 0.3 < logs.pre.mean() < 0.7


def test_switch_logs_label_compares_first_and_last_real_reading():
    logs = switch_logs(100, seed=2)
    for x, mask, y in zip(logs.x[..., 0], logs.mask, logs.y, strict=True):
        real = x[mask]
        assert y == float(real[0] == real[-1])
    assert 0.3 < logs.y.mean() < 0.7


def test_switch_logs_is_reproducible():
    a, b = switch_logs(20, seed=5), switch_logs(20, seed=5)
    np.testing.assert_array_equal(a.x, b.x)
    assert not np.array_equal(a.x, switch_logs(20, seed=6).x)


@pytest.mark.parametrize(("kwargs", "error"), [
    ({"n": 0}, ValueError),
    ({"n": 5, "min_length": 0}, ValueError),
    ({"n": 5, "max_length": 13}, ValueError),
    ({"n": 5, "time": 12.0}, TypeError),
])
def test_switch_logs_rejects_bad_arguments(kwargs, error):
    with pytest.raises(error):
        switch_logs(seed=0, **kwargs)


def test_best_accuracy_without_mask_by_hand():
    # time 2, length 1 or 2: logs "0", "1" (label 1), "00", "11" (1), "01", "10" (0), each side.
    # Seen: [0,0] from "0" pre/post (label 1) and "00" (label 1): always 1. [0,1] from "1" pre (1)
    # and "01" (0): a tie. [1,0] likewise, [1,1] from "11" (1). Half the logs are length 1.
    # P([0,0]) = 1/2*1/2 + 1/2*1/4 = 3/8 -> all right; [0,1]: 1/2*1/2*1/2 + 1/2*1/4 = 1/4 -> half right;
    # [1,0]: 1/4 -> half right; [1,1]: 1/2*1/4 = 1/8 -> right. Total 3/8 + 1/8 + 1/8 + 1/8 = 3/4.
    assert best_accuracy_without_mask(time=2, min_length=1, max_length=2) == pytest.approx(0.75)


def test_no_padding_means_no_loss():
    assert best_accuracy_without_mask(time=6, min_length=6, max_length=6) == pytest.approx(1.0)


def test_best_accuracy_without_mask_matches_a_large_sample():
    logs = switch_logs(20000, seed=3, time=6, min_length=2, max_length=5)
    seen = {}
    for x, y in zip(logs.x[..., 0].astype(int), logs.y, strict=True):
        seen.setdefault(tuple(x), []).append(y)
    sampled = sum(max(np.sum(v), len(v) - np.sum(v)) for v in seen.values()) / len(logs.y)
    assert sampled == pytest.approx(best_accuracy_without_mask(time=6, min_length=2, max_length=5), abs=0.02)


def test_more_padding_hides_more():
    assert best_accuracy_without_mask(12, 2, 10) < best_accuracy_without_mask(10, 2, 5) < 1.0


def test_all_switch_logs_lists_each_log_once_with_its_chance():
    logs, chance = all_switch_logs(time=5, min_length=2, max_length=5)
    # lengths 2..4 on two sides, length 5 (no padding) once: 2 * (4 + 8 + 16) + 32
    assert len(chance) == logs.x.shape[0] == 2 * (4 + 8 + 16) + 32
    assert chance.sum() == pytest.approx(1.0)
    rows = {(tuple(x), tuple(m)) for x, m in zip(logs.x[..., 0].astype(int), logs.mask, strict=True)}
    assert len(rows) == len(chance)
    np.testing.assert_array_equal(logs.mask.sum(axis=1), logs.lengths)
    assert (logs.x[~logs.mask] == 0).all()
    for x, mask, y in zip(logs.x[..., 0], logs.mask, logs.y, strict=True):
        assert y == float(x[mask][0] == x[mask][-1])
    assert float(np.sum(chance * logs.y)) == pytest.approx(0.5)


def test_all_switch_logs_chance_matches_switch_logs_frequencies():
    logs, chance = all_switch_logs(time=4, min_length=1, max_length=3)
    index = {(tuple(x), tuple(m)): i for i, (x, m) in enumerate(zip(logs.x[..., 0].astype(int), logs.mask,
                                                                        strict=True))}
    sample = switch_logs(40000, seed=4, time=4, min_length=1, max_length=3)
    seen = np.zeros(len(chance))
    for x, m in zip(sample.x[..., 0].astype(int), sample.mask, strict=True):
        seen[index[(tuple(x), tuple(m))]] += 1
    np.testing.assert_allclose(seen / len(sample.y), chance, atol=0.005)


def test_all_switch_logs_gives_the_best_accuracy_without_mask():
    logs, chance = all_switch_logs(time=6, min_length=2, max_length=5)
    looks = {}
    for x, y, p in zip(logs.x[..., 0].astype(int), logs.y.astype(int), chance, strict=True):
        looks.setdefault(tuple(x), [0.0, 0.0])[y] += p
    best = sum(max(p) for p in looks.values())
    assert best == pytest.approx(best_accuracy_without_mask(time=6, min_length=2, max_length=5))


def test_all_switch_logs_rejects_bad_arguments():
    with pytest.raises(ValueError, match="max_length"):
        all_switch_logs(time=20, min_length=2, max_length=17)
    with pytest.raises(TypeError, match="time"):
        all_switch_logs(time=6.0)
    with pytest.raises(ValueError, match="min_length"):
        all_switch_logs(time=6, min_length=4, max_length=3)
