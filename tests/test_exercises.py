import functools
import re

import numpy as np
import pytest

from rnn_course.exercises import SelfCheckFailed, nb01, self_check


def test_self_check_reports_pass_todo_and_failure(capsys, monkeypatch):
    monkeypatch.delenv("NBGRADER_EXECUTION", raising=False)
    self_check("Ex", lambda: None)
    assert capsys.readouterr().out == "PASS  Ex: correct\n"

    def not_attempted():
        raise NotImplementedError("your code here")

    self_check("Ex", not_attempted)
    assert capsys.readouterr().out.startswith("TODO  Ex: not attempted yet")

    def wrong():
        raise AssertionError("got 3, expected 4")

    with pytest.raises(SelfCheckFailed, match="Ex: not right yet. got 3, expected 4"):
        self_check("Ex", wrong)


def test_unattempted_exercise_fails_while_autograding(monkeypatch, capsys):
    monkeypatch.setenv("NBGRADER_EXECUTION", "autograde")

    def not_attempted():
        raise NotImplementedError

    with pytest.raises(SelfCheckFailed, match="Ex: not attempted"):
        self_check("Ex", not_attempted)
    assert "TODO" not in capsys.readouterr().out


def test_failure_renders_as_one_short_message():
    with pytest.raises(SelfCheckFailed) as info:
        self_check("Ex", lambda: (_ for _ in ()).throw(AssertionError("look at b_h")))
    lines = info.value._render_traceback_()
    assert len(lines) == 1 and "look at b_h" in lines[0] and "Traceback" not in lines[0]


def test_errors_of_the_students_code_are_explained_and_the_checks_own_are_not():
    def students_function():
        raise ValueError("shapes (3,4) and (5,4) not aligned")

    def explain(error):
        return "a shape mismatch explained" if "shapes" in str(error) else None

    with pytest.raises(SelfCheckFailed, match="raised ValueError.*\n+a shape mismatch explained"):
        self_check("Ex", students_function, explain=explain)
    # An error raised inside the course's own code is the check's bug: it propagates unchanged.
    # (a partial adds no frame of this file: the error is raised in rnn_course and Keras)
    with pytest.raises(ValueError) as info:
        self_check("Ex", functools.partial(nb01._keras_stack, 1, [-1], 1))
    assert not isinstance(info.value, SelfCheckFailed)


@pytest.mark.parametrize("title, check", [("", lambda: None), ("Ex", None), (None, lambda: None)])
def test_self_check_rejects_its_own_bad_arguments(title, check):
    with pytest.raises(TypeError, match="self_check"):
        self_check(title, check)


def _stack_count(m, sizes, k):
    total, d = 0, m
    for n in sizes:
        total, d = total + n * (n + d + 1), n
    return total + k * (d + 1)


@pytest.mark.parametrize(
    "wrong, term",
    [
        (lambda m, s, k: _stack_count(m, s, k) - sum(s), "recurrent biases b_h"),
        (lambda m, s, k: _stack_count(m, s, k) - k, "output bias b_y"),
        (lambda m, s, k: _stack_count(m, s, k) - sum(n * n for n in s), "W_hh"),
        (lambda m, s, k: sum(n * (n + m + 1) for n in s) + k * (s[-1] + 1), "what each layer"),
        (lambda m, s, k: None, "forget `return`"),
        (lambda m, s, k: float(_stack_count(m, s, k)), "must return an integer"),
    ],
)
def test_param_count_check_names_the_wrong_term(wrong, term):
    with pytest.raises(SelfCheckFailed, match="but Keras counts|return"):
        nb01.check_param_count(wrong)
    with pytest.raises(SelfCheckFailed, match=re.escape(term)):
        nb01.check_param_count(wrong)


def test_param_count_check(capsys):
    nb01.check_param_count(_stack_count)
    assert "PASS" in capsys.readouterr().out


def _forward_batch(X, W_xh, W_hh, b_h, transpose=True):
    H_t = np.zeros((X.shape[0], W_hh.shape[0]))
    out = []
    for t in range(X.shape[1]):
        W_rec = W_hh.T if transpose else W_hh
        H_t = np.tanh(X[:, t] @ W_xh.T + H_t @ W_rec + b_h)
        out.append(H_t)
    return np.stack(out, axis=1)


def test_batched_forward_check(capsys):
    nb01.check_batched_forward(_forward_batch)
    assert "PASS" in capsys.readouterr().out
    with pytest.raises(SelfCheckFailed, match="max \\|difference\\| from keras.layers.SimpleRNN"):
        nb01.check_batched_forward(lambda *a: _forward_batch(*a, transpose=False))
    with pytest.raises(SelfCheckFailed, match="That is one state per sequence"):
        nb01.check_batched_forward(lambda X, *a: _forward_batch(X, *a)[:, -1])
    with pytest.raises(SelfCheckFailed, match="shape mismatch in a matrix product"):
        nb01.check_batched_forward(lambda X, W_xh, W_hh, b_h: X[:, 0] @ W_xh)


def _softmax_sample(logits, temperature, rng):
    z = np.asarray(logits) / temperature
    p = np.exp(z - z.max())
    return int(rng.choice(len(p), p=p / p.sum()))


def test_temperature_check(capsys):
    nb01.check_sample_with_temperature(_softmax_sample)
    assert "PASS" in capsys.readouterr().out
    with pytest.raises(SelfCheckFailed, match="far from softmax"):  # ignores the temperature
        nb01.check_sample_with_temperature(lambda y, T, rng: _softmax_sample(y, 1.0, rng))
    with pytest.raises(SelfCheckFailed, match="argmax"):  # uniform at tiny temperatures
        nb01.check_sample_with_temperature(
            lambda y, T, rng: int(rng.integers(len(y))) if T < 0.01 else _softmax_sample(y, T, rng)
        )


def test_temperature_check_explains_nan_probabilities():
    def overflowing(logits, temperature, rng):
        p = np.exp(np.asarray(logits) / temperature)
        return int(rng.choice(len(p), p=p / p.sum()))

    with np.errstate(over="ignore", invalid="ignore"):
        with pytest.raises(SelfCheckFailed, match="probabilities contain NaN"):
            nb01.check_sample_with_temperature(overflowing)
