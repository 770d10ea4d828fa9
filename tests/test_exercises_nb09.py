"""The self-checks of notebook 09: right answers pass, the usual wrong ones fail with a hint."""

import math
import re

import numpy as np
import pytest

from rnn_course.exercises import SelfCheckFailed, nb09


def _attention(s_t, H, W_a, U_a, v_a, mask, *, tanh=True, mask_it=True, softmax=True):
    pre = s_t @ W_a + H @ U_a
    e = (np.tanh(pre) if tanh else pre) @ v_a
    if mask_it:
        e = np.where(mask, e, -np.inf)
    if softmax:
        alpha = np.exp(e - e.max())
        alpha = alpha / alpha.sum()
    else:
        alpha = e
    return alpha @ H, alpha


def test_attention_check_passes_a_right_answer(capsys):
    nb09.check_additive_attention(_attention)
    assert capsys.readouterr().out == (
        "PASS  Exercise 1 (additive attention for one step): correct\n"
    )


@pytest.mark.parametrize(
    "wrong, hint",
    [
        (lambda *a: _attention(*a, tanh=False), "There is no tanh"),
        (lambda *a: _attention(*a, mask_it=False), "must get exactly 0"),
        (lambda *a: _attention(*a, mask_it=False, softmax=False), "sum to"),
        (lambda *a: (a[1].sum(axis=0), _attention(*a)[1]), "alpha is right but context"),
        (lambda *a: (_attention(*a)[0], _attention(*a)[1][:3]), "one weight per source"),
        (lambda *a: _attention(*a)[1], "return two arrays"),
        (lambda *a: None, "forget `return`"),
        (lambda s, H, W_a, U_a, *a: _attention(s, H, U_a, W_a, *a), "shape mismatch"),
    ],
)
def test_attention_check_names_the_mistake(wrong, hint):
    with pytest.raises(SelfCheckFailed, match=re.escape(hint)):
        nb09.check_additive_attention(wrong)


def test_attention_check_reports_an_unattempted_exercise(capsys, monkeypatch):
    monkeypatch.delenv("NBGRADER_EXECUTION", raising=False)

    def not_written(*args):
        raise NotImplementedError

    nb09.check_additive_attention(not_written)
    assert capsys.readouterr().out.startswith("TODO  Exercise 1")


def test_attention_check_fails_an_unattempted_exercise_when_autograding(monkeypatch):
    monkeypatch.setenv("NBGRADER_EXECUTION", "autograde")

    def not_written(*args):
        raise NotImplementedError

    with pytest.raises(SelfCheckFailed, match="not attempted"):
        nb09.check_additive_attention(not_written)


def _beam_step(scores, log_probs, k, *, add=True, per_beam=False, ascending=False):
    total = (scores[:, None] if add else 0) + log_probs
    vocab = log_probs.shape[1]
    if per_beam:
        tokens = log_probs.argmax(axis=1)
        best = np.argsort(-total[np.arange(len(scores)), tokens])[:k]
        return best, tokens[best], total[best, tokens[best]]
    flat = np.argsort(-total.reshape(-1), kind="stable")[:k]
    if ascending:
        flat = flat[::-1]
    return flat // vocab, flat % vocab, total.reshape(-1)[flat]


def test_beam_check_passes_a_right_answer(capsys):
    nb09.check_beam_step(_beam_step)
    assert "PASS  Exercise 2" in capsys.readouterr().out


@pytest.mark.parametrize(
    "wrong, hint",
    [
        (lambda s, lp, k: _beam_step(s, lp, k, add=False), "leave out the beams' own scores"),
        (lambda s, lp, k: _beam_step(s, lp, k, per_beam=True), "from the same beam"),
        (lambda s, lp, k: _beam_step(s, lp, k, ascending=True), "best first"),
        (
            lambda s, lp, k: (lambda p, t, v: (t, p, v))(*_beam_step(s, lp, k)),
            "the beam is i // V",
        ),
        (lambda s, lp, k: _beam_step(s, lp, k)[:2], "three arrays"),
        (lambda s, lp, k: None, "forget `return`"),
    ],
)
def test_beam_check_names_the_mistake(wrong, hint):
    with pytest.raises(SelfCheckFailed, match=re.escape(hint)):
        nb09.check_beam_step(wrong)


def _bp(c, r):
    if c == 0:
        return 0.0
    return 1.0 if c > r else math.exp(1 - r / c)


def test_brevity_check_passes_a_right_answer(capsys):
    nb09.check_brevity_penalty(_bp)
    assert "PASS  Exercise 3" in capsys.readouterr().out


@pytest.mark.parametrize(
    "wrong, hint",
    [
        (lambda c, r: math.exp(1 - r / c) if c else 0.0, "not penalised"),
        (lambda c, r: 1.0 if c > r else math.exp(1 - c / r), "wrong way up"),
        (lambda c, r: 1.0 if c > r else math.exp(1 - r / c), "nothing to divide"),
        (lambda c, r: _bp(c, r) if c else 1.0, "the penalty is 0"),
        (lambda c, r: 1.0, "must be penalised"),
        (lambda c, r: None, "forget `return`"),
        (lambda c, r: 0.5, "BP = 1 if c > r"),
        (lambda c, r: [1.0], "must return a number"),
    ],
)
def test_brevity_check_names_the_mistake(wrong, hint):
    with pytest.raises(SelfCheckFailed, match=re.escape(hint)):
        nb09.check_brevity_penalty(wrong)
