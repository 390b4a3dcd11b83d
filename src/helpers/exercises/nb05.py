"""Checkers for notebook 05 · Each direction under a mask: final steps, pads read last."""

from __future__ import annotations

import numpy as np

from helpers.exercises import exercise

NO_ANSWER = "no answer yet: your function returns None; replace the `...` with your code."

# Masks of 9 steps covering post, pre, both, a hole in the middle, holes everywhere and no padding.
MASKS = tuple(np.array(row, dtype=bool) for row in (
    [1, 1, 1, 1, 1, 1, 0, 0, 0],
    [0, 0, 0, 1, 1, 1, 1, 1, 1],
    [0, 0, 1, 1, 1, 1, 1, 0, 0],
    [1, 1, 1, 0, 0, 0, 1, 1, 1],
    [0, 1, 0, 1, 1, 0, 1, 0, 0],
    [1, 1, 1, 1, 1, 1, 1, 1, 1],
    [0, 0, 0, 0, 1, 0, 0, 0, 0],
))


def describe_case(mask: np.ndarray) -> str:
    """How a hint names the mask it failed on (notebook 06's checkers use it too)."""
    return f"for the mask {mask.astype(int).tolist()}"


def _pair(got) -> tuple | None:
    """``got`` as a pair of plain ints, or None if it is not a pair of integers."""
    if not isinstance(got, tuple | list) or len(got) != 2:
        return None
    if not all(isinstance(v, int | np.integer) and not isinstance(v, bool) for v in got):
        return None
    return int(got[0]), int(got[1])


def _first_wrong_pair(answer, expected_for, form: str):
    """Run ``answer`` on every mask. Returns None if all its pairs are right, a message if it gives no
    answer or no pair, else ``(mask, pair, expected)`` for the first mask it gets wrong."""
    for mask in MASKS:
        got = answer(mask.copy())
        if got is None:
            return NO_ANSWER
        pair = _pair(got)
        if pair is None:
            return f"return a pair of ints {form}; got {got!r}."
        expected = expected_for(mask)
        if pair != expected:
            return mask, pair, expected
    return None


# --- 05.1 final_steps(mask) -> (forward_step, backward_step) ----------------------------------------

def _steps_expected(mask):
    valid = np.flatnonzero(mask)
    return int(valid[-1]), int(valid[0])


def _steps_ignore_mask(mask):
    return len(mask) - 1, 0


def _steps_both_last_valid(mask):
    last = int(np.flatnonzero(mask)[-1])
    return last, last


def _steps_swapped(mask):
    valid = np.flatnonzero(mask)
    return int(valid[0]), int(valid[-1])


def _steps_from_length(mask):
    return int(np.sum(mask)) - 1, 0


@exercise("05.1", "Which steps produce the final states?", "final_steps",
          wrong_answers=(_steps_ignore_mask, _steps_both_last_valid, _steps_swapped, _steps_from_length))
def _check_final_steps(final_steps):
    wrong = _first_wrong_pair(final_steps, _steps_expected, "(forward_step, backward_step)")
    if not isinstance(wrong, tuple):
        return wrong
    mask, pair, expected = wrong
    where = describe_case(mask)
    forward, backward = pair
    if pair == expected[::-1]:
        return (f"{where} you swapped the directions: the forward direction finishes where it stops "
                "reading real steps, the backward one where it stops reading them going right to left.")
    if forward == int(mask.sum()) - 1 and forward != expected[0]:
        return (f"{where} the forward step is wrong: counting the real steps finds the last real step "
                "only when all the padding is at the end.")
    if not mask[forward] or not mask[backward]:
        return (f"{where} you point at a padded step. With a mask the state is carried through padded "
                "steps, so the final state was produced at a real step.")
    if forward != expected[0]:
        return (f"{where} the forward step is wrong. It reads left to right: which real step does it "
                "read last?")
    return (f"{where} the backward step is wrong. It starts at the last real step and reads right to "
            "left: which real step does it read last?")


# --- 05.2 pads_read_last(mask) -> (forward_pads, backward_pads) -------------------------------------

def _pads_expected(mask):
    valid = np.flatnonzero(mask)
    if valid.size == 0:
        return len(mask), len(mask)
    return len(mask) - 1 - int(valid[-1]), int(valid[0])


def _pads_swapped(mask):
    return _pads_expected(mask)[::-1]


def _pads_all(mask):
    pads = int(np.sum(~np.asarray(mask)))
    return pads, pads


def _pads_post_only(mask):
    return int(np.sum(~np.asarray(mask))), 0


@exercise("05.2", "Which direction reads padding last?", "pads_read_last",
          wrong_answers=(_pads_swapped, _pads_all, _pads_post_only))
def _check_pads_read_last(pads_read_last):
    wrong = _first_wrong_pair(pads_read_last, _pads_expected, "(forward_pads, backward_pads)")
    if not isinstance(wrong, tuple):
        return wrong
    mask, pair, expected = wrong
    where = describe_case(mask)
    if pair == expected[::-1]:
        return (f"{where} you swapped the directions: the forward direction reads the end of the "
                "sequence last, the backward direction the beginning.")
    if sum(pair) > sum(expected) or pair[0] == pair[1] == int((~mask).sum()):
        return (f"{where} you count too many pads: a pad that is followed (in reading order) by a real "
                "step is not read last. Count only the pads after the last real step read.")
    return (f"{where} count, for each direction, the padded steps it reads after its last real step: "
            "the trailing pads for the forward direction, the leading pads for the backward one.")
