import numpy as np
import pytest

from rnn_course.exercises import nb01, self_check


def test_self_check_reports_pass_todo_and_failure(capsys):
    self_check("Ex", lambda: None)
    assert capsys.readouterr().out == "PASS  Ex: correct\n"

    def not_attempted():
        raise NotImplementedError("your code here")

    self_check("Ex", not_attempted)
    assert capsys.readouterr().out.startswith("TODO  Ex: not attempted yet")

    def wrong():
        raise AssertionError("got 3, expected 4")

    with pytest.raises(AssertionError, match="Ex: not right yet. got 3, expected 4"):
        self_check("Ex", wrong)


def test_param_count_check(capsys):
    nb01.check_param_count(lambda m, n, k: n * (n + m + 1) + k * (n + 1))
    assert "PASS" in capsys.readouterr().out
    with pytest.raises(AssertionError, match="but Keras counts"):
        nb01.check_param_count(lambda m, n, k: n * (n + m) + k * (n + 1))  # forgot b_h


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
    with pytest.raises(AssertionError, match="max \\|difference\\| from keras.layers.SimpleRNN"):
        nb01.check_batched_forward(lambda *a: _forward_batch(*a, transpose=False))
    with pytest.raises(AssertionError, match="expected shape"):
        nb01.check_batched_forward(lambda X, *a: _forward_batch(X, *a)[:, -1])


def _softmax_sample(logits, temperature, rng):
    z = np.asarray(logits) / temperature
    p = np.exp(z - z.max())
    return int(rng.choice(len(p), p=p / p.sum()))


def test_temperature_check(capsys):
    nb01.check_sample_with_temperature(_softmax_sample)
    assert "PASS" in capsys.readouterr().out
    with pytest.raises(AssertionError, match="far from softmax"):  # ignores the temperature
        nb01.check_sample_with_temperature(lambda y, T, rng: _softmax_sample(y, 1.0, rng))
    with pytest.raises(AssertionError, match="argmax"):  # uniform at tiny temperatures
        nb01.check_sample_with_temperature(
            lambda y, T, rng: int(rng.integers(len(y))) if T < 0.01 else _softmax_sample(y, T, rng)
        )
