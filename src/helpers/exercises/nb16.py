"""Checkers for notebook 16 (one mask, three backends): Keras weights in PyTorch's layout, a batch to pack."""

from __future__ import annotations

import numpy as np

from helpers.exercises import exercise

NO_ANSWER = "no answer yet: your function returns None; replace the `...` with your code."
_KEYS = ("weight_ih", "weight_hh", "bias_ih", "bias_hh")
_FEATURES, _UNITS, _SEED = 2, 3, 16  # the checkers' own layer: not the notebook's


def _sigmoid(z):
    return 1.0 / (1.0 + np.exp(-z))


def pytorch_equations(parameters: dict, inputs: np.ndarray) -> np.ndarray:
    """The final h of ``torch.nn.LSTM``'s documented equations, in NumPy, on inputs (batch, time, features).

    gates = x W_ih^T + b_ih + h W_hh^T + b_hh, split into i, f, g, o; c = f c + i g; h = o tanh(c).
    """
    batch, units = inputs.shape[0], parameters["weight_hh"].shape[1]
    h, c = np.zeros((batch, units)), np.zeros((batch, units))
    for t in range(inputs.shape[1]):
        gates = (inputs[:, t] @ parameters["weight_ih"].T + parameters["bias_ih"]
                 + h @ parameters["weight_hh"].T + parameters["bias_hh"])
        i, f, g, o = np.split(gates, 4, axis=-1)
        c = _sigmoid(f) * c + _sigmoid(i) * np.tanh(g)
        h = _sigmoid(o) * np.tanh(c)
    return h


def _torch_final_h(parameters: dict, inputs: np.ndarray) -> np.ndarray | None:
    """The final h of a real ``torch.nn.LSTM`` holding ``parameters``; None when PyTorch is missing."""
    from helpers.backends import installed

    if not installed("torch"):
        return None
    import torch

    lstm = torch.nn.LSTM(_FEATURES, _UNITS, batch_first=True)
    with torch.no_grad():
        for key in _KEYS:
            getattr(lstm, f"{key}_l0").copy_(torch.as_tensor(np.asarray(parameters[key], "float32")))
        _, (h_n, _) = lstm(torch.as_tensor(inputs.astype("float32")))
    return h_n[0].numpy()


# --- 16.1 to_torch_parameters(kernel, recurrent_kernel, bias) ----------------------------------------

def _not_transposed(kernel, recurrent_kernel, bias):
    return {"weight_ih": kernel, "weight_hh": recurrent_kernel, "bias_ih": bias, "bias_hh": 0 * bias}


def _bias_twice(kernel, recurrent_kernel, bias):
    return {"weight_ih": kernel.T, "weight_hh": recurrent_kernel.T, "bias_ih": bias, "bias_hh": bias}


def _gates_reordered(kernel, recurrent_kernel, bias):
    order = [0, 1, 3, 2]  # i, f, o, c: as if the orders differed

    def swap(w):
        return np.concatenate([np.split(w, 4, axis=-1)[k] for k in order], axis=-1)

    return {"weight_ih": swap(kernel).T, "weight_hh": swap(recurrent_kernel).T, "bias_ih": swap(bias),
            "bias_hh": 0 * bias}


def _no_hh_bias(kernel, recurrent_kernel, bias):
    return {"weight_ih": kernel.T, "weight_hh": recurrent_kernel.T, "bias_ih": bias}


def _keras_layer_and_inputs():
    import keras

    from helpers.models import make_lstm

    layer = make_lstm(_UNITS, _FEATURES, seed=_SEED)
    inputs = np.random.default_rng(_SEED).normal(size=(4, 5, _FEATURES))
    return layer, inputs, keras.ops.convert_to_numpy(layer(inputs.astype("float32")))


@exercise("16.1", "Keras weights in PyTorch's layout", answer_name="to_torch_parameters",
          wrong_answers=(_not_transposed, _bias_twice, _gates_reordered, _no_hh_bias))
def _check_to_torch_parameters(to_torch_parameters) -> str | None:
    import keras

    if not callable(to_torch_parameters):
        return "expected a function to_torch_parameters(kernel, recurrent_kernel, bias)."
    layer, inputs, keras_h = _keras_layer_and_inputs()
    cell = layer.cell
    weights = [keras.ops.convert_to_numpy(w) for w in (cell.kernel, cell.recurrent_kernel, cell.bias)]
    parameters = to_torch_parameters(*[w.copy() for w in weights])
    if parameters is None:
        return NO_ANSWER
    if not isinstance(parameters, dict) or set(parameters) != set(_KEYS):
        got = sorted(parameters) if isinstance(parameters, dict) else type(parameters).__name__
        return f"expected a dict with the keys {list(_KEYS)}, got {got}: PyTorch has two biases."
    parameters = {key: np.asarray(value, dtype=float) for key, value in parameters.items()}
    shapes = {"weight_ih": (4 * _UNITS, _FEATURES), "weight_hh": (4 * _UNITS, _UNITS),
              "bias_ih": (4 * _UNITS,), "bias_hh": (4 * _UNITS,)}
    for key, shape in shapes.items():
        if parameters[key].shape != shape:
            return (f"{key} has shape {parameters[key].shape}; PyTorch wants {shape} "
                    "(4 * units rows, one per gate unit): Keras stores the transpose.")
    if np.abs(pytorch_equations(parameters, inputs) - keras_h).max() > 1e-5:
        if np.allclose(parameters["bias_ih"] + parameters["bias_hh"], 2 * weights[2], atol=1e-6):
            return "PyTorch adds bias_ih and bias_hh: together they must make Keras's one bias, not twice it."
        return ("PyTorch's equations with your parameters do not give Keras's output: compare the order of "
                "the four gates in both libraries, and where each bias goes.")
    torch_h = _torch_final_h(parameters, inputs)
    if torch_h is None:
        print("PyTorch is not installed here: checked with PyTorch's equations in NumPy, not with "
              "torch.nn.LSTM itself (pip install -e '.[torch]' to run it).")
    elif np.abs(torch_h - keras_h).max() > 1e-5:
        return "torch.nn.LSTM with your parameters does not give Keras's output."
    return None


# --- 16.2 pack_ready(inputs, mask) ------------------------------------------------------------------

def _lengths_only(inputs, mask):
    return inputs, mask.sum(axis=1)


def _last_real_step(inputs, mask):
    return inputs, np.array([np.flatnonzero(row)[-1] + 1 for row in mask])


def _moved_backwards(inputs, mask):
    moved = np.zeros_like(inputs)
    for row, keep in enumerate(mask):
        moved[row, : keep.sum()] = inputs[row, keep][::-1]
    return moved, mask.sum(axis=1)


def _float_lengths(inputs, mask):
    moved = np.zeros_like(inputs)
    for row, keep in enumerate(mask):
        moved[row, : keep.sum()] = inputs[row, keep]
    return moved, mask.mean(axis=1) * mask.shape[1]


def _cases():
    """(inputs, mask) batches: padded at the end, in front, with gaps, and not at all."""
    rng = np.random.default_rng(_SEED)
    masks = [np.array(rows, bool) for rows in (
        [[1, 1, 1, 1, 0, 0], [1, 1, 0, 0, 0, 0], [1, 1, 1, 1, 1, 1]],
        [[0, 0, 1, 1, 1, 1], [0, 0, 0, 0, 1, 1], [0, 1, 1, 1, 1, 1]],
        [[1, 0, 1, 1, 0, 1], [0, 1, 1, 0, 0, 0], [1, 1, 1, 0, 1, 1]],
    )]
    return [(rng.normal(size=(*m.shape, _FEATURES)) + 5.0 * ~m[..., None], m) for m in masks]


@exercise("16.2", "A batch ready to pack", answer_name="pack_ready",
          wrong_answers=(_lengths_only, _last_real_step, _moved_backwards, _float_lengths))
def _check_pack_ready(pack_ready) -> str | None:
    if not callable(pack_ready):
        return "expected a function pack_ready(inputs, mask) that returns (inputs, lengths)."
    for inputs, mask in _cases():
        answer = pack_ready(inputs.copy(), mask.copy())
        if answer is None:
            return NO_ANSWER
        if not isinstance(answer, tuple) or len(answer) != 2:
            return "expected two things back: (inputs with the real steps first, lengths)."
        moved, lengths = np.asarray(answer[0]), np.asarray(answer[1])
        if moved.shape != inputs.shape:
            return f"expected inputs of the same shape {inputs.shape}, got {moved.shape}."
        if lengths.shape != (len(mask),) or not np.issubdtype(lengths.dtype, np.integer):
            return (f"expected lengths as (batch,) integers, got {lengths.dtype} of shape {lengths.shape}: "
                    "pack_padded_sequence wants whole numbers of steps.")
        if not np.array_equal(lengths, mask.sum(axis=1)):
            return "a length is the number of real steps in a row, wherever they are."
        for row, (keep, n) in enumerate(zip(mask, lengths, strict=True)):
            if not np.allclose(moved[row, :n], inputs[row, keep]):
                return ("packing reads the first `length` steps of each row: they must be that row's real "
                        "steps, in their order. Try a batch padded in front.")
    return None
