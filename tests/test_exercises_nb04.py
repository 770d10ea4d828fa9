"""The self-checks of notebook 04: right answers pass, the usual wrong ones fail with a hint."""

import re

import numpy as np
import pytest

from rnn_course.exercises import SelfCheckFailed, nb04


def _sigmoid(a):
    return 1 / (1 + np.exp(-a))


def _forward(
    X,
    W_z,
    W_r,
    W_h,
    b_z,
    b_r,
    b_h,
    *,
    keras_form=False,
    after=False,
    x_first=False,
    last_only=False,
    time_major=False,
):
    n = W_z.shape[0]
    H = np.zeros((X.shape[0], n))
    states = []
    for t in range(X.shape[1]):
        parts = [X[:, t], H] if x_first else [H, X[:, t]]
        HX = np.concatenate(parts, axis=1)
        Z = _sigmoid(HX @ W_z.T + b_z)
        R = _sigmoid(HX @ W_r.T + b_r)
        if after:
            cand = np.tanh(R * (H @ W_h[:, :n].T) + X[:, t] @ W_h[:, n:].T + b_h)
        else:
            rparts = [X[:, t], R * H] if x_first else [R * H, X[:, t]]
            cand = np.tanh(np.concatenate(rparts, axis=1) @ W_h.T + b_h)
        H = Z * H + (1 - Z) * cand if keras_form else (1 - Z) * H + Z * cand
        states.append(H)
    if last_only:
        return H
    return np.stack(states, axis=0 if time_major else 1)


def test_forward_check_passes_a_right_answer(capsys):
    nb04.check_gru_forward_batch(_forward)
    assert capsys.readouterr().out == "PASS  Exercise 1 (the GRU over a batch): correct\n"


@pytest.mark.parametrize(
    "wrong, hint",
    [
        (lambda *a: _forward(*a, keras_form=True), "update gate works the other way round"),
        (lambda *a: _forward(*a, after=True), "applied the reset gate after the product"),
        (lambda *a: _forward(*a, x_first=True), "concatenation is in the wrong order"),
        (lambda *a: _forward(*a, last_only=True), "one state per sequence"),
        (lambda *a: _forward(*a, time_major=True), "stack along axis 1, not axis 0"),
        (lambda *a: None, "forget `return`"),
        (lambda X, W_z, *a: X[:, 0] @ W_z, "shape mismatch"),
        (lambda X, W_z, W_r, W_h, b_z, *a: _forward(X, W_z, W_r, W_h, 0 * b_z, *a), "Row-vector"),
    ],
)
def test_forward_check_names_the_mistake(wrong, hint):
    with pytest.raises(SelfCheckFailed, match=re.escape(hint)):
        nb04.check_gru_forward_batch(wrong)


def test_forward_check_reports_an_unattempted_exercise(capsys, monkeypatch):
    monkeypatch.delenv("NBGRADER_EXECUTION", raising=False)

    def not_written(*args):
        raise NotImplementedError

    nb04.check_gru_forward_batch(not_written)
    assert capsys.readouterr().out.startswith("TODO  Exercise 1")


def _from_keras(
    kernel,
    recurrent_kernel,
    bias,
    *,
    sign_z=-1.0,
    sign_bz=-1.0,
    sign_bhz=-1.0,
    swap_rows=False,
    x_first=False,
    swap_zr=False,
):
    n = recurrent_kernel.shape[0]
    signs = {0: (sign_z, sign_bz, sign_bhz), 1: (1, 1, 1), 2: (1, 1, 1)}
    order = [1, 0, 2] if swap_zr else [0, 1, 2]

    def block(a, g):
        return a[..., order[g] * n : (order[g] + 1) * n]

    W = {}
    for g in range(3):
        s = signs[order[g]][0]
        h_part, x_part = s * block(recurrent_kernel, g).T, s * block(kernel, g).T
        W[g] = (h_part, x_part)
    W_z = np.concatenate(W[0][::-1] if x_first else W[0], axis=1)
    W_r = np.concatenate(W[1][::-1] if x_first else W[1], axis=1)
    rows = bias[::-1] if swap_rows else bias
    biases = []
    for r, row in enumerate(rows):
        for g in range(3):
            s = signs[order[g]][1 + r]
            biases.append(s * block(row, g))
    return [W_z, W_r, W[2][0], W[2][1], *biases]


def test_mapping_check_passes_a_right_answer(capsys):
    nb04.check_from_keras(_from_keras)
    assert "PASS  Exercise 2" in capsys.readouterr().out


def test_mapping_check_does_not_accept_the_untouched_keras_update_gate():
    with pytest.raises(SelfCheckFailed, match="negate the update gate's weights and both"):
        nb04.check_from_keras(lambda *a: _from_keras(*a, sign_z=1, sign_bz=1, sign_bhz=1))


@pytest.mark.parametrize(
    "options, hint",
    [
        ({"sign_bhz": 1.0}, "W_z, b_z and b_hz all change sign together"),
        ({"sign_z": 1.0}, "W_z, b_z and b_hz all change sign together"),
        ({"swap_rows": True}, "b_h and b_hh are swapped"),
        ({"x_first": True}, "columns of W_z and W_r are in the wrong order"),
        ({"swap_zr": True}, "z and r are swapped"),
    ],
)
def test_mapping_check_names_the_mistake(options, hint):
    with pytest.raises(SelfCheckFailed, match=re.escape(hint)):
        nb04.check_from_keras(lambda *a: _from_keras(*a, **options))


def test_mapping_check_names_a_wrong_shape_and_a_wrong_count():
    def transposed(*args):
        weights = _from_keras(*args)
        weights[2] = weights[3].T  # W_hh given the shape of W_hx transposed
        return weights

    with pytest.raises(SelfCheckFailed, match=re.escape("W_hh should have shape (5, 5)")):
        nb04.check_from_keras(transposed)
    with pytest.raises(SelfCheckFailed, match="return a list of 10 arrays"):
        nb04.check_from_keras(lambda *a: _from_keras(*a)[:6])
    with pytest.raises(SelfCheckFailed, match="forget `return`"):
        nb04.check_from_keras(lambda *a: None)


def test_mapping_check_swapped_b_h_and_b_hh():
    def swapped(*args):
        w = _from_keras(*args)
        w[6], w[9] = w[9], w[6]
        return w

    with pytest.raises(SelfCheckFailed, match="b_h and b_hh are swapped"):
        nb04.check_from_keras(swapped)


def _gru_units(m, n_lstm, reset_after):
    budget = 4 * n_lstm * (n_lstm + m + 1)
    extra = 2 if reset_after else 1
    n = 1
    while 3 * (n + 1) * (n + 1 + m + extra) <= budget:
        n += 1
    return n


def test_units_check_passes_a_right_answer(capsys):
    nb04.check_gru_units(_gru_units)
    assert "PASS  Exercise 3" in capsys.readouterr().out


@pytest.mark.parametrize(
    "wrong, hint",
    [
        (lambda m, n, ra: _gru_units(m, n, False), "each gate has a second bias"),
        (lambda m, n, ra: _gru_units(m, n, ra) + 1, "more than LSTM"),
        (lambda m, n, ra: _gru_units(m, n, ra) - 1, "return the largest width that fits"),
        (lambda m, n, ra: float(_gru_units(m, n, ra)), "whole number of units"),
        (lambda m, n, ra: None, "forget `return`"),
        (lambda m, n, ra: 0, "at least one unit"),
    ],
)
def test_units_check_names_the_mistake(wrong, hint):
    with pytest.raises(SelfCheckFailed, match=re.escape(hint)):
        nb04.check_gru_units(wrong)
