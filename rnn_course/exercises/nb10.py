"""Self-checks for notebook 10, speech recognition with CTC.

Each check judges the student's function by Keras itself (``keras.ops.ctc_decode`` for the
collapse rule) or by the definition (edit distances whose answer is known; per-band mean and
variance). When an answer is wrong, the check tries the usual slips on it (blanks removed before
merging, a position-by-position count, statistics over the wrong axis, ...) and names the one
that explains it.
"""

from __future__ import annotations

from collections.abc import Callable

import keras
import numpy as np

from rnn_course.audio import edit_distance as _reference_distance
from rnn_course.exercises import self_check

# --- Exercise 1: the collapse rule ------------------------------------------------------------

_PATHS = [
    [3, 3, 0, 3, 5, 5, 0, 0],
    [0, 0, 0, 0],
    [1, 2, 2, 2, 1, 1],
    [0, 7, 0, 7, 7, 0],
    [4],
    [2, 0, 0, 2, 2, 0, 9],
]


def _keras_collapse(path: list[int], blank: int, classes: int = 10) -> list[int]:
    """What keras.ops.ctc_decode (greedy) makes of one path: logits peaked on its classes."""
    logits = np.where(np.eye(classes, dtype=bool)[np.asarray(path)], 5.0, 0.0)[None]
    decoded, _ = keras.ops.ctc_decode(
        logits.astype("float32"), np.array([len(path)]), strategy="greedy", mask_index=blank
    )
    row = keras.ops.convert_to_numpy(decoded)[0, 0]
    return [int(v) for v in row[row >= 0]]


def _as_list(result, name: str) -> list[int]:
    assert result is not None, f"{name} returned None: did you forget `return`?"
    try:
        return [int(v) for v in result]
    except (TypeError, ValueError):
        raise AssertionError(
            f"{name} must return a list of integer ids, got {type(result).__name__} {result!r}"
        ) from None


def check_collapse(collapse: Callable) -> None:
    """Exercise 1: ``collapse(path, blank)``: merge runs of a class, then drop the blanks."""

    def check():
        cases = [(p, 0) for p in _PATHS] + [([9 if c == 0 else c for c in p], 9) for p in _PATHS]
        for path, blank in cases:
            result = _as_list(collapse(list(path), blank), "collapse")
            expected = _keras_collapse(path, blank)
            if result != expected:
                raise AssertionError(
                    f"collapse({path}, blank={blank}) gave {result}; keras.ops.ctc_decode gives "
                    f"{expected}. {_diagnose_collapse(path, blank, result)}"
                )

    self_check("Exercise 1 (the collapse rule)", check)


def _diagnose_collapse(path, blank, result) -> str:
    no_blanks = [c for c in path if c != blank]
    merged_after = [c for i, c in enumerate(no_blanks) if i == 0 or c != no_blanks[i - 1]]
    if result == merged_after:
        return (
            "You removed the blanks first and merged repeats after: then the blank between two "
            "equal labels no longer keeps them apart. Merge runs first, then drop the blanks."
        )
    if result == no_blanks:
        return "You dropped the blanks but did not merge runs of the same class into one."
    merged = [c for i, c in enumerate(path) if i == 0 or c != path[i - 1]]
    if blank != 0 and result == [c for c in merged if c != 0]:
        return f"Use the blank you are given (here {blank}), not 0."
    if result == merged:
        return "You merged the runs but kept the blanks: drop every blank after merging."
    return (
        "Walk along the path: keep a class when it differs from the previous one and is not "
        "the blank."
    )


# --- Exercise 2: edit distance ----------------------------------------------------------------

_KNOWN = [
    ([1, 2, 3], [1, 2, 3], 0),
    ([1, 2, 3], [1, 3], 1),
    ([1, 2, 3], [1, 2, 4, 3], 1),
    ([1, 2, 3, 4], [2, 3, 4, 1], 2),
    ([], [4, 5], 2),
    ([4, 5], [], 2),
    ([5, 5, 5], [5, 5], 1),
    ([1, 2, 3], [3, 2, 1], 2),
    ([7, 1, 7, 1], [1, 7, 1, 7], 2),
]


def check_edit_distance(edit_distance: Callable) -> None:
    """Exercise 2: ``edit_distance(reference, hypothesis)``, the Levenshtein distance."""

    def check():
        rng = np.random.default_rng(10)
        randoms = []
        for _ in range(40):
            a = rng.integers(0, 4, size=rng.integers(0, 7)).tolist()
            b = rng.integers(0, 4, size=rng.integers(0, 7)).tolist()
            randoms.append((a, b, _reference_distance(a, b)))
        for ref, hyp, expected in _KNOWN + randoms:
            result = edit_distance(list(ref), list(hyp))
            assert result is not None, "edit_distance returned None: did you forget `return`?"
            if result != expected:
                raise AssertionError(
                    f"edit_distance({ref}, {hyp}) gave {result}, expected {expected}. "
                    f"{_diagnose_distance(edit_distance)}"
                )

    self_check("Exercise 2 (the digit error rate)", check)


def _diagnose_distance(edit_distance) -> str:
    def gives(ref, hyp, value) -> bool:
        try:
            return edit_distance(ref, hyp) == value
        except Exception:
            return False

    if gives([1, 2, 3], [2, 3], 3) or gives([1, 2, 3, 4], [2, 3, 4, 1], 4):
        return (
            "It looks like you compared position by position: a deleted digit shifts all that "
            "follow it, which costs one deletion, not a mismatch at every later position."
        )
    if gives([1, 2, 3], [1, 4, 3], 2) or gives([1, 2, 3], [3, 2, 1], 4):
        return (
            "A substitution costs 1, not 2 (a deletion plus an insertion): take the minimum of "
            "d[i-1][j] + 1, d[i][j-1] + 1 and d[i-1][j-1] + (r_i != h_j)."
        )
    if gives([1, 2, 3], [3, 2, 1], 0):
        return (
            "Equal lengths do not mean equal strings: count the edits, not the length difference."
        )
    if not gives([], [4, 5], 2) or not gives([4, 5], [], 2):
        return (
            "Check the edges: the distance from an empty string is the other string's length "
            "(d[i][0] = i, d[0][j] = j)."
        )
    return (
        "Fill a table d[i][j] = distance between the first i reference digits and the first j "
        "recognised ones, row by row."
    )


# --- Exercise 3: per-utterance normalisation --------------------------------------------------


def check_normalize(normalize: Callable) -> None:
    """Exercise 3: ``normalize(features)``: each band to mean 0, variance 1 over the frames."""

    def check():
        rng = np.random.default_rng(3)
        x = rng.normal(loc=rng.uniform(-60, 0, 6), scale=rng.uniform(1, 10, 6), size=(30, 6))
        x[:, 2] = -42.0  # a band that never changes
        original = x.copy()
        result = normalize(x)
        assert result is not None, "normalize returned None: did you forget `return`?"
        y = np.asarray(result, dtype="float64")
        if not np.array_equal(x, original):
            raise AssertionError("normalize changed its input in place: return a new array.")
        if y.shape != x.shape:
            raise AssertionError(
                f"expected the shape of the input, (frames, bins) = {x.shape}, got {y.shape}."
            )
        if not np.all(np.isfinite(y)):
            raise AssertionError(
                "the result holds NaN or inf: a band that never changes has variance 0; divide "
                "by sqrt(variance + 1e-5), not by the standard deviation alone."
            )
        mean = x.mean(axis=0, keepdims=True)
        expected = (x - mean) / np.sqrt(x.var(axis=0, keepdims=True) + 1e-5)
        if np.max(np.abs(y - expected)) < 1e-4:
            return
        hint = "Each band (column) needs mean 0 and variance 1 over the frames (axis 0)."
        per_frame = (x - x.mean(axis=1, keepdims=True)) / np.sqrt(
            x.var(axis=1, keepdims=True) + 1e-5
        )
        overall = (x - x.mean()) / np.sqrt(x.var() + 1e-5)
        if np.max(np.abs(y - per_frame)) < 1e-4:
            hint = (
                "You normalised each frame over its bands (axis 1): take the statistics of each "
                "band over time, axis 0."
            )
        elif np.max(np.abs(y - overall)) < 1e-4:
            hint = (
                "You used one mean and variance for the whole array: each band gets its own, "
                "over the frames (axis 0, keepdims=True)."
            )
        elif np.max(np.abs(y - (x - mean))) < 1e-4:
            hint = "You subtracted the mean; now divide by sqrt(variance + 1e-5) too."
        elif np.max(np.abs(y - x / np.sqrt(x.var(axis=0, keepdims=True) + 1e-5))) < 1e-4:
            hint = "Subtract each band's mean before dividing."
        raise AssertionError(
            f"max |difference| from the expected features is "
            f"{np.max(np.abs(y - expected)):.3g}. {hint}"
        )

    self_check("Exercise 3 (per-utterance normalisation)", check)
