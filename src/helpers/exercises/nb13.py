"""Checkers for notebook 13 (sequence labelling and attention): a masked accuracy, and an attention mask."""

from __future__ import annotations

import numpy as np

from helpers.exercises import exercise

NO_ANSWER = "no answer yet: your function returns None; replace the `...` with your code."

# --- 13.1 masked_accuracy(tags, probabilities) ----------------------------------------------------------

# Tags 1..4, 0 at the padded steps: at the end, in front, a row that is all padding, and no padding.
_TAGS = np.array([[1, 2, 3, 4, 0, 0], [0, 0, 2, 2, 1, 3], [0, 0, 0, 0, 0, 0], [4, 3, 2, 1, 1, 2],
                  [2, 1, 0, 0, 0, 0]])
_RNG = np.random.default_rng(13)
_PROBABILITIES = _RNG.dirichlet(np.ones(5), size=_TAGS.shape)  # (batch, time, 5 classes)
_PROBABILITIES[_TAGS == 0, 0] += 2.0  # the model predicts the pad tag at most pads ...
_PROBABILITIES[0, 1, 0] += 3.0  # ... and once at a real step (a wrong tag there)
_PROBABILITIES[1, 0, 0] = 0.0  # ... and not at one pad
_PROBABILITIES /= _PROBABILITIES.sum(axis=-1, keepdims=True)


def _scalar(value) -> float:
    array = np.asarray(value, dtype=float)
    if array.size != 1:
        raise ValueError(f"expected one number for the whole batch, got an array of shape {array.shape}")
    return float(array.reshape(()))


def _right(tags, probabilities):
    return np.asarray(probabilities).argmax(axis=-1) == np.asarray(tags)


def _accuracy_over_all_steps(tags, probabilities):
    return _right(tags, probabilities).mean()


def _accuracy_real_over_all_steps(tags, probabilities):
    return (_right(tags, probabilities) & (np.asarray(tags) != 0)).sum() / np.asarray(tags).size


def _accuracy_mask_from_predictions(tags, probabilities):
    keep = np.asarray(probabilities).argmax(axis=-1) != 0
    return _right(tags, probabilities)[keep].mean()


def _accuracy_per_sentence_first(tags, probabilities):
    real = np.asarray(tags) != 0
    right = _right(tags, probabilities)
    return np.mean([row[keep].mean() for row, keep in zip(right, real, strict=True) if keep.any()])


@exercise("13.1", "Masked accuracy", answer_name="masked_accuracy",
          wrong_answers=(_accuracy_over_all_steps, _accuracy_real_over_all_steps,
                         _accuracy_mask_from_predictions, _accuracy_per_sentence_first))
def _check_masked_accuracy(masked_accuracy) -> str | None:
    if not callable(masked_accuracy):
        return "expected a function masked_accuracy(tags, probabilities)."
    result = masked_accuracy(_TAGS.copy(), _PROBABILITIES.copy())
    if result is None:
        return NO_ANSWER
    got = _scalar(result)
    real = _TAGS != 0
    if np.isclose(got, _right(_TAGS, _PROBABILITIES)[real].mean()):
        return None
    if np.isclose(got, _accuracy_over_all_steps(_TAGS, _PROBABILITIES)):
        return "the padded steps still count: where the model predicts tag 0 at a pad, you score it as right."
    if np.isclose(got, _accuracy_real_over_all_steps(_TAGS, _PROBABILITIES)):
        return "you count the right real steps, but divide by every step of the batch, pads included."
    if np.isclose(got, _accuracy_mask_from_predictions(_TAGS, _PROBABILITIES)):
        return ("you take the mask from the predictions; take it from the targets. A real step where the "
                "model wrongly predicts tag 0 must count as wrong.")
    if np.isclose(got, _accuracy_per_sentence_first(_TAGS, _PROBABILITIES)):
        return ("you average each sentence first, so a short sentence weighs as much as a long one. Count "
                "the right real steps of the whole batch and divide once.")
    return ("not the accuracy over the real steps. The real steps are where tags != 0; the prediction is "
            "the argmax.")


# --- 13.2 attention_mask(query_mask, value_mask) ----------------------------------------------------------

_QUERY_MASK = np.array([[1, 1, 1, 0], [1, 1, 0, 0], [0, 0, 0, 0]], bool)  # 4 query steps, one empty row
_VALUE_MASK = np.array([[1, 1, 0, 0, 0, 0], [1, 1, 1, 1, 1, 0], [1, 0, 0, 0, 0, 0]], bool)  # 6 value steps


def _keys_only(query_mask, value_mask):
    return np.broadcast_to(np.asarray(value_mask)[:, None, :],
                           (len(query_mask), np.shape(query_mask)[1], np.shape(value_mask)[1]))


def _swapped(query_mask, value_mask):
    return np.asarray(value_mask)[:, :, None] & np.asarray(query_mask)[:, None, :]


def _either(query_mask, value_mask):
    return np.asarray(query_mask)[:, :, None] | np.asarray(value_mask)[:, None, :]


def _queries_only(query_mask, value_mask):
    return np.broadcast_to(np.asarray(query_mask)[:, :, None],
                           (len(query_mask), np.shape(query_mask)[1], np.shape(value_mask)[1]))


@exercise("13.2", "The attention mask for two sentences", answer_name="attention_mask",
          wrong_answers=(_keys_only, _swapped, _either, _queries_only))
def _check_attention_mask(attention_mask) -> str | None:
    if not callable(attention_mask):
        return "expected a function attention_mask(query_mask, value_mask)."
    result = attention_mask(_QUERY_MASK.copy(), _VALUE_MASK.copy())
    if result is None:
        return NO_ANSWER
    got = np.asarray(result)
    expected = _QUERY_MASK[:, :, None] & _VALUE_MASK[:, None, :]
    if got.shape == (3, 6, 4):
        return "the axes are swapped: the mask has one row per query step and one column per value step."
    if got.shape != expected.shape:
        return f"expected shape (batch, query steps, value steps) = {expected.shape}, got {got.shape}."
    got = got.astype(bool)
    if np.array_equal(got, expected):
        return None
    if np.array_equal(got, _keys_only(_QUERY_MASK, _VALUE_MASK)):
        return "this masks the padded keys only; the propagated query mask also hides the padded queries."
    if np.array_equal(got, _queries_only(_QUERY_MASK, _VALUE_MASK)):
        return "this masks the padded queries only; a real query must not look at a padded value step either."
    if np.array_equal(got, _either(_QUERY_MASK, _VALUE_MASK)):
        return "a query may look at a value step only if both are real: combine the two masks with 'and'."
    return ("not the mask MultiHeadAttention builds. Entry [b, i, j] is True when query step i and value "
            "step j are real.")
