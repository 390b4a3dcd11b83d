"""Padding sweeps: a model's outputs for many paddings of the same data, from few calls of the model."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence

import numpy as np
from numpy.typing import ArrayLike

SIDES = ("pre", "post")


def _is_whole_number(value, minimum: int) -> bool:
    return not isinstance(value, bool) and isinstance(value, int | np.integer) and value >= minimum


def drift_by_pads(layer: Callable, sequence: ArrayLike, max_pads: int) -> dict[str, np.ndarray]:
    """How far 0, 1, ..., ``max_pads`` zero pads in front ("pre") or at the end ("post") move the last output.

    layer: a recurrent layer that reads left to right and returns its output at every step
    (``return_sequences=True``): (batch, time, features) -> (batch, time, units).
    sequence: (steps, features) floats, without padding.
    Returns {"pre": (max_pads + 1,), "post": (max_pads + 1,)}: entry ``k`` is the Euclidean distance
    between the output at the last step with ``k`` pads on that side and the one without pads (entry 0 is 0).

    Padding for real takes one call per number of pads and per side; this takes one call. A layer
    that reads left to right gives at a step an output that depends on that step and the ones before
    it, never on later ones. So row ``k`` of one batch holds ``k`` pads, the sequence, then pads to fill
    the row: its output where the sequence ends is the final output with ``k`` pads in front, and row
    0's outputs after its sequence are the final outputs with 1, 2, ... pads at the end. The result
    equals padding for real with ``keras.utils.pad_sequences`` up to float rounding (a batch of
    ``max_pads + 1`` rows rounds a little differently from a batch of one).
    """
    if getattr(layer, "go_backwards", False) or hasattr(layer, "backward_layer"):
        raise ValueError("layer: expected a layer that reads left to right only, "
                         "not go_backwards=True and not Bidirectional")
    sequence = np.asarray(sequence, dtype="float32")
    if sequence.ndim != 2 or len(sequence) == 0:
        raise ValueError(f"sequence: expected shape (steps, features) with steps >= 1, got {sequence.shape}")
    if not _is_whole_number(max_pads, 0):
        raise ValueError(f"max_pads: expected an int >= 0, got {max_pads!r}")
    length, rows = len(sequence), np.arange(max_pads + 1)
    batch = np.zeros((max_pads + 1, length + max_pads, sequence.shape[1]), dtype="float32")
    for k in rows:
        batch[k, k:k + length] = sequence  # row k: k pads, the sequence, then pads
    import keras

    outputs = keras.ops.convert_to_numpy(layer(batch))
    if outputs.shape[:2] != batch.shape[:2]:
        raise ValueError(f"layer: expected outputs (batch, time, units) with return_sequences=True, "
                         f"got shape {outputs.shape} for inputs {batch.shape}")
    ends = rows + length - 1  # row k's sequence ends at step k + length - 1
    unpadded = outputs[0, length - 1]
    return {"pre": np.linalg.norm(outputs[rows, ends] - unpadded, axis=1),
            "post": np.linalg.norm(outputs[0, ends] - unpadded, axis=1)}


def outputs_by_padding(
    model: Callable, sequences: Sequence[Sequence[int]], maxlens: Iterable[int], sides: Iterable[str] = SIDES,
) -> dict[tuple[str, int], np.ndarray]:
    """The model's output for ``sequences`` padded on each side in ``sides`` to each width in ``maxlens``.

    model: a Keras model or layer whose rows never mix (Embedding, RNNs, Dense: each sequence's output
    depends on that sequence only), (batch, time) ids -> (batch, ...).
    sequences: a non-empty list of lists of token ids; maxlens: widths (ints >= 1); sides: "pre", "post".
    Returns {(side, maxlen): (len(sequences), ...) output}, the same, up to float rounding, as
    ``model(keras.utils.pad_sequences(sequences, maxlen=maxlen, padding=side))`` for each pair.

    It calls the model once per width instead of once per pair: the batches of one width, one per
    side, are stacked along the batch axis, run together and split again.
    """
    import keras

    if len(sequences) == 0:
        raise ValueError("sequences: expected at least one sequence, got none")
    sides = tuple(sides)
    if not sides or any(side not in SIDES for side in sides):
        raise ValueError(f"sides: expected one or more of {SIDES}, got {sides!r}")
    maxlens = tuple(maxlens)
    if not maxlens or not all(_is_whole_number(maxlen, 1) for maxlen in maxlens):
        raise ValueError(f"maxlens: expected one or more ints >= 1, got {maxlens!r}")
    n, outputs = len(sequences), {}
    for maxlen in maxlens:
        stacked = np.concatenate([keras.utils.pad_sequences(sequences, maxlen=maxlen, padding=side)
                                  for side in sides])  # (len(sides) * n, maxlen)
        result = keras.ops.convert_to_numpy(model(stacked))
        if result.shape[:1] != (len(stacked),):
            raise ValueError(f"model: expected one output row per sequence, {len(stacked)}, "
                             f"got shape {result.shape}")
        for i, side in enumerate(sides):
            outputs[side, int(maxlen)] = result[i * n:(i + 1) * n]
    return outputs
