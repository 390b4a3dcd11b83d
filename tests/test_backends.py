"""helpers.backends: the backend in use, the %%only_on magic and gradients on every backend."""

import contextlib

import keras
import numpy as np
import pytest
from IPython.core.interactiveshell import InteractiveShell

from helpers.backends import (
    BACKENDS,
    backend,
    installed,
    only_on,
    op_by_op,
    output_and_gradients,
    register_magics,
    skip_note,
)


def test_the_backend_is_the_one_keras_runs():
    assert backend() == keras.backend.backend() in BACKENDS
    assert installed(backend()) and installed("numpy") and not installed("no_such_library_here")
    with pytest.raises(TypeError, match="backend name"):
        installed(3)


def test_a_cell_for_this_backend_runs_and_one_for_another_says_why_not():
    assert skip_note(backend(), "why") is None
    others = [b for b in BACKENDS if b != backend()]
    name = {"tensorflow": "TensorFlow", "jax": "JAX", "torch": "PyTorch"}[backend()]
    for other in others:
        assert skip_note(other, "it needs tf.data") == f"Skipped on the {name} backend: it needs tf.data."
    expected = None if installed("torch") else "Skipped: PyTorch is not installed here"
    note = skip_note("torch-library", "packing")
    assert note == expected or note.startswith(expected)
    with pytest.raises(ValueError, match="needed: expected one of"):
        skip_note("theano", "why")


def test_the_magic_runs_the_cell_only_where_it_may(capsys):
    shell = InteractiveShell.instance()
    assert register_magics()
    shell.user_ns.pop("ran_here", None)
    only_on(f"{backend()} a reason", "ran_here = 1")
    assert shell.user_ns["ran_here"] == 1
    other = next(b for b in BACKENDS if b != backend())
    capsys.readouterr()
    only_on(f"{other} it needs {other}", "ran_there = 1")
    assert "ran_there" not in shell.user_ns
    assert capsys.readouterr().out.strip().endswith(f"it needs {other}.")


def test_gradients_are_those_numpy_computes_by_hand():
    layer = keras.layers.Dense(2)
    x = np.random.default_rng(0).normal(size=(4, 3)).astype("float32")
    layer.build(x.shape)
    output, (kernel_gradient, bias_gradient) = output_and_gradients(layer, lambda y: keras.ops.sum(y**2), x)
    kernel, bias = (keras.ops.convert_to_numpy(w) for w in layer.weights)
    y = x @ kernel + bias  # loss = sum(y**2): d/dkernel = x.T @ 2y, d/dbias = sum of 2y
    np.testing.assert_allclose(output, y, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(kernel_gradient, x.T @ (2 * y), rtol=1e-5, atol=1e-5)
    np.testing.assert_allclose(bias_gradient, (2 * y).sum(axis=0), rtol=1e-5, atol=1e-5)


def test_embedding_rows_the_loss_does_not_use_get_zero_gradients():
    embedding = keras.layers.Embedding(5, 2)
    embedding.build((None, 3))
    _, (gradient,) = output_and_gradients(embedding, lambda y: keras.ops.sum(y), np.array([[1, 1, 2]]))
    np.testing.assert_array_equal(gradient[[0, 3, 4]], 0)
    np.testing.assert_array_equal(gradient[1], [2, 2])


def _masked_bilstm():
    keras.utils.set_random_seed(3)
    layer = keras.layers.Bidirectional(keras.layers.LSTM(4, return_sequences=True, bias_initializer="ones"))
    x = np.random.default_rng(3).normal(size=(2, 5, 3)).astype("float32")
    mask = np.array([[True] * 5, [True] * 3 + [False] * 2])
    return layer, x, mask


def test_op_by_op_gives_the_values_a_compiled_run_gives():
    layer, x, mask = _masked_bilstm()
    if backend() == "jax":
        import jax

        with jax.disable_jit(False):  # conftest.py runs this test process op by op: compile here
            compiled = keras.ops.convert_to_numpy(layer(x, mask=mask))
            with op_by_op():
                assert jax.config.jax_disable_jit
                by_op = keras.ops.convert_to_numpy(layer(x, mask=mask))
    else:
        assert isinstance(op_by_op(), contextlib.nullcontext)
        compiled = keras.ops.convert_to_numpy(layer(x, mask=mask))
        with op_by_op():
            by_op = keras.ops.convert_to_numpy(layer(x, mask=mask))
    np.testing.assert_allclose(by_op, compiled, rtol=1e-5, atol=1e-6)
