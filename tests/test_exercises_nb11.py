"""The self-checks of notebook 11: right answers pass, the usual wrong ones fail with a hint."""

import re

import pytest

from rnn_course.exercises import SelfCheckFailed, nb11


def _rounds(kind, T, layers):
    return T + layers - 1 if kind == "rnn" else layers


def test_rounds_check_passes_a_right_answer(capsys):
    nb11.check_sequential_rounds(_rounds)
    assert capsys.readouterr().out == "PASS  Exercise 1 (sequential rounds): correct\n"


def test_rounds_check_accepts_whole_floats(capsys):
    nb11.check_sequential_rounds(lambda kind, T, layers: float(_rounds(kind, T, layers)))
    assert capsys.readouterr().out.startswith("PASS")


@pytest.mark.parametrize(
    "wrong, hint",
    [
        (lambda k, T, L: T * L if k == "rnn" else L, "wavefront"),
        (lambda k, T, L: T if k == "rnn" else L, "diagonal path"),
        (lambda k, T, L: T + L if k == "rnn" else L, "One round too many"),
        (lambda k, T, L: _rounds("rnn", T, L), "no recurrence"),
        (lambda k, T, L: T + L - 1 if k != "conv" else T, "no recurrence"),
        (lambda k, T, L: T + L - 1 if k == "rnn" else 1, "the layers themselves form a chain"),
        (lambda k, T, L: None, "forget `return`"),
        (lambda k, T, L: "many", "whole number"),
        (lambda k, T, L: T + L - 0.5 if k == "rnn" else L, "whole number"),
    ],
)
def test_rounds_check_names_the_mistake(wrong, hint):
    with pytest.raises(SelfCheckFailed, match=re.escape(hint)):
        nb11.check_sequential_rounds(wrong)


def _counts(m, n, k):
    return k * m * n + n, 3 * n * (m + n + 2)


def test_counts_check_passes_a_right_answer(capsys):
    nb11.check_parameter_counts(_counts)
    assert capsys.readouterr().out == (
        "PASS  Exercise 2 (parameters of a Conv1D and a GRU): correct\n"
    )


@pytest.mark.parametrize(
    "wrong, hint",
    [
        (lambda m, n, k: _counts(m, n, k)[::-1], "swapped"),
        (lambda m, n, k: (n * (m + 1), _counts(m, n, k)[1]), "k x m kernel"),
        (lambda m, n, k: (k * m * n, _counts(m, n, k)[1]), "also has a bias"),
        (lambda m, n, k: (k * (m + 1) * n, _counts(m, n, k)[1]), "one per kernel position"),
        (lambda m, n, k: (_counts(m, n, k)[0], 3 * n * (m + n + 1)), "two bias vectors"),
        (lambda m, n, k: (_counts(m, n, k)[0], 4 * n * (m + n + 1)), "an LSTM's four blocks"),
        (lambda m, n, k: (_counts(m, n, k)[0], 3 * n * (m + n)), "three blocks (z, r, h)"),
        (lambda m, n, k: (_counts(m, n, k)[0] + 1, _counts(m, n, k)[1]), "count the kernel"),
        (lambda m, n, k: _counts(m, n, k)[0], "return a pair"),
        (lambda m, n, k: None, "forget `return`"),
    ],
)
def test_counts_check_names_the_mistake(wrong, hint):
    with pytest.raises(SelfCheckFailed, match=re.escape(hint)):
        nb11.check_parameter_counts(wrong)


@pytest.mark.parametrize("check", [nb11.check_sequential_rounds, nb11.check_parameter_counts])
def test_checks_report_an_unattempted_exercise(check, capsys, monkeypatch):
    monkeypatch.delenv("NBGRADER_EXECUTION", raising=False)

    def not_written(*args):
        raise NotImplementedError

    check(not_written)
    assert capsys.readouterr().out.startswith("TODO  Exercise")


@pytest.mark.parametrize("check", [nb11.check_sequential_rounds, nb11.check_parameter_counts])
def test_checks_fail_an_unattempted_exercise_while_autograding(check, monkeypatch):
    monkeypatch.setenv("NBGRADER_EXECUTION", "autograde")

    def not_written(*args):
        raise NotImplementedError

    with pytest.raises(SelfCheckFailed, match="not attempted"):
        check(not_written)


def test_an_error_in_the_students_code_is_reported_as_theirs():
    def broken(m, n, k):
        return [1, 2][5]

    with pytest.raises(SelfCheckFailed, match="your function raised IndexError"):
        nb11.check_parameter_counts(broken)
