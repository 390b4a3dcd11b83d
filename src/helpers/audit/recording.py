"""Record what every layer of a model received and returned during one eager call, masks included."""

from __future__ import annotations

import functools
import re
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

import numpy as np

_WARNED_LAYER = re.compile(r"Layer '([^']+)'")


@dataclass
class LayerCall:
    """One call of one layer, in the order the model made it.

    name: the layer's name, with the names of the models it sits in ("encoder/bilstm");
    layer: the layer object; index: how many times this layer was called before in the same run.
    input_masks: the mask each input tensor carried when the layer was called (None where none);
    passed_masks: the ``mask``-like keyword arguments the layer was given ({} if none);
    outputs: the layer's output tensors, flattened; output_masks: the mask each carried once the
    layer had returned (read before any later layer could remove it).
    """

    name: str
    layer: object
    index: int
    inputs: list = field(repr=False)
    input_masks: list
    passed_masks: dict
    outputs: list = field(repr=False)
    output_masks: list = field(default_factory=list)

    @property
    def key(self) -> tuple[int, int]:
        """What identifies this call across runs of the same model: (layer id, call index)."""
        return id(self.layer), self.index

    @property
    def mask_in(self) -> np.ndarray | None:
        """The mask the layer saw: the first passed or attached (batch, time) mask, or None."""
        for mask in [*self.passed_masks.values(), *self.input_masks]:
            if mask is not None:
                return mask
        return None

    @property
    def mask_out(self) -> np.ndarray | None:
        """The mask on the layer's first output, or None."""
        return self.output_masks[0] if self.output_masks else None


@dataclass
class Recording:
    """Every ``LayerCall`` of one eager run, the run's outputs and the mask warnings Keras gave.

    warnings: layer name -> text of each ``UserWarning`` about a mask that names the layer.
    """

    calls: list[LayerCall]
    outputs: list
    output_masks: list
    warnings: dict[str, str]


def recorded_layers(model, prefix: str = "") -> Iterator[tuple[str, object]]:
    """The layers a recording watches, with their names: ``model.layers``, and the layers of nested
    models as "outer/inner". Wrappers such as ``Bidirectional`` count as one layer."""
    import keras

    for layer in model.layers:
        if isinstance(layer, keras.layers.InputLayer):
            continue
        name = f"{prefix}{layer.name}"
        yield name, layer
        if isinstance(layer, keras.Model):
            yield from recorded_layers(layer, prefix=f"{name}/")


def record_run(model, inputs) -> Recording:
    """Call ``model(inputs)`` eagerly and record every watched layer's call (see ``LayerCall``)."""
    calls: list[LayerCall] = []
    with _watching(model, calls), warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        outputs = model(inputs, training=False)
    _read_output_masks(calls)
    flat = _flatten(outputs)
    return Recording(calls, flat, [_mask_of(t) for t in flat], _mask_warnings(caught))


@contextmanager
def _watching(model, calls: list[LayerCall]):
    watched = list(recorded_layers(model))
    counts: dict[int, int] = {}
    for name, layer in watched:
        object.__setattr__(layer, "call", _recording_call(name, layer, calls, counts))
    try:
        yield
    finally:
        for _, layer in watched:
            if "call" in layer.__dict__:
                object.__delattr__(layer, "call")


def _recording_call(name: str, layer, calls: list[LayerCall], counts: dict[int, int]):
    original = type(layer).call.__get__(layer)

    @functools.wraps(original)
    def call(*args, **kwargs):
        _read_output_masks(calls)
        flat_inputs = _flatten(args)
        passed = {k: _mask_of_value(v) for k, v in kwargs.items() if k.endswith("mask")}
        index = counts.get(id(layer), 0)
        counts[id(layer)] = index + 1
        record = LayerCall(
            name,
            layer,
            index,
            flat_inputs,
            [_mask_of(t) for t in flat_inputs],
            {k: v for k, v in passed.items() if v is not None},
            [],
        )
        outputs = original(*args, **kwargs)
        record.outputs = _flatten(outputs)
        calls.append(record)
        return outputs

    return call


def _read_output_masks(calls: list[LayerCall]) -> None:
    for record in calls:
        if not record.output_masks and record.outputs:
            record.output_masks = [_mask_of(t) for t in record.outputs]


def _flatten(structure) -> list:
    import keras

    return [t for t in keras.tree.flatten(structure) if hasattr(t, "shape")]


def _mask_of(tensor) -> np.ndarray | None:
    # Keras keeps masks in a private tensor attribute; this reader works on every backend.
    from keras.src.backend.common.masking import get_keras_mask

    mask = get_keras_mask(tensor) if hasattr(tensor, "shape") else None
    return _mask_of_value(mask)


def _mask_of_value(value) -> np.ndarray | None:
    import keras

    if value is None or not hasattr(value, "shape"):
        return None
    return np.asarray(keras.ops.convert_to_numpy(value)).astype(bool)


def _mask_warnings(caught) -> dict[str, str]:
    found: dict[str, str] = {}
    for warning in caught:
        text = str(warning.message)
        match = _WARNED_LAYER.search(text)
        if issubclass(warning.category, UserWarning) and "mask" in text and match:
            found[match.group(1)] = text
    return found
