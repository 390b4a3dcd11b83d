"""Which layers keep, consume or destroy a mask: found by running each layer on a masked batch."""

from __future__ import annotations

import warnings
from collections.abc import Callable, Mapping
from dataclasses import dataclass

import numpy as np

# (batch, time): the masks of the two masked inputs every case receives.
FIRST_MASK = np.array([[1, 1, 1, 0, 0], [1, 1, 1, 1, 0]], dtype=bool)
SECOND_MASK = np.array([[1, 1, 0, 0, 0], [1, 1, 1, 1, 1]], dtype=bool)
FEATURES = 4

VERDICTS = {
    "keeps": "the output carries the input's mask",
    "ORs the masks": "the output's mask is True where any input's mask is True",
    "marks all real": "the output carries a mask that is True everywhere: the padding counts as real",
    "changes": "the output carries a mask that differs from the inputs' masks",
    "consumes": "the output has no time axis left to mask, and Keras gives no warning",
    "destroys": "the output has no mask, and Keras warns",
    "drops silently": "the output still has a time axis but no mask, and Keras says nothing",
}

Case = Callable[..., object]


def _cases() -> dict[str, Case]:
    import keras

    layers = keras.layers
    time = FIRST_MASK.shape[1]
    return {
        "Dense": lambda a, b, plain: layers.Dense(3)(a),
        "TimeDistributed(Dense)": lambda a, b, plain: layers.TimeDistributed(layers.Dense(3))(a),
        "Dropout": lambda a, b, plain: layers.Dropout(0.5)(a),
        "LayerNormalization": lambda a, b, plain: layers.LayerNormalization()(a),
        "LSTM(return_sequences=True)": lambda a, b, plain: layers.LSTM(3, return_sequences=True)(a),
        "LSTM": lambda a, b, plain: layers.LSTM(3)(a),
        "Conv1D": lambda a, b, plain: layers.Conv1D(3, 2, padding="same")(a),
        "Flatten": lambda a, b, plain: layers.Flatten()(a),
        "Reshape (time axis kept)": lambda a, b, plain: layers.Reshape((time, 2, FEATURES // 2))(a),
        "Lambda": lambda a, b, plain: layers.Lambda(lambda t: 2.0 * t)(a),
        "GlobalAveragePooling1D": lambda a, b, plain: layers.GlobalAveragePooling1D()(a),
        "GlobalMaxPooling1D": lambda a, b, plain: layers.GlobalMaxPooling1D()(a),
        "Attention (query, value)": lambda a, b, plain: layers.Attention()([a, b]),
        "MultiHeadAttention (query, value)": lambda a, b, plain: layers.MultiHeadAttention(2, 2)(a, b),
        "Concatenate (both masked)": lambda a, b, plain: layers.Concatenate()([a, b]),
        "Concatenate (one unmasked)": lambda a, b, plain: layers.Concatenate()([a, plain]),
        "Add (both masked)": lambda a, b, plain: layers.Add()([a, b]),
        "Add (one unmasked)": lambda a, b, plain: layers.Add()([a, plain]),
    }


def default_cases() -> dict[str, Case]:
    """The layers of the table, by name: each a function ``case(first, second, plain) -> output``.

    ``first`` and ``second`` are (batch, time, features) tensors carrying ``FIRST_MASK`` and
    ``SECOND_MASK``; ``plain`` has the same values as ``first`` and no mask. Layers with one input
    use ``first``. A new layer is built on every call.
    """
    return _cases()


@dataclass(frozen=True)
class PropagationRow:
    """What one layer did with the mask.

    layer: the case's name; verdict: one of ``VERDICTS``; output_shape: the output's shape;
    mask_out: the output's mask, (batch, time) bool, or None; warning: the text of the
    ``UserWarning`` Keras gave about the mask ("" if none).
    """

    layer: str
    verdict: str
    output_shape: tuple[int, ...]
    mask_out: np.ndarray | None
    warning: str


def masked_inputs(seed: int = 0) -> tuple[object, object, object]:
    """Fresh ``(first, second, plain)`` inputs for a case: (batch, time, features) float32 tensors.

    ``first`` carries ``FIRST_MASK`` and ``second`` ``SECOND_MASK`` (made by ``keras.layers.Masking``
    from zeros in the padded steps); ``plain`` holds the values of ``first`` without a mask.
    """
    import keras

    rng = np.random.default_rng(seed)
    tensors = []
    for mask in (FIRST_MASK, SECOND_MASK):
        values = rng.uniform(0.5, 1.5, (*mask.shape, FEATURES)).astype("float32") * mask[..., None]
        tensors.append(keras.layers.Masking(mask_value=0.0)(values))
    plain = keras.ops.convert_to_tensor(keras.ops.convert_to_numpy(tensors[0]))
    return tensors[0], tensors[1], plain


def propagation_row(name: str, case: Case, seed: int = 0) -> PropagationRow:
    """Run one ``case(first, second, plain)`` on fresh masked inputs and say what it did with the mask."""
    if not callable(case):
        raise TypeError(f"case: expected a function case(first, second, plain), got {type(case).__name__}")
    first, second, plain = masked_inputs(seed)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        output = case(first, second, plain)
    if not hasattr(output, "shape"):
        raise TypeError(f"case {name!r}: expected it to return a tensor, got {type(output).__name__}")
    warning = " ".join(str(w.message) for w in caught
                       if issubclass(w.category, UserWarning) and "mask" in str(w.message))
    mask_out = getattr(output, "_keras_mask", None)
    mask_out = None if mask_out is None else np.asarray(mask_out).astype(bool)
    shape = tuple(int(n) for n in output.shape)
    return PropagationRow(name, _verdict(mask_out, shape, warning), shape, mask_out, warning)


def mask_propagation_table(cases: Mapping[str, Case] | None = None, seed: int = 0) -> list[PropagationRow]:
    """One ``PropagationRow`` per case, found by running it (``default_cases()`` if None).

    Every case gets fresh inputs: some layers (``MultiHeadAttention`` called eagerly) remove the
    mask from the tensors they receive.
    """
    cases = default_cases() if cases is None else cases
    if not isinstance(cases, Mapping):
        raise TypeError(f"cases: expected a dict of name -> case function, got {type(cases).__name__}")
    return [propagation_row(name, case, seed) for name, case in cases.items()]


def mask_text(mask: np.ndarray | None) -> str:
    """A (batch, time) mask as rows of 1 and 0 separated by spaces ("11100 11110"); "–" for None."""
    if mask is None:
        return "–"
    mask = np.asarray(mask, dtype=bool)
    if mask.ndim != 2:
        return f"shape {mask.shape}"
    return " ".join("".join("1" if v else "0" for v in row) for row in mask)


def table_markdown(rows: list[PropagationRow]) -> str:
    """The rows as a Markdown table: layer, verdict, output shape, output mask, warning."""
    lines = ["| layer | verdict | output shape | mask out | warning |", "| --- | --- | --- | --- | --- |"]
    for row in rows:
        if not isinstance(row, PropagationRow):
            raise TypeError(f"rows: expected PropagationRow items, got {type(row).__name__}")
        warning = row.warning.replace("|", "\\|") or "–"
        lines.append(f"| `{row.layer}` | **{row.verdict}** | {row.output_shape} | "
                     f"`{mask_text(row.mask_out)}` | {warning} |")
    return "\n".join(lines)


def _verdict(mask_out: np.ndarray | None, shape: tuple[int, ...], warning: str) -> str:
    time = FIRST_MASK.shape[1]
    has_time_axis = len(shape) >= 2 and shape[1] == time
    return mask_verdict(FIRST_MASK, mask_out, has_time_axis, bool(warning), FIRST_MASK | SECOND_MASK)


def mask_verdict(mask_in: np.ndarray, mask_out: np.ndarray | None, has_time_axis: bool, warned: bool,
                 either_mask: np.ndarray | None = None) -> str:
    """What a layer given ``mask_in`` (batch, time) did with it: one of ``VERDICTS``.

    mask_out: the mask on its output (None if none); has_time_axis: the output still has the time
    axis; warned: Keras gave a warning about the mask; either_mask: the OR of two inputs' masks.
    """
    if mask_out is None:
        if warned:
            return "destroys"
        return "drops silently" if has_time_axis else "consumes"
    if mask_out.shape == mask_in.shape and np.array_equal(mask_out, mask_in):
        return "keeps"
    if either_mask is not None and np.array_equal(mask_out, either_mask):
        return "ORs the masks"
    if mask_out.all():
        return "marks all real"
    return "changes"


def more_cases() -> dict[str, Case]:
    """Ten more single-input layers, by name, as cases for ``mask_propagation_table`` (exercise 08.2)."""
    import keras

    layers = keras.layers
    return {
        "Activation": lambda a, b, plain: layers.Activation("relu")(a),
        "BatchNormalization": lambda a, b, plain: layers.BatchNormalization()(a),
        "Cropping1D": lambda a, b, plain: layers.Cropping1D((1, 0))(a),
        "GRU(return_sequences=True)": lambda a, b, plain: layers.GRU(3, return_sequences=True)(a),
        "MaxPooling1D": lambda a, b, plain: layers.MaxPooling1D(2, padding="same")(a),
        "Permute": lambda a, b, plain: layers.Permute((2, 1))(a),
        "Rescaling": lambda a, b, plain: layers.Rescaling(2.0)(a),
        "SpatialDropout1D": lambda a, b, plain: layers.SpatialDropout1D(0.2)(a),
        "UpSampling1D": lambda a, b, plain: layers.UpSampling1D(2)(a),
        "ZeroPadding1D": lambda a, b, plain: layers.ZeroPadding1D(1)(a),
    }
