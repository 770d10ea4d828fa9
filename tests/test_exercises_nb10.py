"""The self-checks of notebook 10: right answers pass, the usual wrong ones fail with a hint."""

import re

import numpy as np
import pytest

from rnn_course.audio import ctc_collapse as _collapse
from rnn_course.exercises import SelfCheckFailed, nb10

# --- Exercise 1: the collapse rule ------------------------------------------------------------


def _blanks_first(path, blank):
    kept = [c for c in path if c != blank]
    return [c for i, c in enumerate(kept) if i == 0 or c != kept[i - 1]]


def test_collapse_check_passes_a_right_answer(capsys):
    nb10.check_collapse(_collapse)
    assert capsys.readouterr().out == "PASS  Exercise 1 (the collapse rule): correct\n"


@pytest.mark.parametrize(
    "wrong, hint",
    [
        (_blanks_first, "removed the blanks first"),
        (lambda path, blank: [c for c in path if c != blank], "did not merge runs"),
        (
            lambda path, blank: [c for i, c in enumerate(path) if i == 0 or c != path[i - 1]],
            "kept the blanks",
        ),
        (lambda path, blank: _collapse(path, 0), "Use the blank you are given"),
        (lambda path, blank: None, "forget `return`"),
        (lambda path, blank: _collapse(path, blank)[::-1], "Walk along the path"),
        (lambda path, blank: "abc", "list of integer ids"),
    ],
)
def test_collapse_check_names_the_mistake(wrong, hint):
    with pytest.raises(SelfCheckFailed, match=re.escape(hint)):
        nb10.check_collapse(wrong)


def test_collapse_check_fails_an_unattempted_exercise_when_autograding(monkeypatch):
    monkeypatch.setenv("NBGRADER_EXECUTION", "autograde")

    with pytest.raises(SelfCheckFailed, match="not attempted"):
        nb10.check_collapse(_not_written)


# --- Exercise 2: edit distance ----------------------------------------------------------------


def _levenshtein(ref, hyp, sub=1):
    d = np.zeros((len(ref) + 1, len(hyp) + 1), dtype=int)
    d[:, 0], d[0, :] = range(len(ref) + 1), range(len(hyp) + 1)
    for i in range(1, len(ref) + 1):
        for j in range(1, len(hyp) + 1):
            d[i, j] = min(
                d[i - 1, j] + 1, d[i, j - 1] + 1, d[i - 1, j - 1] + sub * (ref[i - 1] != hyp[j - 1])
            )
    return int(d[-1, -1])


def _positionwise(ref, hyp):
    return sum(a != b for a, b in zip(ref, hyp, strict=False)) + abs(len(ref) - len(hyp))


def _bad_edges(ref, hyp):
    if not ref or not hyp:
        return 0
    return _levenshtein(ref, hyp)


def test_edit_distance_check_passes_a_right_answer(capsys):
    nb10.check_edit_distance(_levenshtein)
    assert capsys.readouterr().out == "PASS  Exercise 2 (the digit error rate): correct\n"


@pytest.mark.parametrize(
    "wrong, hint",
    [
        (_positionwise, "position by position"),
        (lambda r, h: _levenshtein(r, h, sub=2), "substitution costs 1"),
        (lambda r, h: abs(len(r) - len(h)), "Equal lengths"),
        (_bad_edges, "Check the edges"),
        (lambda r, h: None, "forget `return`"),
        (lambda r, h: _levenshtein(r, h) + (len(r) > 3), "Fill a table"),
    ],
)
def test_edit_distance_check_names_the_mistake(wrong, hint):
    with pytest.raises(SelfCheckFailed, match=re.escape(hint)):
        nb10.check_edit_distance(wrong)


# --- Exercise 3: per-utterance normalisation --------------------------------------------------


def _normalize(x, axis=0, eps=1e-5):
    return (x - x.mean(axis=axis, keepdims=True)) / np.sqrt(x.var(axis=axis, keepdims=True) + eps)


def _in_place(x):
    x -= x.mean(axis=0, keepdims=True)
    x /= np.sqrt(x.var(axis=0, keepdims=True) + 1e-5)
    return x


def test_normalize_check_passes_a_right_answer(capsys):
    nb10.check_normalize(_normalize)
    assert capsys.readouterr().out == "PASS  Exercise 3 (per-utterance normalisation): correct\n"


@pytest.mark.parametrize(
    "wrong, hint",
    [
        (lambda x: _normalize(x, axis=1), "each frame over its bands"),
        (lambda x: (x - x.mean()) / np.sqrt(x.var() + 1e-5), "one mean and variance"),
        (lambda x: x - x.mean(axis=0), "now divide"),
        (lambda x: x / np.sqrt(x.var(axis=0) + 1e-5), "Subtract each band's mean"),
        (lambda x: (x - x.mean(axis=0)) / x.std(axis=0), "NaN or inf"),
        (_in_place, "in place"),
        (lambda x: _normalize(x)[:, :-1], "expected the shape"),
        (lambda x: None, "forget `return`"),
        (lambda x: 2 * _normalize(x), "Each band (column)"),
    ],
)
def test_normalize_check_names_the_mistake(wrong, hint):
    with (
        np.errstate(divide="ignore", invalid="ignore"),
        pytest.raises(SelfCheckFailed, match=re.escape(hint)),
    ):
        nb10.check_normalize(wrong)


def _not_written(*args):
    raise NotImplementedError


@pytest.mark.parametrize(
    "check, number",
    [(nb10.check_collapse, 1), (nb10.check_edit_distance, 2), (nb10.check_normalize, 3)],
)
def test_checks_report_an_unattempted_exercise(check, number, capsys, monkeypatch):
    monkeypatch.delenv("NBGRADER_EXECUTION", raising=False)
    check(_not_written)
    assert capsys.readouterr().out.startswith(f"TODO  Exercise {number}")
