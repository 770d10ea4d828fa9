"""The self-checks of notebook 06: right answers pass, the usual wrong ones fail with a hint."""

import math
import re

import keras
import numpy as np
import pytest

from rnn_course.exercises import SelfCheckFailed, nb06


@pytest.fixture(autouse=True)
def _not_autograding(monkeypatch):
    monkeypatch.delenv("NBGRADER_EXECUTION", raising=False)


def _not_written(*args):
    raise NotImplementedError


# --- Exercise 1: greedy generation with a carried state --------------------------------------


def _greedy(generator, prompt_ids, n):
    logits, states = generator.step(prompt_ids)
    tokens = []
    for _ in range(n):
        tokens.append(int(np.argmax(logits)))
        if len(tokens) < n:
            logits, states = generator.step(np.array(tokens[-1:]), states)
    return np.array(tokens)


def _greedy_char_by_char(generator, prompt_ids, n):
    states = None
    for token in prompt_ids:  # the prompt one token at a time: slower, still right
        logits, states = generator.step(np.array([token]), states)
    tokens = []
    for _ in range(n):
        tokens.append(int(np.argmax(logits)))
        logits, states = generator.step(np.array(tokens[-1:]), states)
    return tokens


def _greedy_rereading(generator, prompt_ids, n):
    text = list(prompt_ids)
    for _ in range(n):
        logits, _ = generator.step(np.array(text))  # the whole text again: right, but slow
        text.append(int(np.argmax(logits)))
    return np.array(text[len(prompt_ids) :])


def _greedy_stateless(generator, prompt_ids, n):
    logits, _ = generator.step(prompt_ids)
    tokens = []
    for _ in range(n):
        tokens.append(int(np.argmax(logits)))
        logits, _ = generator.step(np.array(tokens[-1:]))  # forgets the text before
    return np.array(tokens)


@pytest.mark.parametrize("right", [_greedy, _greedy_char_by_char])
def test_greedy_check_passes_right_answers(right, capsys):
    nb06.check_greedy_continuation(right)
    out = capsys.readouterr().out
    assert out == "PASS  Exercise 1 (greedy generation with a carried state): correct\n"


@pytest.mark.parametrize(
    "wrong, hint",
    [
        (_greedy_rereading, "you re-read the text so far at every step"),
        (_greedy_stateless, "you never passed states to generator.step"),
        (lambda g, p, n: np.concatenate([p, _greedy(g, p, n)]), "starts with the prompt"),
        (lambda g, p, n: _greedy(g, p, n)[:-1], "new tokens, got"),
        (lambda g, p, n: None, "forget `return`"),
        (lambda g, p, n: _greedy(g, p, n).astype(float), "1-D array of integers"),
        (lambda g, p, n: _greedy(g, p[:-1] if len(p) > 1 else p, n), "read 4 of the prompt's 5"),
        (lambda g, p, n: g.generate(p, n, temperature=0), "use generator.step(ids, states)"),
        (lambda g, p, n: g.step(p, [np.zeros(3)]), "the states it returned last time"),
    ],
)
def test_greedy_check_names_the_mistake(wrong, hint):
    with pytest.raises(SelfCheckFailed, match=re.escape(hint)):
        nb06.check_greedy_continuation(wrong)


def test_greedy_check_reports_an_unattempted_exercise(capsys):
    nb06.check_greedy_continuation(_not_written)
    assert capsys.readouterr().out.startswith("TODO  Exercise 1")


def test_an_unattempted_exercise_fails_while_autograding(monkeypatch):
    monkeypatch.setenv("NBGRADER_EXECUTION", "autograde")
    with pytest.raises(SelfCheckFailed, match="not attempted"):
        nb06.check_greedy_continuation(_not_written)


# --- Exercise 2: the top-p filter -------------------------------------------------------------


def _top_p(logits, p, *, inclusive=True, fill=-np.inf, in_place=False, ascending=False):
    z = logits if in_place else np.array(logits, dtype="float64")
    prob = np.exp(z - z.max())
    prob /= prob.sum()
    order = np.argsort(prob if ascending else -prob)
    before = np.cumsum(prob[order]) - prob[order]  # mass of the tokens ranked above each one
    keep = before < p if inclusive else np.cumsum(prob[order]) < p
    keep[0] = keep[0] or not ascending
    removed = order[~keep]
    z[removed] = fill
    return z


def test_top_p_check_passes_a_right_answer(capsys):
    nb06.check_top_p_filter(_top_p)
    assert capsys.readouterr().out == (
        "PASS  Exercise 2 (nucleus sampling: the top-p filter): correct\n"
    )


def _one_too_many(logits, p):
    z = np.array(logits, dtype="float64")
    prob = np.exp(z - z.max())
    prob /= prob.sum()
    order = np.argsort(-prob)
    keep = np.cumsum(prob[order]) - prob[order] <= p + 0.02  # keeps the token after the crossing
    z[order[~keep]] = -np.inf
    return z


@pytest.mark.parametrize(
    "wrong, hint",
    [
        (lambda z, p: _top_p(z, p, inclusive=False), "including the token that crosses p"),
        (_one_too_many, "one token too many"),
        (lambda z, p: _top_p(z, p, fill=0.0), "removed tokens got 0"),
        (lambda z, p: _top_p(z, p, fill=np.inf), "not +inf"),
        (lambda z, p: _top_p(z, p, fill=np.nan), "contain NaN"),
        (lambda z, p: _top_p(z, p, in_place=True), "work on a copy"),
        (lambda z, p: _top_p(z, p, ascending=True), "the *most* probable"),
        (lambda z, p: np.full_like(z, -np.inf), "removed every token"),
        (lambda z, p: _top_p(z, p)[:-1], "of the same shape"),
        (lambda z, p: None, "forget `return`"),
        (lambda z, p: np.where(_top_p(z, p) > -np.inf, 2 * z, -np.inf), "logit changed from"),
    ],
)
def test_top_p_check_names_the_mistake(wrong, hint):
    with pytest.raises(SelfCheckFailed, match=re.escape(hint)):
        nb06.check_top_p_filter(wrong)


def test_top_p_check_reports_an_unattempted_exercise(capsys):
    nb06.check_top_p_filter(_not_written)
    assert capsys.readouterr().out.startswith("TODO  Exercise 2")


# --- Exercise 3: the log-probability of a continuation ----------------------------------------


def _log_prob(model, prompt_ids, continuation_ids, *, reduce=np.sum, shift=0, base=math.e):
    text = np.concatenate([prompt_ids, continuation_ids])
    logits = keras.ops.convert_to_numpy(model(text[None, :-1]))[0].astype("float64")
    log_p = logits - logits.max(-1, keepdims=True)
    log_p -= np.log(np.exp(log_p).sum(-1, keepdims=True))
    scored = log_p[np.arange(len(text) - 1), text[1:]]
    k = len(continuation_ids)
    part = scored[len(scored) - k - shift : len(scored) - shift]
    return float(reduce(part)) / math.log(base)


def test_score_check_passes_a_right_answer(capsys):
    nb06.check_continuation_log_prob(_log_prob)
    assert capsys.readouterr().out == (
        "PASS  Exercise 3 (the log-probability of a continuation): correct\n"
    )


@pytest.mark.parametrize(
    "wrong, hint",
    [
        (lambda m, p, c: -_log_prob(m, p, c), "sign is flipped"),
        (lambda m, p, c: _log_prob(m, p, c, reduce=np.mean), "the mean over the continuation"),
        (lambda m, p, c: _log_prob(m, p, c, base=2), "in bits"),
        (lambda m, p, c: _log_prob(m, p[:1], np.concatenate([p[1:], c])), "prompt's own tokens"),
        (lambda m, p, c: _log_prob(m, p, c, shift=1), "Off by one"),
        (lambda m, p, c: _log_prob(m, p, c) + 1.0, "add up those of the continuation's"),
        (lambda m, p, c: np.ones(3), "return one number"),
        (lambda m, p, c: m(c), "call it on ids[None]"),
    ],
)
def test_score_check_names_the_mistake(wrong, hint):
    with pytest.raises(SelfCheckFailed, match=re.escape(hint)):
        nb06.check_continuation_log_prob(wrong)


def test_score_check_reports_an_unattempted_exercise(capsys):
    nb06.check_continuation_log_prob(_not_written)
    assert capsys.readouterr().out.startswith("TODO  Exercise 3")
