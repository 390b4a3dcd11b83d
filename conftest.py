"""Project-wide pytest configuration: how nbval treats the notebooks, and which tests and notebooks
run on the Keras backend in use (KERAS_BACKEND: tensorflow, the default, jax or torch)."""

import functools
import json
import os
from pathlib import Path

import pytest

BACKEND = os.environ.get("KERAS_BACKEND", "tensorflow")


@functools.cache
def notebook_backends(path: str) -> tuple[str, ...]:
    """The backends a notebook declares it runs on: metadata "mind-the-pad": {"backends": [...]}
    (TensorFlow only when it declares none)."""
    metadata = json.loads(Path(path).read_text(encoding="utf-8")).get("metadata", {})
    return tuple(metadata.get("mind-the-pad", {}).get("backends", ["tensorflow"]))


def runs_here(item) -> bool:
    """False for a test marked ``tensorflow_only``, or ``backends(...)`` without this backend, and
    for the cells of a notebook that does not declare this backend."""
    if str(item.fspath).endswith(".ipynb"):
        return BACKEND in notebook_backends(str(item.fspath))
    if BACKEND != "tensorflow" and item.get_closest_marker("tensorflow_only") is not None:
        return False
    marker = item.get_closest_marker("backends")
    return marker is None or BACKEND in marker.args


def deselect_for_this_backend(config, items):
    """Leave out (deselect, never skip) the tests of one backend's own machinery when another runs:
    tf.function, tf.data, cuDNN's rule, SavedModel are TensorFlow's; the TensorFlow run has them all."""
    left_out = [item for item in items if not runs_here(item)]
    if left_out:
        config.hook.pytest_deselected(items=left_out)
        items[:] = [item for item in items if runs_here(item)]


def pytest_configure(config):
    """On JAX, the helper tests run op by op (``helpers.backends.op_by_op``, jit disabled in this
    process): they make thousands of eager Keras calls, and each eager RNN call would otherwise
    compile its loop anew. The notebooks run in their own kernels, and notebook 16 and
    tests/test_backend_runs.py in their own processes: those run JAX as learners do, jit on."""
    if BACKEND == "jax":
        import jax

        jax.config.update("jax_disable_jit", True)


@pytest.fixture(autouse=True)
def jit_where_marked(request):
    """A test marked ``jit_on`` runs JAX compiled, as a notebook does (the rest of a JAX test process
    runs op by op, ``pytest_configure``)."""
    if BACKEND == "jax" and request.node.get_closest_marker("jit_on") is not None:
        import jax

        with jax.disable_jit(False):
            yield
    else:
        yield


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(config, items):
    """Never compare stderr: TensorFlow and Keras write warnings there that vary by machine. Then
    leave out what this backend does not run (``deselect_for_this_backend``)."""
    for item in items:
        notebook = item.parent
        if hasattr(notebook, "skip_compare") and "stderr" not in notebook.skip_compare:
            notebook.skip_compare = (*notebook.skip_compare, "stderr")
    deselect_for_this_backend(config, items)
