"""Which Keras backend runs (TensorFlow, JAX or PyTorch), and cells that need one of them.

``%%only_on tensorflow why`` at the top of a notebook cell runs the cell on that backend and, on
any other, prints one line saying it was skipped and why (``helpers.setup`` registers the magic).
"""

from __future__ import annotations

import contextlib
import importlib.util

import numpy as np

BACKENDS = ("tensorflow", "jax", "torch")
NAMES = {"tensorflow": "TensorFlow", "jax": "JAX", "torch": "PyTorch"}
EXTRAS = {"tensorflow": "", "jax": "jax", "torch": "torch"}


def backend() -> str:
    """The backend Keras runs on in this process: "tensorflow", "jax" or "torch"."""
    import keras

    return keras.backend.backend()


def installed(name: str) -> bool:
    """Whether the library of backend (or library) ``name`` can be imported here."""
    if not isinstance(name, str):
        raise TypeError(f"name: expected a backend name such as 'jax', got {type(name).__name__}")
    return importlib.util.find_spec(name) is not None


def skip_note(needed: str, why: str) -> str | None:
    """The one line to print instead of running a cell that needs ``needed`` (a backend, or
    "torch-library" for PyTorch used directly), or None when the cell can run here."""
    if needed == "torch-library":
        if installed("torch"):
            return None
        return f"Skipped: PyTorch is not installed here ({why}); pip install -e '.[torch]' to run it."
    if needed not in BACKENDS:
        raise ValueError(f"needed: expected one of {BACKENDS} or 'torch-library', got {needed!r}")
    current = backend()
    if current == needed:
        return None
    return f"Skipped on the {NAMES[current]} backend: {why}."


def only_on(line: str, cell: str) -> None:
    """Cell magic ``%%only_on BACKEND why``: run the cell only on BACKEND (see ``skip_note``)."""
    from helpers.environment import ipython_shell

    needed, _, why = line.strip().partition(" ")
    note = skip_note(needed, why.strip() or "it needs this backend")
    if note:
        print(note)
        return
    ipython_shell().run_cell(cell, store_history=False)


def op_by_op():
    """A context in which eager Keras calls run op by op: ``jax.disable_jit()`` on JAX, nothing
    elsewhere. Keras's JAX backend runs an RNN's loop as ``lax.scan`` over a step function that is a
    new closure at every call, so every eager LSTM call compiles its loop anew; op by op, each
    primitive compiles once per shape and is reused. The same ops on the same values; for many eager
    calls (an audit makes dozens) several times faster after the first."""
    if backend() != "jax":
        return contextlib.nullcontext()
    import jax

    return jax.disable_jit()


def register_magics() -> bool:
    """Register ``%%only_on`` in the running IPython; False (nothing done) outside IPython."""
    from helpers.environment import ipython_shell

    shell = ipython_shell()
    if shell is None:
        return False
    shell.register_magic_function(only_on, "cell", "only_on")
    return True


def output_and_gradients(layer, loss_of, *args, **kwargs):
    """Call ``layer(*args, **kwargs)`` and differentiate ``loss_of(output)`` (a scalar) with respect
    to each of the layer's trainable weights, on whichever backend Keras runs.

    Returns the output and the gradients as NumPy arrays: (output, [gradient per weight, or None
    where the loss does not depend on it]). Nothing is trained; the weights stay as they are.
    """
    import keras

    weights = layer.trainable_weights
    current = backend()
    if current == "tensorflow":
        import tensorflow as tf

        with tf.GradientTape() as tape:
            output = layer(*args, **kwargs)
            loss = loss_of(output)
        gradients = tape.gradient(loss, weights)
    elif current == "torch":
        import torch

        output = layer(*args, **kwargs)
        gradients = torch.autograd.grad(loss_of(output), [w.value for w in weights], allow_unused=True)
    else:
        import jax

        others = [v.value for v in layer.non_trainable_variables]

        def loss_and_output(values):
            output, _ = layer.stateless_call(values, others, *args, **kwargs)
            return loss_of(output), output

        (_, output), gradients = jax.value_and_grad(loss_and_output, has_aux=True)(
            [w.value for w in weights])
    to_numpy = keras.ops.convert_to_numpy
    return to_numpy(output), [None if g is None else np.asarray(to_numpy(_dense(g))) for g in gradients]


def _dense(gradient):
    """TensorFlow gives embeddings' gradients as IndexedSlices; every other gradient is dense already."""
    if type(gradient).__name__ == "IndexedSlices":
        import tensorflow as tf

        return tf.convert_to_tensor(gradient)
    return gradient
