"""Named steps of notebook 10 (speed and hardware): train a tiny masked LSTM with fit, catch an error."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from helpers.mask_checks import checked_mask


def fit_losses(use_cudnn: str | bool, x, mask, seed: int, epochs: int = 3, units: int = 16) -> list[float]:
    """Train a fresh ``LSTM(units, use_cudnn=use_cudnn) -> Dense(1)`` with ``fit``; the loss of each epoch.

    use_cudnn: ``"auto"``, ``True`` or ``False``, passed to the LSTM. x: (batch, time, features)
    float32; mask: (batch, time) bool, the model's second input (True = real step). The target is 1
    for every sequence, the loss ``"mse"``, the optimizer Adam; ``seed`` fixes the initial weights,
    so two calls with the same seed start from the same model. ``fit`` runs the training step with
    graph execution, so on a GPU a mask that cuDNN refuses raises ``tf.errors.InvalidArgumentError``
    here (an eager call would fall back to the generic loop instead).
    Returns ``epochs`` floats.
    """
    import keras

    if not (use_cudnn is True or use_cudnn is False or (isinstance(use_cudnn, str) and use_cudnn == "auto")):
        raise ValueError(f'use_cudnn: expected "auto", True or False, got {use_cudnn!r}')
    values = np.asarray(x)
    if values.ndim != 3:
        raise ValueError(f"x: expected shape (batch, time, features), got shape {values.shape}")
    if not np.issubdtype(values.dtype, np.floating):
        raise TypeError(f"x: expected a float array, got dtype {values.dtype}")
    real = checked_mask(values, mask)
    for name, value, least in (("seed", seed, 0), ("epochs", epochs, 1), ("units", units, 1)):
        if isinstance(value, bool) or not isinstance(value, int | np.integer) or value < least:
            raise ValueError(f"{name}: expected an int >= {least}, got {value!r}")
    keras.utils.set_random_seed(int(seed))
    x_in = keras.Input((None, values.shape[-1]), name="x")
    m_in = keras.Input((None,), dtype="bool", name="mask")
    h = keras.layers.LSTM(units, use_cudnn=use_cudnn, name="lstm")(x_in, mask=m_in)
    model = keras.Model([x_in, m_in], keras.layers.Dense(1, name="score")(h), name="tiny_lstm")
    model.compile(optimizer="adam", loss="mse")
    history = model.fit([values, real], np.ones((len(values), 1)), epochs=int(epochs), verbose=0)
    return [float(loss) for loss in history.history["loss"]]


def error_from(
    call: Callable[[], object], error_type: type[BaseException] = Exception
) -> BaseException | None:
    """Run ``call()`` and return the ``error_type`` error it raised, or None if it raised nothing.

    Any other error propagates: a test that expects one error must not pass on another.
    """
    if not callable(call):
        raise TypeError(f"call: expected a function without arguments, got {type(call).__name__}")
    if not (isinstance(error_type, type) and issubclass(error_type, BaseException)):
        raise TypeError(f"error_type: expected an exception class, got {error_type!r}")
    try:
        call()
    except error_type as error:
        return error
    return None
