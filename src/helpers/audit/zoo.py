"""Small models with known verdicts: each trap the series teaches, and its fix.

Every entry builds a fresh model (non-zero recurrent biases, so padding read as data shows) and a
padded batch, and says what an audit must find: ``ok``, ``first_leak`` and the finding kinds.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

VOCAB = 20
TIME = 12
UNITS = 8
# Findings that only TensorFlow's rules produce: on JAX and PyTorch the same model is clean.
TENSORFLOW_ONLY_KINDS = frozenset({"cuDNN would refuse the mask"})


@dataclass(frozen=True)
class ZooModel:
    """One model of the zoo. build(seed) -> (model, batch, audit keyword arguments).

    ok, first_leak, kinds: what ``audit`` must report; lesson: the trap (or fix) in a sentence;
    fixed_by: the name of the clean entry that fixes a broken one ("" for a clean one).
    """

    name: str
    build: Callable[[int], tuple]
    ok: bool
    first_leak: str | None
    lesson: str
    kinds: frozenset = field(default_factory=frozenset)
    fixed_by: str = ""

    def expected(self, backend: str = "tensorflow") -> tuple[bool, str | None, frozenset]:
        """(ok, first_leak, kinds) an audit must report on ``backend``."""
        if backend == "tensorflow":
            return self.ok, self.first_leak, self.kinds
        kinds = self.kinds - TENSORFLOW_ONLY_KINDS
        return self.ok or not kinds, self.first_leak, kinds


def token_batch(seed: int, batch: int = 32, time: int = TIME, padding: str = "post") -> np.ndarray:
    """(batch, time) int32 token ids 1..VOCAB-1 with 3..time real steps per row, padded with 0."""
    rng = np.random.default_rng(seed)
    lengths = rng.integers(3, time + 1, size=batch)
    lengths[0] = time - 2  # at least one row is padded
    ids = np.zeros((batch, time), dtype="int32")
    for row, n in zip(ids, lengths, strict=True):
        values = rng.integers(1, VOCAB, size=n)
        if padding == "post":
            row[:n] = values
        else:
            row[time - n :] = values
    return ids


def _bilstm(seed: int, name: str = "encoder", **kwargs):
    import keras

    from helpers.survival import randomise_recurrent_biases

    layer = keras.layers.Bidirectional(keras.layers.LSTM(UNITS, **kwargs), name=name)
    layer.randomise_after_build = lambda: randomise_recurrent_biases(layer, seed)
    return layer


def _built(model, batch, *bilstms):
    import warnings

    with warnings.catch_warnings():  # the warnings a broken model gives are the audit's to report
        warnings.simplefilter("ignore")
        model(batch)
    for layer in bilstms:
        layer.randomise_after_build()
    return model


def _ids_input(time=None):
    import keras

    return keras.Input((time,), dtype="int32", name="ids")


def _classifier(seed: int, mask_zero: bool = True, name: str = "mask_zero_classifier"):
    import keras

    ids = _ids_input()
    encoder = _bilstm(seed)
    embedded = keras.layers.Embedding(VOCAB, 8, mask_zero=mask_zero, name="embed")(ids)
    model = keras.Model(ids, keras.layers.Dense(1, name="score")(encoder(embedded)), name=name)
    return model, encoder


def mask_zero_classifier(seed: int):
    batch = token_batch(seed)
    model, encoder = _classifier(seed)
    return _built(model, batch, encoder), batch, {}


def no_mask_classifier(seed: int):
    batch = token_batch(seed)
    model, encoder = _classifier(seed, mask_zero=False, name="no_mask_classifier")
    return _built(model, batch, encoder), batch, {}


def pre_padded_into_cudnn(seed: int):
    batch = token_batch(seed, padding="pre")
    model, encoder = _classifier(seed, name="pre_padded_classifier")
    return _built(model, batch, encoder), batch, {}


def pad_minus_one_into_mask_zero(seed: int):
    batch = token_batch(seed)
    batch[batch == 0] = -1
    model, encoder = _classifier(seed, name="minus_one_classifier")
    return _built(model, batch, encoder), batch, {"pad_value": -1}


def _tagger(seed: int, branch: str, name: str):
    import keras

    layers = keras.layers
    ids = _ids_input()
    encoder = _bilstm(seed, return_sequences=True)
    states = encoder(layers.Embedding(VOCAB, 8, mask_zero=True, name="embed")(ids))
    if branch == "unmasked position branch":
        states = layers.Add(name="add")([states, layers.Embedding(VOCAB, 2 * UNITS, name="ids_branch")(ids)])
    elif branch == "masked branch":
        extra = layers.Embedding(VOCAB, 2 * UNITS, mask_zero=True, name="ids_branch")(ids)
        states = layers.Add(name="add")([states, extra])
    tags = layers.TimeDistributed(layers.Dense(4, activation="softmax"), name="tags")(states)
    model = keras.Model(ids, tags, name=name)
    model.compile(loss="sparse_categorical_crossentropy")
    return model, encoder


def masked_tagger(seed: int):
    batch = token_batch(seed)
    model, encoder = _tagger(seed, "masked branch", "masked_tagger")
    return _built(model, batch, encoder), batch, {}


def add_with_unmasked_branch(seed: int):
    batch = token_batch(seed)
    model, encoder = _tagger(seed, "unmasked position branch", "unmasked_branch_tagger")
    return _built(model, batch, encoder), batch, {}


def _attention_tagger(seed: int, explicit: bool):
    """BiLSTM, a per-step projection, self-attention over it and a residual Add. Without an explicit
    mask the Add is the output; with one, the mask is passed to every layer that needs it."""
    import keras

    layers = keras.layers
    ids = _ids_input()
    mask = keras.Input((None,), dtype="bool", name="mask") if explicit else None
    encoder = _bilstm(seed, return_sequences=True)
    embedded = layers.Embedding(VOCAB, 8, mask_zero=not explicit, name="embed")(ids)
    project = layers.TimeDistributed(layers.Dense(4), name="project")
    attention = layers.MultiHeadAttention(2, 4, name="attention")
    if explicit:
        projected = project(encoder(embedded, mask=mask), mask=mask)
        attended = attention(projected, projected, attention_mask=mask[:, None, :])
        mixed = layers.Add(name="residual")([projected, attended])
        outputs = layers.TimeDistributed(layers.Dense(4), name="tags")(mixed, mask=mask)
        model = keras.Model([ids, mask], outputs, name="explicit_mask_attention")
    else:
        projected = project(encoder(embedded))
        outputs = layers.Add(name="residual")([projected, attention(projected, projected)])
        model = keras.Model(ids, outputs, name="attention_residual")
    model.compile(loss="mse")
    return model, encoder


def attention_residual(seed: int):
    batch = token_batch(seed)
    model, encoder = _attention_tagger(seed, explicit=False)
    return _built(model, batch, encoder), batch, {}


def explicit_mask_attention(seed: int):
    ids = token_batch(seed)
    batch = [ids, ids != 0]
    model, encoder = _attention_tagger(seed, explicit=True)
    return _built(model, batch, encoder), batch, {}


def _pooled(seed: int, pooling: str, time=None):
    import keras

    layers = keras.layers
    ids = _ids_input(time)
    encoder = _bilstm(seed, return_sequences=True)
    states = encoder(layers.Embedding(VOCAB, 8, mask_zero=True, name="embed")(ids))
    pooled = {
        "flatten": layers.Flatten(name="flatten"),
        "average": layers.GlobalAveragePooling1D(name="pool"),
    }[pooling](states)
    return keras.Model(ids, layers.Dense(1, name="score")(pooled), name=f"{pooling}_pooled"), encoder


def flatten_after_encoder(seed: int):
    batch = token_batch(seed)
    model, encoder = _pooled(seed, "flatten", time=TIME)
    return _built(model, batch, encoder), batch, {}


def average_pooled(seed: int):
    batch = token_batch(seed)
    model, encoder = _pooled(seed, "average")
    return _built(model, batch, encoder), batch, {}


def _subclassed(scale_with_an_op: bool):
    import keras

    class Classifier(keras.Model):
        """Embedding, optionally scaled by a plain op (which drops the mask), BiLSTM, Dense."""

        def __init__(self, seed: int):
            super().__init__(name="op_scaled_subclass" if scale_with_an_op else "layer_scaled_subclass")
            self.embed = keras.layers.Embedding(VOCAB, 8, mask_zero=True, name="embed")
            self.scale = keras.layers.Rescaling(2.0, name="scale")
            self.encoder = _bilstm(seed)
            self.score = keras.layers.Dense(1, name="score")

        def call(self, ids):
            embedded = self.embed(ids)
            embedded = embedded * 2.0 if scale_with_an_op else self.scale(embedded)
            return self.score(self.encoder(embedded))

    return Classifier


def subclass_scaled_by_an_op(seed: int):
    batch = token_batch(seed)
    model = _subclassed(scale_with_an_op=True)(seed)
    return _built(model, batch, model.encoder), batch, {}


def subclass_scaled_by_a_layer(seed: int):
    batch = token_batch(seed)
    model = _subclassed(scale_with_an_op=False)(seed)
    return _built(model, batch, model.encoder), batch, {}


def _feature_batch(seed: int, batch: int = 32, features: int = 3) -> np.ndarray:
    ids = token_batch(seed, batch)
    values = np.random.default_rng(seed + 1).normal(size=(*ids.shape, features)).astype("float32")
    return values * (ids != 0)[..., None]


def masking_on_features(seed: int):
    import keras

    batch = _feature_batch(seed)
    encoder = _bilstm(seed)
    model = keras.Sequential(
        [
            keras.Input((None, 3)),
            keras.layers.Masking(0.0, name="masking"),
            encoder,
            keras.layers.Dense(1, name="score"),
        ],
        name="masking_on_features",
    )
    return _built(model, batch, encoder), batch, {}


def masking_fed_2d_ids(seed: int):
    import keras

    batch = token_batch(seed).astype("float32")
    encoder = _bilstm(seed)
    model = keras.Sequential(
        [
            keras.Input((None,)),
            keras.layers.Masking(0.0, name="masking"),
            keras.layers.Reshape((-1, 1), name="feature_axis"),
            encoder,
            keras.layers.Dense(1, name="score"),
        ],
        name="masking_fed_2d",
    )
    return _built(model, batch, encoder), batch, {"pad_value": 0.0}


def ids_with_static_features(seed: int):
    import keras

    layers = keras.layers
    ids = _ids_input()
    extra = keras.Input((2,), name="static")
    encoder = _bilstm(seed)
    encoded = encoder(layers.Embedding(VOCAB, 8, mask_zero=True, name="embed")(ids))
    joined = layers.Concatenate(name="join")([encoded, layers.Dense(4, name="static_dense")(extra)])
    model = keras.Model(
        {"ids": ids, "static": extra}, layers.Dense(1, name="score")(joined), name="ids_with_static_features"
    )
    batch = {"ids": token_batch(seed), "static": np.random.default_rng(seed).normal(size=(32, 2))}
    return _built(model, batch, encoder), batch, {}


def _explicit_mask_classifier(seed: int, name: str):
    """A (values, mask) model whose BiLSTM gets the mask explicitly, built on clean feature batches."""
    import keras

    values = keras.Input((None, 3), name="values")
    mask = keras.Input((None,), dtype="bool", name="mask")
    encoder = _bilstm(seed)
    outputs = keras.layers.Dense(1, name="score")(encoder(values, mask=mask))
    x = _feature_batch(seed)
    batch = [x, (x != 0).any(axis=-1)]
    return _built(keras.Model([values, mask], outputs, name=name), batch, encoder), batch


def explicit_mask_classifier(seed: int):
    model, batch = _explicit_mask_classifier(seed, "explicit_mask_classifier")
    return model, batch, {}


def explicit_mask_with_nan_pads(seed: int):
    model, (x, real) = _explicit_mask_classifier(seed, "explicit_mask_nan_pads")
    return model, [np.where(real[..., None], x, np.nan).astype("float32"), real], {}


def _entry(name, build, first_leak, lesson, kinds=(), fixed_by=""):
    return ZooModel(
        name, build, first_leak is None and not kinds, first_leak, lesson, frozenset(kinds), fixed_by
    )


ZOO: dict[str, ZooModel] = {
    z.name: z
    for z in [
        _entry(
            "mask_zero_classifier",
            mask_zero_classifier,
            None,
            "Embedding(mask_zero=True) hands the BiLSTM the mask",
        ),
        _entry(
            "masked_tagger",
            masked_tagger,
            None,
            "a per-step tagger whose two masked branches keep the mask up to the loss",
        ),
        _entry(
            "explicit_mask_attention",
            explicit_mask_attention,
            None,
            "an explicit mask input, passed to the BiLSTM, the attention and the output layer",
        ),
        _entry(
            "average_pooled", average_pooled, None, "GlobalAveragePooling1D takes the mean over real steps"
        ),
        _entry(
            "subclass_scaled_by_a_layer",
            subclass_scaled_by_a_layer,
            None,
            "a subclassed model scaling with a layer (Rescaling), which keeps the mask",
        ),
        _entry("masking_on_features", masking_on_features, None, "Masking on (batch, time, features) input"),
        _entry(
            "ids_with_static_features",
            ids_with_static_features,
            None,
            "two inputs: padded ids and per-sequence features",
        ),
        _entry(
            "explicit_mask_classifier",
            explicit_mask_classifier,
            None,
            "an explicit mask input ignores whatever sits in padded slots",
        ),
        _entry(
            "no_mask_classifier",
            no_mask_classifier,
            "encoder",
            "padding without a mask is read as data",
            ["padding changes outputs"],
            "mask_zero_classifier",
        ),
        _entry(
            "unmasked_branch_tagger",
            add_with_unmasked_branch,
            "add",
            "Add with an unmasked branch drops the mask, so the loss counts padded steps",
            ["mask dropped", "loss counts padded steps", "gradients read padded steps"],
            "masked_tagger",
        ),
        _entry(
            "attention_residual",
            attention_residual,
            "residual",
            "MultiHeadAttention removes the mask at run time; the residual Add then has none",
            ["mask dropped at run time", "loss counts padded steps", "gradients read padded steps"],
            "explicit_mask_attention",
        ),
        _entry(
            "flatten_pooled",
            flatten_after_encoder,
            "flatten",
            "Flatten destroys the mask and reads padding",
            ["mask destroyed", "padding changes outputs"],
            "average_pooled",
        ),
        _entry(
            "op_scaled_subclass",
            subclass_scaled_by_an_op,
            "encoder",
            "a plain op (embedded * 2.0) in a subclassed call drops the mask",
            ["mask dropped by an op", "padding changes outputs"],
            "subclass_scaled_by_a_layer",
        ),
        _entry(
            "masking_fed_2d",
            masking_fed_2d_ids,
            "masking",
            "Masking on 2-D ids masks rows, not steps",
            ["Masking fed 2-D input", "mask destroyed", "padding changes outputs"],
            "masking_on_features",
        ),
        _entry(
            "pre_padded_classifier",
            pre_padded_into_cudnn,
            None,
            "a pre-padded batch is fine on the CPU, but cuDNN on a GPU refuses its mask",
            ["cuDNN would refuse the mask"],
            "mask_zero_classifier",
        ),
        _entry(
            "minus_one_classifier",
            pad_minus_one_into_mask_zero,
            "embed",
            "pad value -1 into Embedding(mask_zero=True): the model's mask marks the pads as real",
            ["mask differs from yours", "padding changes outputs"],
            "mask_zero_classifier",
        ),
        _entry(
            "explicit_mask_nan_pads",
            explicit_mask_with_nan_pads,
            None,
            "NaN in masked slots keeps outputs finite but makes the weight gradients NaN",
            ["non-finite values in padded slots"],
            "explicit_mask_classifier",
        ),
    ]
}
