"""helpers.backend_runs: the case file round-trips, each process measures Keras itself, skips say why."""

import os
import subprocess
import sys

import numpy as np
import pytest

from helpers import backend_runs
from helpers.backends import BACKENDS, backend
from helpers.models import randomise_biases

IDS = np.array([[1, 2, 3, 0, 0], [0, 0, 4, 5, 6], [7, 0, 8, 0, 9], [1, 2, 3, 4, 5]], "int32")
OUT_OF_RANGE = {"tensorflow": "raises InvalidArgumentError", "jax": "returns NaN",
                "torch": "raises IndexError"}


@pytest.fixture(scope="module")
def tiny():
    import keras

    keras.utils.set_random_seed(3)
    model = backend_runs.build_model(10, 3, 4)
    randomise_biases(model.get_layer("bilstm"), 3)
    return model


@pytest.fixture(scope="module")
def measured(tiny):
    return backend_runs.measure(tiny, IDS)


def test_build_model_refuses_bad_sizes():
    with pytest.raises(ValueError, match="units: expected a positive int"):
        backend_runs.build_model(10, 3, 0)


def test_write_case_refuses_float_ids(tiny, tmp_path):
    with pytest.raises(ValueError, match="ids: expected"):
        backend_runs.write_case(tmp_path / "case.npz", tiny, IDS.astype(float))


def test_case_round_trips_weights_and_ids(tiny, tmp_path):
    model, ids = backend_runs.read_case(backend_runs.write_case(tmp_path / "case.npz", tiny, IDS))
    np.testing.assert_array_equal(ids, IDS)
    for read, written in zip(model.get_weights(), tiny.get_weights(), strict=True):
        np.testing.assert_array_equal(read, written)


def test_measure_is_keras_own_masking(tiny, measured):
    import keras

    np.testing.assert_array_equal(measured["outputs"], keras.ops.convert_to_numpy(tiny(IDS)))
    np.testing.assert_array_equal(measured["mask"], IDS != 0)
    alone = keras.ops.convert_to_numpy(tiny(np.array([[4, 5, 6]], "int32")))[0]
    np.testing.assert_allclose(measured["alone"][1], alone, atol=1e-6)
    np.testing.assert_allclose(measured["outputs"], measured["alone"], atol=1e-6)
    assert measured["mask_attached"] and not measured["mask_after_op"]
    assert measured["out_of_range"] == OUT_OF_RANGE[backend()]
    assert measured["versions"]["backend"] == backend() and measured["call_seconds"] > 0


class _FakeEmbedding:
    input_dim = 3

    def __init__(self, looked_up):
        self.embeddings = np.arange(6.0).reshape(3, 2)
        self.looked_up = looked_up

    def __call__(self, ids):
        if self.looked_up is None:
            raise KeyError("out of range")
        return np.array([[self.looked_up]])


@pytest.mark.parametrize(("looked_up", "said"), [
    (None, "raises KeyError"), ([np.nan, np.nan], "returns NaN"),
    ([4.0, 5.0], "returns the last row (clamped)"), ([0.0, 0.0], "returns zeros"),
    ([1.0, 9.0], "returns other values")])
def test_out_of_range_effect_names_what_happened(looked_up, said):
    assert backend_runs.out_of_range_effect(_FakeEmbedding(looked_up)) == said


def test_result_round_trips(measured, tmp_path):
    backend_runs.write_result(tmp_path / "result.npz", measured)
    run = backend_runs.read_result(tmp_path / "result.npz", backend())
    np.testing.assert_array_equal(run.outputs, measured["outputs"])
    assert run.out_of_range == measured["out_of_range"] and run.masked_vs_alone <= 1e-6


def test_a_fresh_process_computes_what_this_one_does(tiny, measured, tmp_path):
    case = backend_runs.write_case(tmp_path / "case.npz", tiny, IDS)
    run = backend_runs.run_backend(backend(), case)
    np.testing.assert_allclose(run.outputs, measured["outputs"], atol=1e-6)
    assert run.versions["backend"] == backend()


def test_a_failed_process_raises_with_its_last_error_line(tmp_path):
    with pytest.raises(RuntimeError, match="run failed with exit status 1: FileNotFoundError"):
        backend_runs.run_backend(backend(), tmp_path / "missing.npz")


def test_run_backend_refuses_an_unknown_backend(tmp_path):
    with pytest.raises(ValueError, match="backend: expected one of"):
        backend_runs.run_backend("numpy", tmp_path / "case.npz")


def test_missing_backends_are_skipped_with_one_line(tiny, measured, monkeypatch):
    here = backend()
    monkeypatch.setattr(backend_runs, "installed", lambda library: library == backend_runs.LIBRARIES[here])
    monkeypatch.setattr(backend_runs, "run_backend",
                        lambda name, case: backend_runs.BackendRun(backend=name, **measured))
    runs, skipped = backend_runs.compare_backends(tiny, IDS)
    assert list(runs) == [here] and set(skipped) == set(BACKENDS) - {here}
    for name, line in skipped.items():
        assert line.startswith("Skipped") and f".[{name}]" in line and "\n" not in line


def test_compare_backends_refuses_unknown_names(tiny):
    with pytest.raises(ValueError, match="backends: expected names from"):
        backend_runs.compare_backends(tiny, IDS, backends=("tensorflow", "mxnet"))


def test_largest_difference_and_speed_table(measured):
    shifted = {**measured, "outputs": measured["outputs"] + 0.5}
    runs = {"tensorflow": backend_runs.BackendRun(backend="tensorflow", **measured),
            "jax": backend_runs.BackendRun(backend="jax", **shifted)}
    assert backend_runs.largest_difference(runs) == pytest.approx(0.5)
    assert backend_runs.largest_difference({}) == 0.0
    table = backend_runs.speed_table(runs).splitlines()
    assert len(table) == 4 and table[2].startswith("| TensorFlow |") and table[3].startswith("| JAX |")


def test_hide_other_backends_makes_their_import_fail():
    code = ("from helpers.backend_runs import hide_other_backends\n"
            "hidden = hide_other_backends('jax')\n"
            "try:\n    import torch\nexcept ImportError:\n    print(sorted(hidden))\n")
    plain = {name: value for name, value in os.environ.items() if name != "PYTHONPATH"}  # none hidden
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120,
                          env=plain)
    assert done.stdout.strip() == "['tensorflow', 'torch']", done.stderr
    with pytest.raises(ValueError, match="backend: expected one of"):
        backend_runs.hide_other_backends("numpy")


def test_main_says_how_to_call_it(capsys):
    assert backend_runs.main([]) == 2
    assert "usage: python -m helpers.backend_runs" in capsys.readouterr().err
