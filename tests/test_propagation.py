"""helpers.propagation."""

import keras
import numpy as np
import pytest

from helpers.propagation import (
    FIRST_MASK,
    SECOND_MASK,
    VERDICTS,
    PropagationRow,
    mask_propagation_table,
    mask_text,
    masked_inputs,
    more_cases,
    propagation_row,
    table_markdown,
)


@pytest.fixture(scope="module")
def table():
    return {row.layer: row for row in mask_propagation_table()}


@pytest.mark.parametrize("layer", ["Dense", "TimeDistributed(Dense)", "Dropout", "LayerNormalization",
                                   "LSTM(return_sequences=True)", "Attention (query, value)",
                                   "MultiHeadAttention (query, value)"])
def test_layers_that_keep_the_mask(table, layer):
    row = table[layer]
    assert row.verdict == "keeps" and not row.warning
    np.testing.assert_array_equal(row.mask_out, FIRST_MASK)


@pytest.mark.parametrize("layer", ["LSTM", "GlobalAveragePooling1D"])
def test_layers_that_consume_the_mask(table, layer):
    row = table[layer]
    assert row.verdict == "consumes" and row.mask_out is None and not row.warning
    assert len(row.output_shape) == 2


@pytest.mark.parametrize("layer", ["Conv1D", "Flatten", "Reshape (time axis kept)", "Lambda",
                                   "GlobalMaxPooling1D"])
def test_layers_that_destroy_the_mask_warn(table, layer):
    row = table[layer]
    assert row.verdict == "destroys" and row.mask_out is None
    assert "does not support masking and will therefore destroy the mask information" in row.warning


def test_merging_layers(table):
    for layer in ("Concatenate (both masked)", "Add (both masked)"):
        assert table[layer].verdict == "ORs the masks"
        np.testing.assert_array_equal(table[layer].mask_out, FIRST_MASK | SECOND_MASK)
    assert table["Concatenate (one unmasked)"].verdict == "marks all real"
    assert table["Add (one unmasked)"].verdict == "drops silently" and not table["Add (one unmasked)"].warning


def test_every_verdict_is_explained(table):
    assert {row.verdict for row in table.values()} <= set(VERDICTS)


def test_masked_inputs_carry_the_two_masks():
    first, second, plain = masked_inputs()
    np.testing.assert_array_equal(first._keras_mask, FIRST_MASK)
    np.testing.assert_array_equal(second._keras_mask, SECOND_MASK)
    assert getattr(plain, "_keras_mask", None) is None
    np.testing.assert_array_equal(keras.ops.convert_to_numpy(plain), keras.ops.convert_to_numpy(first))


def test_a_custom_case_and_a_changed_mask():
    def shift_mask(a, b, plain):
        return keras.layers.Lambda(lambda t: 1.0 * t, mask=lambda t, m: keras.ops.roll(m, 1, axis=1))(a)

    row = propagation_row("shifted", shift_mask)
    assert row.verdict == "changes"
    np.testing.assert_array_equal(row.mask_out, np.roll(FIRST_MASK, 1, axis=1))


def test_more_cases_run():
    rows = {row.layer: row.verdict for row in mask_propagation_table(more_cases())}
    assert rows["Permute"] == "destroys" and rows["Activation"] == "keeps"


def test_table_markdown_has_a_row_per_layer_and_escapes_pipes():
    row = PropagationRow("a|b", "destroys", (2, 5), None, "x | y")
    text = table_markdown([row, PropagationRow("Dense", "keeps", (2, 5, 3), FIRST_MASK, "")])
    lines = text.splitlines()
    assert len(lines) == 4 and lines[0].startswith("| layer |")
    assert "x \\| y" in lines[2] and "`11100 11110`" in lines[3]


def test_mask_text():
    assert mask_text(None) == "–"
    assert mask_text(SECOND_MASK) == "11000 11111"


def test_validation():
    with pytest.raises(TypeError, match=r"case: expected a function case\(first, second, plain\), got int"):
        propagation_row("x", 1)
    with pytest.raises(TypeError, match="case 'x': expected it to return a tensor, got str"):
        propagation_row("x", lambda a, b, plain: "no tensor")
    with pytest.raises(TypeError, match="cases: expected a dict of name -> case function, got list"):
        mask_propagation_table([lambda a, b, plain: a])
    with pytest.raises(TypeError, match="rows: expected PropagationRow items, got dict"):
        table_markdown([{}])
