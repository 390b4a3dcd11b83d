"""Train one compiled model several times from the same start: snapshot and restore weights and optimizer,
and count how often Keras traced its training step."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class TrainingState:
    """Copies of a model's variables and of its optimizer's variables (moments, step count)."""

    model_variables: tuple[np.ndarray, ...]
    optimizer_variables: tuple[np.ndarray, ...]


def snapshot(model) -> TrainingState:
    """Copy everything ``fit`` changes: the model's variables and its optimizer's state.

    model: a compiled ``keras.Model``. Its optimizer is built first if it is not yet, so that the
    snapshot also holds the (zero) moments that ``restore`` puts back.
    Restoring a snapshot, instead of building and compiling a new model, keeps the traced training
    function: a second ``fit`` starts at once, and both runs start from exactly the same place.
    """
    optimizer = _optimizer(model)
    if not optimizer.built:
        optimizer.build(model.trainable_variables)
    return TrainingState(
        model_variables=tuple(np.array(v.numpy()) for v in model.variables),
        optimizer_variables=tuple(np.array(v.numpy()) for v in optimizer.variables),
    )


def restore(model, state: TrainingState) -> None:
    """Put back the variables ``snapshot(model)`` copied; the learning rate comes back too."""
    if not isinstance(state, TrainingState):
        raise TypeError(f"state: expected a TrainingState from snapshot(model), got {type(state).__name__}")
    optimizer = _optimizer(model)
    pairs = ((model.variables, state.model_variables, "model"),
             (optimizer.variables, state.optimizer_variables, "optimizer"))
    for variables, values, what in pairs:
        shapes = [tuple(v.shape) for v in variables]
        if shapes != [a.shape for a in values]:
            raise ValueError(
                f"state: expected a snapshot of this model's {what} variables {shapes}, "
                f"got {[a.shape for a in values]}"
            )
    for variables, values, _ in pairs:
        for variable, value in zip(variables, values, strict=True):
            variable.assign(value)


def tracing_count(model, function: str = "train") -> int:
    """How many graphs Keras has traced for ``model``'s ``train`` (or ``test``) step so far.

    model: a ``keras.Model`` on the TensorFlow backend that has run ``fit`` (or ``evaluate`` for
    ``"test"``). 1 after two runs means the second run reused the graph of the first; a new input
    shape, dtype or structure would add one. Reads the ``tf.function`` that Keras 3.15 keeps inside
    ``model.train_function`` (``model.test_function``): not public API, pinned to this Keras.
    """
    import keras

    if function not in ("train", "test"):
        raise ValueError(f'function: expected "train" or "test", got {function!r}')
    if not isinstance(model, keras.Model):
        raise TypeError(f"model: expected a keras.Model, got {type(model).__name__}")
    step = getattr(model, f"{function}_function", None)
    if step is None:
        call = "fit" if function == "train" else "evaluate"
        raise ValueError(f"model: expected a model that has run {call}, got one without {function}_function")
    contents = (c.cell_contents for c in step.__closure__ or ())
    cells = dict(zip(step.__code__.co_freevars, contents, strict=True))
    traced = cells.get("multi_step_on_iterator")
    if traced is None or not hasattr(traced, "experimental_get_tracing_count"):
        raise ValueError(f"model: its {function}_function holds no traced tf.function (run_eagerly, or "
                         "another Keras version or backend?)")
    return int(traced.experimental_get_tracing_count())


def _optimizer(model):
    import keras

    if not isinstance(model, keras.Model):
        raise TypeError(f"model: expected a keras.Model, got {type(model).__name__}")
    if getattr(model, "optimizer", None) is None:
        raise ValueError("model: expected a compiled model (call model.compile(...) first), got one without "
                         "an optimizer")
    return model.optimizer
