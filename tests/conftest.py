import matplotlib

from helpers.environment import quiet_tensorflow_logs

quiet_tensorflow_logs()  # before any test module imports Keras (and with it TensorFlow or JAX)
matplotlib.use("Agg")
