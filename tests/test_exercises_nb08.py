"""The self-checks of notebook 08: right answers pass, the usual wrong ones fail with a hint."""

import numpy as np
import pytest

from rnn_course.exercises import SelfCheckFailed, nb08
from rnn_course.ner import entity_spans

# --- Exercise 1: token accuracy without the padding -------------------------------------------


def _accuracy(y_true, probabilities, mask):
    right = np.asarray(probabilities).argmax(-1) == np.asarray(y_true)
    return right[mask].mean()


def test_accuracy_check_passes_a_right_answer(capsys):
    nb08.check_masked_token_accuracy(_accuracy)
    assert capsys.readouterr().out.startswith("PASS  Exercise 1")


@pytest.mark.parametrize(
    "wrong, hint",
    [
        (lambda y, p, m: (p.argmax(-1) == y).mean(), "padding included"),
        (lambda y, p, m: ((p.argmax(-1) == y) & m).sum() / m.size, "divided by all positions"),
        (lambda y, p, m: ((p.argmax(-1) == y) & m).sum(), "a count of right tokens"),
        (lambda y, p, m: (p.argmax(0) == y[0])[m[0]].mean() if False else 0.123, "arg-max"),
        (lambda y, p, m: None, "forgot `return`"),
        (lambda y, p, m: "0.5", None),
    ],
)
def test_accuracy_check_names_the_mistake(wrong, hint):
    with pytest.raises(SelfCheckFailed, match="not right yet") as info:
        nb08.check_masked_token_accuracy(wrong)
    if hint:
        assert hint in str(info.value)


def test_accuracy_check_unattempted_prints_todo(capsys, monkeypatch):
    monkeypatch.delenv("NBGRADER_EXECUTION", raising=False)

    def unattempted(y_true, probabilities, mask):
        raise NotImplementedError

    nb08.check_masked_token_accuracy(unattempted)
    assert capsys.readouterr().out.startswith("TODO  Exercise 1")
    monkeypatch.setenv("NBGRADER_EXECUTION", "autograde")
    with pytest.raises(SelfCheckFailed, match="not attempted"):
        nb08.check_masked_token_accuracy(unattempted)


def test_accuracy_check_explains_a_crash():
    def crashes(y_true, probabilities, mask):
        return probabilities[mask.T]  # wrong shape: IndexError

    with pytest.raises(SelfCheckFailed, match="your function raised IndexError"):
        nb08.check_masked_token_accuracy(crashes)


# --- Exercise 2: entity-level precision, recall and F1 ----------------------------------------


def _entity_scores(gold, predicted, *, typed=True, swap=False):
    def spans(tags):
        return {s if typed else s[1:] for s in entity_spans(tags)}

    tp = n_pred = n_gold = 0
    for g, p in zip(gold, predicted, strict=True):
        tp += len(spans(g) & spans(p))
        n_pred += len(spans(p))
        n_gold += len(spans(g))
    precision = tp / n_pred if n_pred else 0.0
    recall = tp / n_gold if n_gold else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return (recall, precision, f1) if swap else (precision, recall, f1)


def _token_scores(gold, predicted):
    g = [t for s in gold for t in s]
    p = [t for s in predicted for t in s]
    tp = sum(a == b != "O" for a, b in zip(g, p, strict=True))
    precision = tp / max(1, sum(t != "O" for t in p))
    recall = tp / max(1, sum(t != "O" for t in g))
    return precision, recall, 2 * precision * recall / (precision + recall or 1)


def test_entity_check_passes_a_right_answer(capsys):
    nb08.check_entity_scores(_entity_scores)
    assert capsys.readouterr().out.startswith("PASS  Exercise 2")


@pytest.mark.parametrize(
    "wrong, hint",
    [
        (lambda g, p: _entity_scores(g, p, swap=True), "swapped"),
        (_token_scores, "token-level"),
        (lambda g, p: _entity_scores(g, p, typed=False), "wrong type"),
        (lambda g, p: None, "forget `return`"),
        (lambda g, p: (0.5, 0.5), "3 numbers"),
        (lambda g, p: "abc", "three numbers"),
        (lambda g, p: (1.0, 1.0, 1.0), "harmonic mean"),
    ],
)
def test_entity_check_names_the_mistake(wrong, hint):
    with pytest.raises(SelfCheckFailed, match="not right yet") as info:
        nb08.check_entity_scores(wrong)
    assert hint in str(info.value)


def test_entity_check_unattempted_prints_todo(capsys, monkeypatch):
    monkeypatch.delenv("NBGRADER_EXECUTION", raising=False)

    def unattempted(gold, predicted):
        raise NotImplementedError

    nb08.check_entity_scores(unattempted)
    assert capsys.readouterr().out.startswith("TODO  Exercise 2")
