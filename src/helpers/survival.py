"""Where the mask survives: sentences padded three ways in one batch, and the gaps to their outputs alone."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np

VARIANTS = ("post", "pre", "junk")
RECURRENT_LAYERS = ("LSTM", "GRU", "SimpleRNN")


@dataclass(frozen=True)
class PaddedVariants:
    """``n`` sentences, each padded three ways, stacked into one batch of ``3 * n`` rows.

    ids: (3 * n, time) int32. Rows ``0 .. n-1`` are the sentences padded at the end with 0 ("post"),
    rows ``n .. 2n-1`` padded in front with 0 ("pre"), rows ``2n .. 3n-1`` each sentence at a random
    offset with a random real id in every padded slot ("junk"). mask: (3 * n, time) bool, True at
    each sentence's own steps. One batch, one shape: a traced or compiled model runs it in one call.
    """

    ids: np.ndarray
    mask: np.ndarray

    @property
    def n(self) -> int:
        """How many sentences (a third of the rows)."""
        return len(self.ids) // len(VARIANTS)

    def block(self, variant: str) -> tuple[np.ndarray, np.ndarray]:
        """The ``(ids, mask)`` rows of one variant: each (n, time)."""
        if variant not in VARIANTS:
            raise ValueError(f"variant: expected one of {VARIANTS}, got {variant!r}")
        rows = slice(VARIANTS.index(variant) * self.n, (VARIANTS.index(variant) + 1) * self.n)
        return self.ids[rows], self.mask[rows]

    def gaps(self, outputs, reference) -> dict[str, float]:
        """Largest absolute difference between each variant's outputs and the unpadded ones.

        outputs: (3 * n, ...) what a model returned for ``ids`` and ``mask`` (array or tensor).
        reference: (n, ...) the same model's outputs for each sentence alone, without padding.
        Returns ``{"post": gap, "pre": gap, "junk": gap}``; all tiny when the mask survived.
        """
        outputs, reference = _numpy(outputs, "outputs"), _numpy(reference, "reference")
        if reference.shape[:1] != (self.n,) or outputs.shape != (len(self.ids), *reference.shape[1:]):
            raise ValueError(
                f"outputs, reference: expected shapes ({len(self.ids)}, ...) and ({self.n}, ...) with the "
                f"same trailing axes, got {outputs.shape} and {reference.shape}"
            )
        blocks = np.split(outputs, len(VARIANTS))
        return {variant: float(np.abs(block - reference).max()) for variant, block in zip(VARIANTS, blocks,
                                                                                           strict=True)}


def padded_variants(sentences: Sequence, time: int, vocabulary: int, seed: int = 0) -> PaddedVariants:
    """Pad every sentence at the end, in front, and at a random offset with junk around it.

    sentences: a non-empty list of (steps,) int ids from 1 to ``vocabulary`` (0 is the pad), each at
    least one id long. time: the padded length, at least the longest sentence. The junk block's
    offsets and junk ids (1 .. vocabulary) are drawn with ``seed``. See ``PaddedVariants``.
    """
    rows = _sentences(sentences, vocabulary)
    lengths = np.array([len(row) for row in rows])
    if not isinstance(time, int | np.integer) or isinstance(time, bool) or time < lengths.max():
        raise ValueError(f"time: expected an int >= the longest sentence ({lengths.max()}), got {time!r}")
    rng = np.random.default_rng(seed)
    steps = np.arange(time)[None, :]
    offsets = rng.integers(0, time - lengths + 1)[:, None]
    masks = [steps < lengths[:, None], steps >= (time - lengths)[:, None],
             (steps >= offsets) & (steps < offsets + lengths[:, None])]
    fillers = [np.zeros((len(rows), time), "int32"), np.zeros((len(rows), time), "int32"),
               rng.integers(1, vocabulary + 1, (len(rows), time)).astype("int32")]
    for mask, ids in zip(masks, fillers, strict=True):
        ids[mask] = np.concatenate(rows)  # row by row, in order: each sentence into its own slots
    return PaddedVariants(ids=np.concatenate(fillers), mask=np.concatenate(masks))


def randomise_recurrent_biases(layer, seed: int, scale: float = 0.5) -> None:
    """Give the cell of every LSTM, GRU or SimpleRNN in ``layer`` normally distributed biases.

    layer: a built ``Bidirectional`` around one of those, or one of those itself. Fresh layers
    have zero biases; non-zero ones make padding that is read as data visible, as trained ones do.
    """
    import keras

    recurrent = [layer.forward_layer, layer.backward_layer] \
        if isinstance(layer, keras.layers.Bidirectional) else [layer]
    rng = np.random.default_rng(seed)
    for rnn in recurrent:
        if type(rnn).__name__ not in RECURRENT_LAYERS:
            raise TypeError(f"layer: expected one of {RECURRENT_LAYERS} or a Bidirectional around one, "
                            f"got {type(rnn).__name__}")
        if not rnn.built:
            raise ValueError(f"layer: expected a built layer, got an unbuilt {rnn.name!r}")
        rnn.cell.bias.assign(rng.normal(0.0, scale, rnn.cell.bias.shape).astype("float32"))


def gaps_table(rows: Mapping[str, Mapping[str, float]], tolerance: float = 1e-5) -> str:
    """A Markdown table: one row per way of running the model, its gap per variant, and a verdict.

    rows: ``{"eager call": {"post": 0.0, "pre": 0.0, "junk": 0.0}, ...}``, as ``PaddedVariants.gaps``
    returns them. The verdict is "yes" when every gap is at most ``tolerance``.
    """
    if not isinstance(rows, Mapping) or not rows:
        raise TypeError(f"rows: expected a non-empty dict of name -> gaps, got {type(rows).__name__}")
    lines = ["| how the model runs | " + " | ".join(VARIANTS) + " | mask survives |",
             "| --- |" + " ---: |" * len(VARIANTS) + " --- |"]
    for name, gaps in rows.items():
        if not isinstance(gaps, Mapping) or set(gaps) != set(VARIANTS):
            raise ValueError(f"rows[{name!r}]: expected gaps for {VARIANTS}, got {gaps!r}")
        verdict = "yes" if max(gaps.values()) <= tolerance else "**no**"
        lines.append(f"| {name} | " + " | ".join(f"{gaps[v]:.1e}" for v in VARIANTS) + f" | {verdict} |")
    return "\n".join(lines)


def _sentences(sentences, vocabulary) -> list[np.ndarray]:
    if not isinstance(vocabulary, int | np.integer) or isinstance(vocabulary, bool) or vocabulary < 1:
        raise ValueError(f"vocabulary: expected an int >= 1, got {vocabulary!r}")
    if isinstance(sentences, np.ndarray) or not isinstance(sentences, Sequence) or not len(sentences):
        raise TypeError(
            f"sentences: expected a non-empty list of (steps,) id arrays, got {type(sentences).__name__}")
    rows = [np.asarray(s) for s in sentences]
    if any(r.ndim != 1 or not len(r) or not np.issubdtype(r.dtype, np.integer) for r in rows):
        shapes = [(r.shape, str(r.dtype)) for r in rows]
        raise ValueError(f"sentences: expected 1-D int arrays of >= 1 id, got {shapes}")
    if any(r.min() < 1 or r.max() > vocabulary for r in rows):
        raise ValueError(f"sentences: expected ids from 1 to vocabulary={vocabulary} (0 is the pad), "
                         f"got ids from {min(r.min() for r in rows)} to {max(r.max() for r in rows)}")
    return rows


def _numpy(values, argument: str) -> np.ndarray:
    import keras

    try:
        return np.asarray(keras.ops.convert_to_numpy(values), dtype=float)
    except (TypeError, ValueError) as error:
        raise TypeError(f"{argument}: expected an array or tensor, got {type(values).__name__}") from error
