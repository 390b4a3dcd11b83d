"""PyTorch's lengths instead of a mask: copy a Keras LSTM into ``torch.nn.LSTM`` and run it packed.

Keras keeps an LSTM direction in three arrays, gates in the order i, f, c, o: ``kernel``
(features, 4 * units), ``recurrent_kernel`` (units, 4 * units) and one ``bias`` (4 * units,).
PyTorch keeps the same gates in the same order (it calls c "g"), transposed: ``weight_ih_l0``
(4 * units, features), ``weight_hh_l0`` (4 * units, units), and two biases that it adds together,
``bias_ih_l0`` and ``bias_hh_l0``. The backward direction's names end in ``_reverse``.
Everything here needs PyTorch (``import torch`` inside the functions); the NumPy parts do not.
"""

from __future__ import annotations

import numpy as np

from helpers.trace import LSTMWeights, bilstm_weights, require_lstm


def torch_parameters(weights: LSTMWeights) -> dict[str, np.ndarray]:
    """One Keras LSTM direction as PyTorch's parameters (float32): weight_ih, weight_hh, bias_ih, bias_hh.

    The one Keras bias goes to ``bias_ih``; ``bias_hh`` is zero, so that their sum is Keras's bias.
    """
    if weights.activation != "tanh" or weights.recurrent_activation != "sigmoid":
        raise ValueError(f"weights: torch.nn.LSTM uses tanh and sigmoid only, got activation="
                         f"{weights.activation!r}, recurrent_activation={weights.recurrent_activation!r}")
    return {"weight_ih": weights.kernel.T, "weight_hh": weights.recurrent_kernel.T,
            "bias_ih": weights.bias, "bias_hh": np.zeros_like(weights.bias)}


def torch_lstm_from_keras(layer):
    """A ``torch.nn.LSTM(batch_first=True)`` with the weights of ``layer``.

    layer: a built ``keras.layers.LSTM`` (gives a one-direction LSTM; ``go_backwards`` is not
    supported) or ``Bidirectional(LSTM)`` (gives ``bidirectional=True``).
    """
    import keras
    import torch

    if isinstance(layer, keras.layers.Bidirectional):
        directions = dict(zip(("", "_reverse"), bilstm_weights(layer), strict=True))
    else:
        require_lstm(layer, "layer")
        if layer.go_backwards:
            raise ValueError("layer: expected a forward LSTM (go_backwards=False) or a Bidirectional(LSTM)")
        directions = {"": LSTMWeights.from_layer(layer)}
    first = next(iter(directions.values()))
    lstm = torch.nn.LSTM(first.features, first.units, batch_first=True, bidirectional=len(directions) == 2)
    with torch.no_grad():
        for suffix, weights in directions.items():
            for name, value in torch_parameters(weights).items():
                getattr(lstm, f"{name}_l0{suffix}").copy_(torch.from_numpy(np.asarray(value, "float32")))
    return lstm


def lengths_from_mask(mask) -> np.ndarray:
    """Real steps per row of ``mask`` (batch, time), bool or 0/1: (batch,) int64, for packing."""
    m = np.asarray(mask)
    if m.ndim != 2:
        raise ValueError(f"mask: expected shape (batch, time), got shape {m.shape}")
    if not np.isin(m, (0, 1)).all():
        raise ValueError("mask: expected bool or 0/1 values")
    return m.astype(bool).sum(axis=1).astype("int64")


def real_steps_first(inputs, mask) -> tuple[np.ndarray, np.ndarray]:
    """Move each row's real steps to the front, in order, zeros after: what packing needs.

    inputs: (batch, time, features); mask: (batch, time). Returns (the moved inputs, same shape,
    and the lengths (batch,) int64). Packing takes the first ``length`` steps of each row, so a
    batch padded in front or with gaps must be moved first; a post-padded batch stays as it is.
    """
    x = np.asarray(inputs)
    if x.ndim != 3:
        raise ValueError(f"inputs: expected shape (batch, time, features), got shape {x.shape}")
    lengths = lengths_from_mask(mask)
    if np.asarray(mask).shape != x.shape[:2]:
        raise ValueError(f"mask: expected shape {x.shape[:2]} to match inputs, got {np.asarray(mask).shape}")
    moved = np.zeros_like(x)
    for row, keep in enumerate(np.asarray(mask, dtype=bool)):
        moved[row, : lengths[row]] = x[row, keep]
    return moved, lengths


def run_packed(lstm, inputs, lengths, enforce_sorted: bool = False, total_length: int | None = None):
    """Run ``lstm`` (a batch-first ``torch.nn.LSTM``) on ``inputs`` packed with ``lengths``.

    inputs: (batch, time, features), real steps first; lengths: (batch,) ints (a list, NumPy array
    or CPU tensor). Returns NumPy arrays (outputs, h_n, c_n): outputs (batch, time', directions *
    units) from ``pad_packed_sequence`` (zeros after each row's length; time' is the longest
    length, or ``total_length``), h_n and c_n (directions, batch, units).
    """
    import torch
    from torch.nn.utils.rnn import pack_padded_sequence, pad_packed_sequence

    x = torch.as_tensor(np.asarray(inputs, dtype="float32"))
    if isinstance(lengths, np.ndarray):
        lengths = torch.from_numpy(lengths.astype("int64"))
    packed = pack_padded_sequence(x, lengths, batch_first=True, enforce_sorted=enforce_sorted)
    with torch.no_grad():
        packed_out, (h_n, c_n) = lstm(packed)
    outputs, _ = pad_packed_sequence(packed_out, batch_first=True, total_length=total_length)
    return outputs.numpy(), h_n.numpy(), c_n.numpy()
