"""Each nb02 self-check passes a right answer and fails wrong ones with a message that helps."""

import numpy as np
import pytest

from rnn_course.exercises import nb02


def _rho(matrix):
    return np.max(np.abs(np.linalg.eigvals(matrix)))


def decay_rate(W_hh, h):
    return np.log(_rho((1 - h**2)[:, None] * W_hh))


def test_decay_rate_check_passes_right_answers(capsys):
    nb02.check_decay_rate(decay_rate)
    # diag(1 - h^2) W_hh and W_hh diag(1 - h^2) have the same eigenvalues: also right
    nb02.check_decay_rate(lambda W, h: np.log(_rho(W * (1 - h**2)[None, :])))
    assert capsys.readouterr().out.count("PASS  Exercise 1") == 2


@pytest.mark.parametrize(
    ("wrong", "message"),
    [
        (lambda W, h: np.log(_rho(W)), "ignores the state"),
        (lambda W, h: np.log(np.linalg.norm((1 - h**2)[:, None] * W, 2)), "singular value"),
        (lambda W, h: _rho((1 - h**2)[:, None] * W), "factor per step"),
        (lambda W, h: np.log10(_rho((1 - h**2)[:, None] * W)), "natural logarithm"),
        (lambda W, h: -decay_rate(W, h), "Check the sign"),
        (lambda W, h: np.log(_rho(W)) + np.mean(np.log(1 - h**2)), "measured slope"),
        (lambda W, h: np.ones(3), "must return one number"),
        (lambda W, h: np.nan, "not a finite number"),
    ],
)
def test_decay_rate_check_fails_wrong_answers(wrong, message):
    with pytest.raises(AssertionError, match=f"Exercise 1 .*not right yet.*{message}"):
        nb02.check_decay_rate(wrong)


def test_decay_rate_not_attempted_is_todo(capsys):
    def stub(W_hh, h):
        raise NotImplementedError("your code here")

    nb02.check_decay_rate(stub)
    assert capsys.readouterr().out.startswith("TODO  Exercise 1")


def copy_memory_batch(num_samples, T, length, alphabet, rng, mistake=None):
    symbols = rng.integers(1, alphabet + 1, size=(num_samples, length))
    x = np.zeros((num_samples, T + 2 * length), dtype="int64")
    y = np.zeros_like(x)
    x[:, :length] = symbols
    x[:, T + length - 1] = alphabet + 1
    y[:, T + length :] = symbols
    if mistake == "delimiter one step late":
        x[:, T + length - 1], x[:, T + length] = 0, alphabet + 1
    elif mistake == "symbols from 0":
        x[:, :length] -= 1
        y[:, T + length :] -= 1
    elif mistake == "reversed":
        y[:, T + length :] = symbols[:, ::-1]
    elif mistake == "too short":
        return x[:, :-1], y[:, :-1]
    elif mistake == "floats":
        return x.astype("float32"), y
    elif mistake == "one value":
        return x
    elif mistake == "targets not blank":
        y[:, 0] = 1
    elif mistake == "a stray symbol":
        x[:, length] = 1
    return x, y


def test_copy_memory_check_passes_a_right_answer(capsys):
    nb02.check_copy_memory(copy_memory_batch)
    assert "PASS  Exercise 2" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("mistake", "message"),
    [
        ("delimiter one step late", "the delimiter 7 should be the input at index"),
        ("symbols from 0", "symbols in 1 ... 6, found values from 0"),
        ("reversed", "in the same order"),
        ("too short", r"expected \(num_samples, T \+ 2 \* length\)"),
        ("floats", "integer symbols"),
        ("one value", "return a pair"),
        ("targets not blank", "are blanks"),
        ("a stray symbol", "every input other than the symbols and the delimiter is 0"),
    ],
)
def test_copy_memory_check_fails_wrong_answers(mistake, message):
    def wrong(*args):
        return copy_memory_batch(*args, mistake=mistake)

    with pytest.raises(AssertionError, match=f"Exercise 2 .*not right yet.*{message}"):
        nb02.check_copy_memory(wrong)


def test_copy_memory_check_wants_draws_from_the_generator():
    def fixed(num_samples, T, length, alphabet, rng):
        return copy_memory_batch(num_samples, T, length, alphabet, np.random.default_rng(5))

    with pytest.raises(AssertionError, match="draw the symbols from rng"):
        nb02.check_copy_memory(fixed)

    def constant(num_samples, T, length, alphabet, rng):
        x, y = copy_memory_batch(num_samples, T, length, alphabet, rng)
        x[:, :length] = y[:, T + length :] = 1
        return x, y

    with pytest.raises(AssertionError, match="uniform over 1 ... 6"):
        nb02.check_copy_memory(constant)


def clip_by_global_norm(grads, max_norm):
    norm = np.sqrt(sum(np.sum(g**2) for g in grads))
    return [g * min(1.0, max_norm / norm) for g in grads]


def test_clip_check_passes_a_right_answer(capsys):
    nb02.check_clip_by_global_norm(clip_by_global_norm)
    nb02.check_clip_by_global_norm(lambda g, c: tuple(clip_by_global_norm(g, c)))
    assert capsys.readouterr().out.count("PASS  Exercise 3") == 2


def _always_rescale(grads, max_norm):
    norm = np.sqrt(sum(np.sum(g**2) for g in grads))
    return [g * max_norm / norm for g in grads]


def _wrong_length(grads, max_norm):
    norm = np.sqrt(sum(np.sum(g**2) for g in grads))
    return [g * min(1.0, max_norm / norm**2) for g in grads]


@pytest.mark.parametrize(
    ("wrong", "message"),
    [
        (
            lambda grads, c: [g * min(1.0, c / np.linalg.norm(g)) for g in grads],
            "scaled by a factor of its own",
        ),
        (lambda grads, c: [np.clip(g, -c, c) for g in grads], "direction changed"),
        (_always_rescale, "must come back unchanged"),
        (_wrong_length, "check the length"),
        (lambda grads, c: clip_by_global_norm(grads, c)[:-1], "return a list of 4 arrays"),
        (lambda grads, c: [g.ravel() for g in clip_by_global_norm(grads, c)], "came back as"),
    ],
)
def test_clip_check_fails_wrong_answers(wrong, message):
    with pytest.raises(AssertionError, match=f"Exercise 3 .*not right yet.*{message}"):
        nb02.check_clip_by_global_norm(wrong)
