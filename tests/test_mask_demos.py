"""helpers.mask_demos."""

import keras
import numpy as np
import pytest

from helpers.mask_demos import weight_gradients
from helpers.models import make_bilstm

MASK = np.array([[1, 1, 1, 0], [1, 1, 0, 0]], bool)


class MaskedLinear(keras.layers.Layer):
    """x @ w at real steps, 0 at masked ones: a layer whose gradient is known in closed form."""

    def __init__(self, with_unused_weight=False, **kwargs):
        super().__init__(**kwargs)
        self.supports_masking = True
        self.with_unused_weight = with_unused_weight

    def build(self, input_shape):
        self.w = self.add_weight(shape=(input_shape[-1], 2), name="w",
                                 initializer=keras.initializers.RandomNormal(seed=0))
        if self.with_unused_weight:
            self.unused = self.add_weight(shape=(2,), name="unused", initializer="ones")

    def call(self, x, mask=None):
        return keras.ops.where(mask[..., None], keras.ops.matmul(x, self.w), 0.0)


def batch(seed=0):
    return np.random.default_rng(seed).normal(size=(2, 4, 3)).astype("float32")


def test_gradients_are_those_of_the_sum_of_squared_outputs():
    layer, x = MaskedLinear(name="linear"), batch()
    layer.build(x.shape)
    output, gradients = weight_gradients(layer, x, MASK)
    w = layer.w.numpy()
    real = x[MASK]  # (n_real, features)
    np.testing.assert_allclose(output[MASK], real @ w, rtol=1e-6)
    np.testing.assert_array_equal(output[~MASK], 0.0)
    np.testing.assert_allclose(gradients[layer.w.path], 2 * real.T @ (real @ w), rtol=1e-5, atol=1e-6)


def test_masked_batch_gives_the_summed_gradients_of_the_rows_alone():
    layer, x = make_bilstm(2, 3, seed=0, name="bilstm"), batch(1)
    _, together = weight_gradients(layer, x, MASK)
    alone = [weight_gradients(layer, x[b : b + 1, : n], np.ones((1, n), bool))[1]
             for b, n in enumerate(MASK.sum(axis=1))]
    assert set(together) == {w.path for w in layer.trainable_weights}
    for path, gradient in together.items():
        assert gradient.shape == alone[0][path].shape
        np.testing.assert_allclose(gradient, alone[0][path] + alone[1][path], rtol=1e-4, atol=1e-6)


def test_nan_in_a_masked_slot_keeps_the_output_finite_and_poisons_every_gradient():
    layer, x = make_bilstm(2, 3, seed=0), batch(2)
    clean_output, _ = weight_gradients(layer, x, MASK)
    x[1, 3] = np.nan  # a padded slot
    output, gradients = weight_gradients(layer, x, MASK)
    np.testing.assert_allclose(output, clean_output, rtol=1e-6)
    assert all(np.isnan(g).all() for g in gradients.values())


def test_the_weights_do_not_change():
    layer = make_bilstm(2, 3, seed=0)
    before = [w.numpy().copy() for w in layer.weights]
    weight_gradients(layer, batch(), MASK)
    for old, weight in zip(before, layer.weights, strict=True):
        np.testing.assert_array_equal(old, weight.numpy())


def test_an_unused_weight_gets_a_zero_gradient():
    layer = MaskedLinear(with_unused_weight=True, name="linear")
    layer.build((2, 4, 3))
    _, gradients = weight_gradients(layer, batch(), MASK)
    np.testing.assert_array_equal(gradients[layer.unused.path], 0.0)


@pytest.mark.parametrize(
    ("layer", "inputs", "mask", "error", "message"),
    [
        ("not a layer", np.zeros((2, 4, 3)), MASK, TypeError,
         r"layer: expected a Keras layer or model, got str"),
        (keras.layers.Masking(name="masking"), np.zeros((2, 4, 3)), MASK, ValueError,
         r"layer: expected a built layer with trainable weights, got 'masking' with none"),
        (None, np.zeros((2, 4)), MASK, ValueError,
         r"inputs: expected shape \(batch, time, features\), got shape \(2, 4\)"),
        (None, np.zeros((2, 4, 3)), MASK[:, :3], ValueError, r"mask: expected rank 2, shape \(batch, time\)"),
    ],
)
def test_bad_arguments_are_named(layer, inputs, mask, error, message):
    layer = make_bilstm(2, 3, seed=0) if layer is None else layer
    with pytest.raises(error, match=message):
        weight_gradients(layer, inputs, mask)
