"""Training checks of a compiled model: junk targets at padded steps must change neither the loss
nor the weight gradients."""

from __future__ import annotations

import numpy as np

from helpers.audit.report import Finding


def loss_findings(
    model, inputs, given, padding_mask, output_layer: str, targets, sample_weight, seed: int
) -> list[Finding]:
    """Findings for a compiled model whose single output has a time axis; [] otherwise."""
    from helpers.audit.core import TOLERANCE

    if not getattr(model, "compiled", False) or getattr(model, "loss", None) is None:
        return []
    if len(given.outputs) != 1 or padding_mask.all():
        return []
    y_pred = np.asarray(_numpy(given.outputs[0]))
    if y_pred.ndim < 2 or y_pred.shape[1] != padding_mask.shape[1]:
        return []
    x = inputs.for_model()
    candidates = [np.asarray(targets)] if targets is not None else _made_up_targets(y_pred)
    for y in candidates:
        try:
            loss, gradients = loss_and_gradients(model, x, y, sample_weight)
        except Exception:  # this kind of target does not suit the compiled loss; try the next
            continue
        if not np.isfinite(loss):
            continue
        junk_loss, junk_gradients = loss_and_gradients(
            model, x, _junk_targets(y, padding_mask, seed), sample_weight
        )
        return _compare(loss, gradients, junk_loss, junk_gradients, output_layer, TOLERANCE)
    if targets is not None:
        raise ValueError(f"targets: the compiled loss refused them (shape {np.shape(targets)})")
    return []


def loss_and_gradients(model, x, y, sample_weight=None) -> tuple[float, list[np.ndarray]]:
    """The compiled loss of ``model`` on (x, y) and its gradients for every trainable weight, on
    whichever backend Keras runs (TensorFlow, JAX or PyTorch)."""
    import keras

    backend = keras.backend.backend()
    if backend == "tensorflow":
        loss, gradients = _tensorflow_gradients(model, x, y, sample_weight)
    elif backend == "jax":
        loss, gradients = _jax_gradients(model, x, y, sample_weight)
    elif backend == "torch":
        loss, gradients = _torch_gradients(model, x, y, sample_weight)
    else:
        raise ValueError(f"backend: expected tensorflow, jax or torch, got {backend!r}")
    return float(loss), [np.zeros(w.shape) if g is None else np.asarray(keras.ops.convert_to_numpy(g))
                         for w, g in zip(model.trainable_weights, gradients, strict=True)]


def _tensorflow_gradients(model, x, y, sample_weight):
    import tensorflow as tf

    with tf.GradientTape() as tape:
        y_pred = model(x, training=False)
        loss = model.compute_loss(x=x, y=y, y_pred=y_pred, sample_weight=sample_weight, training=False)
    gradients = tape.gradient(loss, model.trainable_weights)
    return loss, [None if g is None else tf.convert_to_tensor(g) for g in gradients]


def _jax_gradients(model, x, y, sample_weight):
    import jax

    trainable = [v.value for v in model.trainable_variables]
    others = [v.value for v in model.non_trainable_variables]
    metrics = [v.value for v in model.metrics_variables]

    def loss_of(values):
        loss, _ = model.compute_loss_and_updates(values, others, metrics, x, y, sample_weight, training=False)
        return loss

    return jax.value_and_grad(loss_of)(trainable)


def _torch_gradients(model, x, y, sample_weight):
    import torch

    y_pred = model(x, training=False)
    loss = model.compute_loss(x=x, y=y, y_pred=y_pred, sample_weight=sample_weight, training=False)
    weights = [v.value for v in model.trainable_weights]
    gradients = torch.autograd.grad(loss, weights, allow_unused=True)
    return loss.detach(), [None if g is None else g.detach() for g in gradients]


def _compare(loss, gradients, junk_loss, junk_gradients, layer, tolerance) -> list[Finding]:
    findings = []
    loss_change = abs(junk_loss - loss) / max(1.0, abs(loss))
    if loss_change > tolerance:
        findings.append(
            Finding.of(
                "loss counts padded steps",
                layer,
                f"junk targets at padded steps moved the loss from {loss:.4g} to "
                f"{junk_loss:.4g}: the mask does not reach the loss",
            )
        )
    scale = max(1.0, max((float(np.abs(g).max()) for g in gradients if g.size), default=0.0))
    gradient_change = (
        max(
            (float(np.abs(a - b).max()) for a, b in zip(gradients, junk_gradients, strict=True) if a.size),
            default=0.0,
        )
        / scale
    )
    if gradient_change > tolerance:
        findings.append(
            Finding.of(
                "gradients read padded steps",
                layer,
                f"junk targets at padded steps changed the weight gradients by "
                f"{gradient_change:.1e} (relative)",
            )
        )
    return findings


def _made_up_targets(y_pred: np.ndarray) -> list[np.ndarray]:
    """Targets of the kinds a loss may want, from the model's own predictions: class ids, one-hot
    classes, values."""
    found = []
    if y_pred.ndim >= 3 and y_pred.shape[-1] > 1:
        labels = y_pred.argmax(axis=-1)
        found += [labels, np.eye(y_pred.shape[-1], dtype="float32")[labels]]
    found.append((y_pred > 0.5).astype("float32") if y_pred.min() >= 0 and y_pred.max() <= 1 else y_pred)
    return found


def _junk_targets(y: np.ndarray, padding_mask: np.ndarray, seed: int) -> np.ndarray:
    rng = np.random.default_rng(seed)
    junk = y.copy()
    real = y[padding_mask]
    junk[~padding_mask] = real[rng.integers(len(real), size=int((~padding_mask).sum()))] if len(real) else 0
    if np.array_equal(junk, y):  # the drawn junk happened to equal the targets: shift it
        junk[~padding_mask] = 1 - y[~padding_mask] if y.dtype.kind == "f" else (y[~padding_mask] + 1) % 2
    return junk


def _numpy(tensor):
    import keras

    return keras.ops.convert_to_numpy(tensor)
