"""helpers.training."""

import keras
import numpy as np
import pytest

from helpers.training import TrainingState, restore, snapshot, tracing_count


def small_model(seed=0):
    keras.utils.set_random_seed(seed)
    model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(2, name="hidden"),
                              keras.layers.Dense(1, name="out")])
    model.compile(optimizer=keras.optimizers.Adam(0.05), loss="mse")
    return model


def data():
    rng = np.random.default_rng(0)
    return rng.normal(size=(32, 3)).astype("float32"), rng.normal(size=(32, 1)).astype("float32")


def fit_twice_from_one_start(shuffle: bool):
    """Two fits from one snapshot, each after keras.utils.set_random_seed(1): [(losses, weights)] per fit."""
    model, (x, y) = small_model(), data()
    start = snapshot(model)
    runs = []
    for _ in range(2):
        restore(model, start)
        keras.utils.set_random_seed(1)
        losses = model.fit(x, y, epochs=3, batch_size=8, verbose=0, shuffle=shuffle).history["loss"]
        runs.append((losses, model.get_weights()))
    return runs


def test_restore_gives_the_same_training_run_twice():
    (first, first_weights), (second, second_weights) = fit_twice_from_one_start(shuffle=False)
    assert first == second
    for a, b in zip(first_weights, second_weights, strict=True):
        np.testing.assert_array_equal(a, b)


def test_set_random_seed_repeats_fits_shuffling_only_on_tensorflow():
    """Keras 3.15: on JAX (jit on or off) and PyTorch, set_random_seed before fit does not repeat its
    shuffling; the notebooks' checks never rely on two runs shuffling alike."""
    (first, _), (second, _) = fit_twice_from_one_start(shuffle=True)
    assert (first == second) == (keras.backend.backend() == "tensorflow")


def test_restore_resets_the_optimizer_too():
    model, (x, y) = small_model(), data()
    start = snapshot(model)
    model.fit(x, y, epochs=1, batch_size=8, verbose=0)
    assert int(model.optimizer.iterations.numpy()) == 4
    restore(model, start)
    assert int(model.optimizer.iterations.numpy()) == 0
    assert all(not np.any(v.numpy()) for v in model.optimizer.variables if "momentum" in v.path)
    assert float(model.optimizer.learning_rate.numpy()) == pytest.approx(0.05)


def test_errors_name_the_argument():
    with pytest.raises(TypeError, match="model"):
        snapshot(keras.layers.Dense(2))
    uncompiled = keras.Sequential([keras.Input((3,)), keras.layers.Dense(1)])
    with pytest.raises(ValueError, match="compiled"):
        snapshot(uncompiled)
    with pytest.raises(TypeError, match="state"):
        restore(small_model(), [1, 2])
    other = keras.Sequential([keras.Input((4,)), keras.layers.Dense(1)])
    other.compile(optimizer="adam", loss="mse")
    with pytest.raises(ValueError, match="state"):
        restore(other, snapshot(small_model()))
    assert isinstance(snapshot(other), TrainingState)


@pytest.mark.tensorflow_only
def test_tracing_count_counts_keras_traces():
    keras.utils.set_random_seed(0)
    model = keras.Sequential([keras.Input((None, 1)), keras.layers.LSTM(2), keras.layers.Dense(1)])
    model.compile(optimizer="adam", loss="mse")
    y = np.zeros((8, 1), "float32")
    start = snapshot(model)
    model.fit(np.zeros((8, 5, 1), "float32"), y, batch_size=4, epochs=2, verbose=0)
    restore(model, start)
    model.fit(np.ones((8, 5, 1), "float32"), y, batch_size=4, epochs=1, verbose=0)
    assert tracing_count(model) == 1
    model.fit(np.zeros((8, 6, 1), "float32"), y, batch_size=4, epochs=1, verbose=0)  # a new time length
    assert tracing_count(model) == 2
    model.evaluate(np.zeros((8, 5, 1), "float32"), y, batch_size=8, verbose=0)
    assert tracing_count(model, "test") == 1


def test_tracing_count_errors_name_the_argument():
    model = small_model()
    with pytest.raises(ValueError, match="has run fit"):
        tracing_count(model)
    with pytest.raises(ValueError, match="function"):
        tracing_count(model, "predict")
    with pytest.raises(TypeError, match="model"):
        tracing_count(keras.layers.Dense(2))
    eager = small_model()
    eager.compile(optimizer="adam", loss="mse", run_eagerly=True)
    eager.fit(*data(), epochs=1, batch_size=32, verbose=0)
    with pytest.raises(ValueError, match="no traced tf.function"):
        tracing_count(eager)
