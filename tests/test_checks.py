import math

import numpy as np
import pytest

import rnn_course


def test_check_close_passes_and_prints_a_stable_line(capsys):
    assert rnn_course.check_close("a vs b", np.ones(3), np.ones(3) + 1e-8) is None
    out = capsys.readouterr().out
    assert out.startswith("PASS  a vs b: max |difference| < 1e-06 (measured ")


def test_check_close_fails_with_the_numbers():
    with pytest.raises(AssertionError, match=r"max \|difference\| is 0.5, expected < 1e-06"):
        rnn_course.check_close("a vs b", [1.0, 2.0], [1.0, 2.5])


def test_shapes_must_agree():
    with pytest.raises(ValueError, match=r"shapes \(2,\) and \(3,\)"):
        rnn_course.max_abs_diff(np.zeros(2), np.zeros(3))


def test_rel_error_is_cs231n_relative_error():
    assert rnn_course.rel_error([1.0], [1.0]) == 0.0
    assert math.isclose(rnn_course.rel_error([1.0, 0.0], [3.0, 0.0]), 0.5)
    with pytest.raises(AssertionError, match="relative error"):
        rnn_course.check_gradient("g", [1.0], [1.1])


def test_check_equal(capsys):
    rnn_course.check_equal("params", 10, 10)
    assert capsys.readouterr().out == "PASS  params: 10\n"
    with pytest.raises(AssertionError, match="got 9, expected 10"):
        rnn_course.check_equal("params", 9, 10)


def test_outcome_band_depends_on_the_mode_but_the_line_does_not(monkeypatch, capsys):
    lines = {}
    for mode, value in (("full", 1.5), ("fast", 2.9)):
        monkeypatch.setenv("RNN_COURSE_MODE", mode)
        rnn_course.check_outcome("val loss", value, full=(None, 2.0), fast=(None, 3.0))
        out = capsys.readouterr().out
        lines[mode] = out.split(" (measured")[0]
    assert lines["full"] == lines["fast"]
    assert "<= 2 in full mode, <= 3 in fast mode" in lines["full"]

    monkeypatch.setenv("RNN_COURSE_MODE", "full")
    with pytest.raises(AssertionError, match="outside the full-mode band <= 2"):
        rnn_course.check_outcome("val loss", 2.9, full=(None, 2.0), fast=(None, 3.0))
    with pytest.raises(AssertionError):
        rnn_course.check_outcome("acc", float("nan"), full=(0.8, None), fast=(0.5, None))
    with pytest.raises(TypeError, match="must be a"):
        rnn_course.check_outcome("acc", 0.9, full=0.8, fast=(0.5, None))
