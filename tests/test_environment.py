"""helpers.setup and helpers.environment_report."""

import random

import matplotlib as mpl
import numpy as np
import pytest

import helpers
from helpers.environment import OKABE_ITO


def test_setup_returns_versions_of_the_stack():
    import keras

    found = helpers.setup(7)
    assert set(found) >= {"python", "backend", "keras", "numpy", "matplotlib", "ipywidgets"}
    assert found["keras"].startswith("3.") and found["backend"] == keras.backend.backend()
    assert found[found["backend"]]  # the backend library's own version


def test_setup_seeds_python_numpy_and_keras():
    import keras

    draws = []
    for _ in range(2):
        helpers.setup(3)
        draws.append((random.random(), np.random.rand(), float(keras.random.uniform(()))))
    assert draws[0] == draws[1]
    helpers.setup(4)
    assert (random.random(), np.random.rand()) != draws[0][:2]


def test_setup_sets_projector_friendly_plot_defaults():
    mpl.rcdefaults()
    helpers.setup(0)
    assert mpl.rcParams["font.size"] >= 14
    colours = [c.upper() for c in mpl.rcParams["axes.prop_cycle"].by_key()["color"]]
    assert colours == list(OKABE_ITO)


@pytest.mark.tensorflow_only
def test_setup_turns_on_op_determinism():
    from tensorflow.python.framework import config  # no public getter exists

    helpers.setup(0)
    assert config.is_op_determinism_enabled()


@pytest.mark.parametrize("bad", ["42", 4.2, None, True])
def test_setup_rejects_a_seed_that_is_not_an_int(bad):
    with pytest.raises(TypeError, match="seed: expected an int"):
        helpers.setup(bad)


def test_environment_report_covers_the_runtime_pins():
    rows = {row["package"]: row for row in helpers.environment_report()}
    assert {"keras", "numpy", "ipywidgets"} <= set(rows)
    assert all(row["ok"] for row in rows.values()), rows


def test_setup_hides_the_startup_objects_from_the_garbage_collector_once():
    import gc

    helpers.setup(0)
    frozen = gc.get_freeze_count()
    assert frozen > 100_000  # TensorFlow's and Keras' start-up objects
    helpers.setup(0)
    assert gc.get_freeze_count() == frozen  # a second call does not hide later garbage


def test_plain_tracebacks_only_inside_ipython(monkeypatch):
    from IPython.core.interactiveshell import InteractiveShell

    from helpers.environment import use_plain_tracebacks

    monkeypatch.setattr("IPython.get_ipython", lambda: None)
    assert use_plain_tracebacks() is False
    shell = InteractiveShell.instance()
    monkeypatch.setattr("IPython.get_ipython", lambda: shell)
    monkeypatch.setattr(shell.InteractiveTB, "mode", "Context")
    assert use_plain_tracebacks() is True
    assert shell.InteractiveTB.mode == "Plain"
