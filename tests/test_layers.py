"""helpers.layers."""

import keras
import numpy as np
import pytest

from helpers.layers import MaskedGlobalMaxPooling1D, MaskedIdsEmbedding, TemporalSoftmax, masked_softmax

MASK = np.array([[1, 1, 1, 0, 0], [0, 1, 0, 1, 1], [0, 0, 0, 0, 0]], bool)
SCORES = np.random.default_rng(0).normal(size=(3, 5, 1)).astype("float32")


def _numpy(t):
    return keras.ops.convert_to_numpy(t)


def test_masked_softmax_sums_to_one_over_real_steps_and_is_zero_at_pads():
    weights = _numpy(masked_softmax(SCORES, MASK))
    np.testing.assert_allclose(weights[:2].sum(axis=1), 1.0, rtol=1e-6)
    assert (weights[~MASK] == 0).all()


def test_masked_softmax_equals_softmax_of_the_real_steps_alone():
    weights = _numpy(masked_softmax(SCORES, MASK))
    for row in range(2):
        alone = _numpy(keras.ops.softmax(SCORES[row][MASK[row]], axis=0))
        np.testing.assert_allclose(weights[row][MASK[row]], alone, rtol=1e-6)


def test_masked_softmax_of_a_row_without_real_steps_is_zero():
    assert (_numpy(masked_softmax(SCORES, MASK))[2] == 0).all()


def test_masked_softmax_ignores_huge_junk_at_pads():
    junk = np.where(MASK[..., None], SCORES, 1e4).astype("float32")
    np.testing.assert_allclose(_numpy(masked_softmax(junk, MASK)), _numpy(masked_softmax(SCORES, MASK)))


def test_masked_softmax_without_mask_is_softmax_over_time():
    np.testing.assert_allclose(_numpy(masked_softmax(SCORES)), _numpy(keras.ops.softmax(SCORES, axis=1)))


def test_masked_softmax_checks_the_mask_shape():
    with pytest.raises(ValueError, match=r"mask: expected shape \(batch, time\)"):
        masked_softmax(SCORES, MASK[..., None])


def test_temporal_softmax_consumes_the_mask_and_passes_it_on():
    x = keras.layers.Masking(0.0)(np.where(MASK[..., None], SCORES + 10.0, 0.0).astype("float32"))
    weights = TemporalSoftmax()(x)
    np.testing.assert_array_equal(_numpy(weights._keras_mask), MASK)
    np.testing.assert_allclose(_numpy(weights), _numpy(masked_softmax(SCORES + 10.0, MASK)), rtol=1e-6)


def test_masked_max_pooling_ignores_pads():
    values = -np.abs(np.random.default_rng(1).normal(size=(3, 5, 2))).astype("float32") - 0.1
    pooled = _numpy(MaskedGlobalMaxPooling1D()(values, mask=MASK))
    for row in range(2):
        np.testing.assert_allclose(pooled[row], values[row][MASK[row]].max(axis=0))
    assert (pooled[2] == 0).all()
    assert MaskedGlobalMaxPooling1D().compute_mask(values, MASK) is None


def test_masked_ids_embedding_masks_every_listed_id_and_and_s_an_incoming_mask():
    ids = np.array([[4, 1, 0, 1], [2, 3, 4, 0]])
    layer = MaskedIdsEmbedding(5, 2, masked_ids=(0, 4))
    np.testing.assert_array_equal(_numpy(layer(ids)._keras_mask), [[0, 1, 0, 1], [1, 1, 0, 0]])
    incoming = np.array([[1, 1, 1, 0], [0, 1, 1, 1]], bool)
    np.testing.assert_array_equal(_numpy(layer.compute_mask(ids, incoming)), [[0, 1, 0, 0], [0, 1, 0, 0]])


def test_masked_ids_embedding_round_trips_its_config():
    layer = MaskedIdsEmbedding(5, 2, masked_ids=(0, 3))
    clone = MaskedIdsEmbedding.from_config(layer.get_config())
    assert clone.masked_ids == (0, 3) and not clone.mask_zero


@pytest.mark.parametrize("kwargs, message", [
    ({"masked_ids": ()}, "masked_ids: expected at least one id"),
    ({"masked_ids": (5,)}, r"masked_ids: expected ids from 0 to input_dim - 1 = 4, got \(5,\)"),
    ({"mask_zero": True}, "mask_zero: expected False"),
])
def test_masked_ids_embedding_validates(kwargs, message):
    with pytest.raises(ValueError, match=message):
        MaskedIdsEmbedding(5, 2, **kwargs)


# --- saved to .keras and reloaded -------------------------------------------------------------------

IDS = np.array([[3, 7, 1, 0, 0], [0, 2, 7, 5, 4], [0, 0, 0, 0, 0]], "int32")  # 7 = [UNK]; row 2 all padding


def _round_trip(model, folder):
    path = folder / f"{model.name}.keras"
    model.save(path)
    return keras.models.load_model(path)


def _model_with_every_layer():
    keras.utils.set_random_seed(3)
    ids = keras.Input((None,), dtype="int32", name="ids")
    embedded = MaskedIdsEmbedding(8, 3, masked_ids=(0, 7), name="embedding")(ids)
    encoded = keras.layers.Bidirectional(keras.layers.LSTM(2, return_sequences=True), name="bilstm")(embedded)
    weights = TemporalSoftmax(name="weights")(keras.layers.Dense(1, name="score")(encoded))
    pooled = MaskedGlobalMaxPooling1D(name="pooled")(encoded)
    return keras.Model(ids, [weights, pooled], name="every_layer")


@pytest.mark.parametrize("layer", [TemporalSoftmax, MaskedGlobalMaxPooling1D, MaskedIdsEmbedding])
def test_every_layer_is_registered_under_the_helpers_package(layer):
    name = keras.saving.get_registered_name(layer)
    assert name == f"helpers>{layer.__name__}"
    assert keras.saving.get_registered_object(name) is layer


def test_a_model_with_every_layer_reloads_with_the_same_outputs_and_masks(tmp_path):
    model = _model_with_every_layer()
    reloaded = _round_trip(model, tmp_path)
    (weights, pooled), (weights_again, pooled_again) = model(IDS), reloaded(IDS)
    np.testing.assert_array_equal(_numpy(weights_again), _numpy(weights))
    np.testing.assert_array_equal(_numpy(pooled_again), _numpy(pooled))
    expected_mask = (IDS != 0) & (IDS != 7)
    np.testing.assert_array_equal(_numpy(weights_again._keras_mask), expected_mask)
    np.testing.assert_array_equal(_numpy(weights._keras_mask), expected_mask)
    assert getattr(pooled_again, "_keras_mask", None) is None
    assert (_numpy(pooled_again)[2] == 0).all() and (_numpy(weights_again)[2] == 0).all()


def test_a_reloaded_masked_ids_embedding_keeps_its_ids_and_weights(tmp_path):
    model = _model_with_every_layer()
    embedding = _round_trip(model, tmp_path).get_layer("embedding")
    assert type(embedding) is MaskedIdsEmbedding and embedding.masked_ids == (0, 7)
    assert not embedding.mask_zero and (embedding.input_dim, embedding.output_dim) == (8, 3)
    original = model.get_layer("embedding").embeddings
    np.testing.assert_array_equal(_numpy(embedding.embeddings), _numpy(original))
    np.testing.assert_array_equal(_numpy(embedding.compute_mask(IDS)), (IDS != 0) & (IDS != 7))


@pytest.mark.parametrize("layer", [TemporalSoftmax(name="softmax"), MaskedGlobalMaxPooling1D(name="pool")])
def test_a_layer_without_arguments_round_trips_its_config(layer):
    clone = type(layer).from_config(layer.get_config())
    assert clone.name == layer.name and clone.supports_masking


def test_a_new_process_must_import_helpers_layers_before_loading(tmp_path):
    import subprocess
    import sys

    path = tmp_path / "every_layer.keras"
    _model_with_every_layer().save(path)
    script = (
        "import keras\n"
        f"try:\n    keras.models.load_model({str(path)!r})\nexcept TypeError as error:\n"
        "    print('without:', 'could not be deserialized' in str(error))\n"
        "import helpers.layers\n"
        f"print('with:', keras.models.load_model({str(path)!r}).get_layer('embedding').masked_ids)\n"
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120,
                          env={**__import__("os").environ, "TF_CPP_MIN_LOG_LEVEL": "3"})
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.split("\n")[:2] == ["without: True", "with: (0, 7)"], done.stdout
