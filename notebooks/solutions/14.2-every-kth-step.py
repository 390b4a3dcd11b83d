import keras


@keras.saving.register_keras_serializable(package="my_layers")
class EveryKthStep(keras.layers.Layer):
    """Keep steps 0, k, 2k, ... of (batch, time, features); the mask keeps the same steps."""

    def __init__(self, k, **kwargs):
        super().__init__(**kwargs)
        self.k = k  # a plain int: Keras records it in the config by itself

    def call(self, inputs):
        return inputs[:, ::self.k]

    def compute_mask(self, inputs, mask=None):
        return None if mask is None else mask[:, ::self.k]
