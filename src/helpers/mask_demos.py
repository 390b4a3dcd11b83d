"""Small demonstrations for the notebooks on explicit masks: what a masked call does to the gradients."""

from __future__ import annotations

import keras
import numpy as np

from helpers.backends import output_and_gradients
from helpers.mask_checks import checked_mask


def weight_gradients(layer, inputs, mask) -> tuple[np.ndarray, dict[str, np.ndarray]]:
    """The output of ``layer(inputs, mask=mask)`` and the gradient of ``sum(output**2)`` for each weight.

    layer: a built Keras layer or model whose ``call`` takes a ``mask`` (e.g. a Bidirectional LSTM);
    inputs: (batch, time, features) float values (NaN and inf allowed: showing what they do is the point);
    mask: (batch, time) bool or 0/1 integers, True = real step.
    Returns the output as a NumPy array and a dict {weight path: gradient, shaped like the weight}.
    Runs on every Keras backend (``helpers.backends.output_and_gradients``); nothing is trained, the
    weights stay as they are. A weight the output does not depend on gets a zero gradient.
    """
    if not isinstance(layer, keras.layers.Layer):
        raise TypeError(f"layer: expected a Keras layer or model, got {type(layer).__name__}")
    weights = layer.trainable_weights
    if not weights:
        raise ValueError(f"layer: expected a built layer with trainable weights, got {layer.name!r} "
                         "with none")
    x = np.asarray(inputs, dtype="float32")
    if x.ndim != 3:
        raise ValueError(f"inputs: expected shape (batch, time, features), got shape {x.shape}")
    m = checked_mask(x, mask)
    output, gradients = output_and_gradients(layer, lambda out: keras.ops.sum(out**2), x, mask=m)
    return output, {w.path: np.zeros(w.shape, w.dtype) if g is None else g
                    for w, g in zip(weights, gradients, strict=True)}
