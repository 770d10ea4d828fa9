"""Each nb03 self-check passes right answers and fails wrong ones with a message that helps."""

import numpy as np
import pytest

from rnn_course.exercises import SelfCheckFailed, nb03

KERAS_ORDER = ("i", "f", "C", "o")
GATES = ("f", "i", "C", "o")


# --- Exercise 1: from_keras --------------------------------------------------------------------


def from_keras(kernel, recurrent_kernel, bias, order=KERAS_ORDER, mistake=None):
    n = recurrent_kernel.shape[0]
    W, b = {}, {}
    for k, g in enumerate(order):
        cols = slice(k * n, (k + 1) * n)
        h_part, x_part = recurrent_kernel[:, cols].T, kernel[:, cols].T
        if mistake == "x first":
            W[g] = np.concatenate([x_part, h_part], axis=1)
        elif mistake == "recurrent not transposed":
            W[g] = np.concatenate([recurrent_kernel[:, cols], x_part], axis=1)
        elif mistake == "not transposed":
            W[g] = np.concatenate([recurrent_kernel[:, cols], kernel[:, cols]], axis=0)
        else:
            W[g] = np.concatenate([h_part, x_part], axis=1)
        b[g] = bias[cols]
    if mistake == "bias order":
        b["i"], b["f"] = b["f"], b["i"]
    if mistake == "lower-case c":
        W["c"], b["c"] = W.pop("C"), b.pop("C")
    return W, b


def test_from_keras_check_passes_a_right_answer(capsys):
    nb03.check_from_keras(from_keras)
    out = capsys.readouterr().out
    assert out.startswith("PASS  Exercise 1"), out


@pytest.mark.parametrize(
    ("wrong", "message"),
    [
        (lambda k, r, b: from_keras(k, r, b, order=GATES), "order i, f, c, o"),
        (lambda k, r, b: from_keras(k, r, b, mistake="x first"), "hidden state first"),
        (lambda k, r, b: from_keras(k, r, b, mistake="recurrent not transposed"), "transpose"),
        (lambda k, r, b: from_keras(k, r, b, mistake="not transposed"), "That is the transpose"),
        (lambda k, r, b: from_keras(k, r, b, mistake="bias order"), "values of b\\['f'\\]"),
        (lambda k, r, b: from_keras(k, r, b, mistake="lower-case c"), "keys 'f', 'i', 'C', 'o'"),
        (lambda k, r, b: None, "forget `return W, b`"),
        (lambda k, r, b: from_keras(k, r, b)[0], "pair \\(W, b\\)"),
    ],
)
def test_from_keras_check_fails_wrong_answers(wrong, message):
    with pytest.raises(SelfCheckFailed, match=f"Exercise 1 .*not right yet.*{message}"):
        nb03.check_from_keras(wrong)


def test_from_keras_check_explains_a_shape_error():
    def broken(kernel, recurrent_kernel, bias):
        return {"f": kernel @ recurrent_kernel}, {}

    with pytest.raises(SelfCheckFailed, match="raised ValueError.*\n.*shape mismatch"):
        nb03.check_from_keras(broken)


def test_from_keras_not_attempted_is_todo(capsys):
    def stub(kernel, recurrent_kernel, bias):
        raise NotImplementedError

    nb03.check_from_keras(stub)
    assert capsys.readouterr().out.startswith("TODO  Exercise 1")


# --- Exercise 2: step_jacobian -----------------------------------------------------------------


def _sig(z):
    return 1 / (1 + np.exp(-z))


def step_jacobian(x_t, h_prev, C_prev, W, b, mistake=None):
    n = h_prev.shape[0]
    z = np.concatenate([h_prev, x_t])
    f, i, o = (_sig(W[g] @ z + b[g]) for g in "fio")
    C_tilde = np.tanh(W["C"] @ z + b["C"])
    C = f * C_prev + i * C_tilde
    tanh_C = np.tanh(C)
    Wh = {g: W[g][:, :n] for g in GATES}
    dC_dC = np.diag(f)
    dC_dh = (
        (C_prev * f * (1 - f))[:, None] * Wh["f"]
        + (C_tilde * i * (1 - i))[:, None] * Wh["i"]
        + (i * (1 - C_tilde**2))[:, None] * Wh["C"]
    )
    if mistake == "forget-gate path missing":
        dC_dh -= (C_prev * f * (1 - f))[:, None] * Wh["f"]
    through_C = (o * (1 - tanh_C**2))[:, None]
    dh_dC = through_C * dC_dC
    dh_dh = (tanh_C * o * (1 - o))[:, None] * Wh["o"] + through_C * dC_dh
    if mistake == "dC/dC is the identity":
        dC_dC = np.eye(n)
    if mistake == "h only through o":
        dh_dh = (tanh_C * o * (1 - o))[:, None] * Wh["o"]
    if mistake == "tanh' missing":
        dh_dC = o[:, None] * dC_dC
    J = np.block([[dh_dh, dh_dC], [dC_dh, dC_dC]])
    return J.T if mistake == "transposed" else J


def test_step_jacobian_check_passes_right_answers(capsys):
    nb03.check_step_jacobian(step_jacobian)

    def by_np_diag(x_t, h_prev, C_prev, W, b):  # the same with np.diag products
        J = step_jacobian(x_t, h_prev, C_prev, W, b)
        return [list(row) for row in J]  # a nested list is fine too

    nb03.check_step_jacobian(by_np_diag)
    assert capsys.readouterr().out.count("PASS  Exercise 2") == 2


@pytest.mark.parametrize(
    ("mistake", "message"),
    [
        ("dC/dC is the identity", "∂C_t/∂C_{t-1}"),
        ("forget-gate path missing", "∂C_t/∂h_{t-1}"),
        ("h only through o", "∂h_t/∂h_{t-1}.*two paths"),
        ("tanh' missing", "∂h_t/∂C_{t-1}"),
        ("transposed", "transpose of the Jacobian"),
    ],
)
def test_step_jacobian_check_names_the_wrong_block(mistake, message):
    def wrong(*args):
        return step_jacobian(*args, mistake=mistake)

    with pytest.raises(SelfCheckFailed, match=f"Exercise 2 .*not right yet.*{message}"):
        nb03.check_step_jacobian(wrong)


def test_step_jacobian_check_wants_the_full_matrix():
    with pytest.raises(SelfCheckFailed, match="expected the \\(2n, 2n\\) = \\(6, 6\\) Jacobian"):
        nb03.check_step_jacobian(lambda *args: step_jacobian(*args)[3:, 3:])


def test_step_jacobian_check_explains_a_shape_error():
    def broken(x_t, h_prev, C_prev, W, b):
        return W["f"] @ h_prev

    with pytest.raises(SelfCheckFailed, match="raised ValueError.*\n.*W\\[g\\]\\[:, :n\\]"):
        nb03.check_step_jacobian(broken)


# --- Exercise 3: latch_weights -----------------------------------------------------------------


def latch_weights(
    forget_bias=10.0, marker_weight=20.0, input_bias=-10.0, value_weight=0.1, tilde_bias=0.0
):
    W = {g: np.zeros((1, 3)) for g in GATES}  # columns: h_{t-1}, value, marker
    b = {g: np.zeros(1) for g in GATES}
    b["f"][0] = forget_bias
    W["i"][0, 2], b["i"][0] = marker_weight, input_bias
    W["C"][0, 1], b["C"][0] = value_weight, tilde_bias
    return W, b


def test_latch_check_passes_right_answers(capsys):
    nb03.check_latch(latch_weights)
    nb03.check_latch(lambda: latch_weights(value_weight=1.0))  # tanh bends, within the band
    nb03.check_latch(lambda: latch_weights(value_weight=-0.5))  # a negative readout is fine
    assert capsys.readouterr().out.count("PASS  Exercise 3") == 3


@pytest.mark.parametrize(
    ("wrong", "message"),
    [
        (lambda: latch_weights(forget_bias=1.0), "forget gate is 0.7"),
        (lambda: latch_weights(forget_bias=4.0), "forget gate is 0.98"),
        (lambda: latch_weights(marker_weight=0.0), "only 0.00 on average at the marked steps"),
        (lambda: latch_weights(input_bias=-3.0, marker_weight=13.0), "at the unmarked steps"),
        (lambda: latch_weights(value_weight=0.0, tilde_bias=0.5), "does not follow the value"),
        (lambda: latch_weights(value_weight=5.0), "tanh"),
        (lambda: latch_weights()[0], "pair \\(W, b\\)"),
    ],
)
def test_latch_check_fails_wrong_answers(wrong, message):
    with pytest.raises(SelfCheckFailed, match=f"Exercise 3 .*not right yet.*{message}"):
        nb03.check_latch(wrong)


def test_latch_check_wants_one_unit_and_two_inputs():
    def two_units():
        W = {g: np.zeros((2, 4)) for g in GATES}
        return W, {g: np.zeros(2) for g in GATES}

    with pytest.raises(SelfCheckFailed, match="W\\['f'\\] has shape \\(2, 4\\), expected"):
        nb03.check_latch(two_units)


def test_checks_run_on_float32_and_list_answers(capsys):
    def as_float32():
        W, b = latch_weights()
        return {g: w.astype("float32") for g, w in W.items()}, {g: list(v) for g, v in b.items()}

    nb03.check_latch(as_float32)
    assert "PASS" in capsys.readouterr().out
