import keras
from keras import ops


class HideFirstStep(keras.layers.Layer):
    """Hide the first real step of each sequence (e.g. a start token); the values pass unchanged."""

    def call(self, inputs):
        return ops.copy(inputs)  # a new tensor, so that Keras attaches the new mask to it

    def compute_mask(self, inputs, mask=None):
        if mask is None:
            return None
        mask = ops.cast(mask, "bool")
        real_so_far = ops.cumsum(ops.cast(mask, "int32"), axis=1)  # 1 at the first real step
        return ops.logical_and(mask, real_so_far > 1)
