"""The self-checks of notebook 05: right answers pass, the usual wrong ones fail with a hint."""

import re

import numpy as np
import pytest

from rnn_course.exercises import SelfCheckFailed, nb05


def _final_states(y_seq, lengths, n, *, forward_at=None, backward_at=None, swap=False):
    rows = np.arange(len(lengths))
    forward = y_seq[rows, lengths - 1 if forward_at is None else forward_at, :n]
    backward = y_seq[rows, 0 if backward_at is None else backward_at, n:]
    return np.concatenate([backward, forward] if swap else [forward, backward], axis=1)


def test_the_keras_reference_reads_forward_at_the_last_real_token_backward_at_0():
    y_seq, lengths, expected = nb05._bidirectional_case()
    n = nb05._UNITS
    assert y_seq.shape == (len(lengths), nb05._T, 2 * n) and expected.shape == (len(lengths), 2 * n)
    assert lengths.max() == nb05._T and lengths.min() == 1
    rows = np.arange(len(lengths))
    np.testing.assert_allclose(expected[:, :n], y_seq[rows, lengths - 1, :n], atol=1e-6)
    np.testing.assert_allclose(expected[:, n:], y_seq[:, 0, n:], atol=1e-6)
    # the slips really differ from the answer
    assert np.abs(y_seq[:, -1, :n] - expected[:, :n]).max() > 1e-3
    assert np.abs(y_seq[rows, lengths - 1, n:] - expected[:, n:]).max() > 1e-3


def test_final_states_check_passes_a_right_answer(capsys):
    nb05.check_bidirectional_final_states(_final_states)
    out = capsys.readouterr().out
    assert out == "PASS  Exercise 1 (the final states of a bidirectional LSTM): correct\n"


def _at_end(y, lengths, n):
    return _final_states(y, lengths, n, forward_at=-1)


@pytest.mark.parametrize(
    "wrong, hint",
    [
        (lambda y, lengths, n: None, "forget `return`"),
        (_at_end, "last real token is at lengths[b] - 1, not at T - 1"),
        (lambda y, lengths, n: _final_states(y, lengths, n, backward_at=lengths - 1), "position 0"),
        (lambda y, lengths, n: _final_states(y, lengths, n, backward_at=-1), "after reading x_1"),
        (lambda y, lengths, n: _final_states(y, lengths, n, swap=True), "halves are swapped"),
        (lambda y, lengths, n: y[:, -1], "y_seq[:, -1] is the last position of both"),
        (lambda y, lengths, n: y[:, -1, :n], "one direction only"),
        (lambda y, lengths, n: np.stack([y[:, -1, :n], y[:, 0, n:]]), "along axis 1"),
        (lambda y, lengths, n: y, "That is every step"),
        (lambda y, lengths, n: _final_states(y, lengths, n, forward_at=lengths), "lengths[b] - 1"),
        (lambda y, lengths, n: _final_states(y, lengths, n, forward_at=0), "Forward half: take"),
    ],
)
def test_final_states_check_names_the_mistake(wrong, hint):
    with pytest.raises(SelfCheckFailed, match=re.escape(hint)):
        nb05.check_bidirectional_final_states(wrong)


def _layer_norm(a, gamma, beta, epsilon=1e-3, *, axis=-1, ddof=0, outside=False, fixed=None):
    eps = epsilon if fixed is None else fixed
    mean = a.mean(axis=axis, keepdims=True)
    std = a.std(axis=axis, ddof=ddof, keepdims=True)
    scale = std + eps if outside else np.sqrt(std**2 + eps)
    return (a - mean) / scale * gamma + beta


def test_layer_norm_check_passes_a_right_answer(capsys):
    nb05.check_layer_norm(_layer_norm)
    assert capsys.readouterr().out == "PASS  Exercise 2 (layer normalisation): correct\n"


def _in_place(a, gamma, beta, epsilon=1e-3):
    a -= a.mean(axis=-1, keepdims=True)
    a /= np.sqrt(a.var(axis=-1, keepdims=True) + epsilon)
    return a * gamma + beta


def _renamed(a, gamma, beta, eps=1e-3):
    return _layer_norm(a, gamma, beta, eps)


def _no_keepdims(a, gamma, beta, epsilon=1e-3):
    return (a - a.mean(axis=-1)) / np.sqrt(a.var(axis=-1) + epsilon) * gamma + beta


@pytest.mark.parametrize(
    "wrong, hint",
    [
        (lambda a, g, b, epsilon=1e-3: _layer_norm(a, g, b, epsilon, axis=0), "over the batch"),
        (lambda a, g, b, epsilon=1e-3: _layer_norm(a, g, b, epsilon, ddof=1), "unbiased variance"),
        (lambda a, g, b, epsilon=1e-3: _layer_norm(a, g, b, epsilon, outside=True), "inside the"),
        (lambda a, g, b, epsilon=1e-3: _layer_norm(a, 1.0, 0.0, epsilon), "now scale by gamma"),
        (lambda a, g, b, epsilon=1e-3: _layer_norm(a, b, g, epsilon), "gamma and beta are swapped"),
        (lambda a, g, b, epsilon=1e-3: _layer_norm(a, g, b, fixed=0.001), "use the epsilon"),
        (lambda a, g, b, epsilon=1e-3: None, "forget `return`"),
        (lambda a, g, b, epsilon=1e-3: _layer_norm(a, g, b, epsilon)[0], "keeps the shape of a"),
        (lambda a, g, b, epsilon=1e-3: _layer_norm(a, g, 0 * b, epsilon), "Per row: subtract"),
        (_in_place, "changed its input a"),
        (_renamed, "keep the signature layer_norm(a, gamma, beta, epsilon=1e-3)"),
        (_no_keepdims, "keepdims=True"),
    ],
)
def test_layer_norm_check_names_the_mistake(wrong, hint):
    with pytest.raises(SelfCheckFailed, match=re.escape(hint)):
        nb05.check_layer_norm(wrong)


@pytest.mark.parametrize(
    "check, title",
    [
        (nb05.check_bidirectional_final_states, "Exercise 1"),
        (nb05.check_layer_norm, "Exercise 2"),
    ],
)
def test_checks_report_an_unattempted_exercise(check, title, capsys, monkeypatch):
    def not_written(*args, **kwargs):
        raise NotImplementedError

    monkeypatch.delenv("NBGRADER_EXECUTION", raising=False)
    check(not_written)
    assert capsys.readouterr().out.startswith(f"TODO  {title}")
    monkeypatch.setenv("NBGRADER_EXECUTION", "autograde")  # nbgrader's autograding: it scores 0
    with pytest.raises(SelfCheckFailed, match=f"{title} .*not attempted"):
        check(not_written)
