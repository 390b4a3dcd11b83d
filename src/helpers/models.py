"""Small, built LSTM layers whose padding effects are visible (non-zero biases)."""

from __future__ import annotations

import numpy as np


def randomise_biases(layer, seed: int, scale: float = 0.5) -> None:
    """Give every LSTM inside ``layer`` normally distributed biases.

    Freshly initialised LSTMs have a zero candidate bias, so zero padding read before the first
    real step leaves the state at exactly zero and padding looks harmless. Non-zero biases make
    the effect of padding visible, as in a trained model.
    """
    import keras

    lstms = [layer.forward_layer, layer.backward_layer] if isinstance(layer, keras.layers.Bidirectional) \
        else [layer]
    rng = np.random.default_rng(seed)
    for lstm in lstms:
        if not isinstance(lstm, keras.layers.LSTM):
            raise TypeError(f"layer: expected an LSTM or Bidirectional(LSTM), got {type(lstm).__name__}")
        if not lstm.built:
            raise ValueError(f"layer: expected a built layer, got an unbuilt {lstm.name!r}")
        lstm.cell.bias.assign(rng.normal(0.0, scale, lstm.cell.bias.shape).astype("float32"))


def make_lstm(units: int, features: int, seed: int, **lstm_kwargs):
    """A built ``keras.layers.LSTM`` with non-zero biases; ``lstm_kwargs`` go to the LSTM."""
    import keras

    keras.utils.set_random_seed(seed)
    layer = keras.layers.LSTM(units, **lstm_kwargs)
    layer.build((None, None, features))
    randomise_biases(layer, seed)
    return layer


def make_bilstm(
    units: int, features: int, seed: int, merge_mode: str | None = "concat", name: str | None = None,
    **lstm_kwargs,
):
    """A built ``Bidirectional(LSTM(units), name=name)`` with non-zero biases in both directions.

    ``lstm_kwargs`` go to the inner LSTM (e.g. ``return_sequences=True``).
    """
    import keras

    keras.utils.set_random_seed(seed)
    layer = keras.layers.Bidirectional(
        keras.layers.LSTM(units, **lstm_kwargs), merge_mode=merge_mode, name=name
    )
    layer.build((None, None, features))
    randomise_biases(layer, seed)
    return layer
