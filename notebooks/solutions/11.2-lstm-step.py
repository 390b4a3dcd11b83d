import numpy as np


def sigmoid(z):
    return 1.0 / (1.0 + np.exp(-z))


def my_lstm_step(x_t, h_prev, c_prev, weights):
    """x_t: (batch, features); h_prev, c_prev: (batch, units). Returns the new (h, c)."""
    z = x_t @ weights.kernel + h_prev @ weights.recurrent_kernel + weights.bias
    z_i, z_f, z_c, z_o = np.split(z, 4, axis=-1)  # Keras' order: input, forget, candidate, output
    c = sigmoid(z_f) * c_prev + sigmoid(z_i) * np.tanh(z_c)
    h = sigmoid(z_o) * np.tanh(c)
    return h, c
