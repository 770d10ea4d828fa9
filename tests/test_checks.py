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


# Notebooks store the PASS lines and nbval compares them: for valid input they must not change.
@pytest.mark.parametrize(
    ("mode", "call", "line"),
    [
        (
            "fast",
            lambda: rnn_course.check_close("name", np.array([1.0]), np.array([1.0 + 9.8e-08])),
            "PASS  name: max |difference| < 1e-06 (measured 9.8e-08)",
        ),
        (
            "full",
            lambda: rnn_course.check_close("logits", [[0.5, 1.0]], [[0.5, 1.00002]], atol=1e-4),
            "PASS  logits: max |difference| < 0.0001 (measured 2.0e-05)",
        ),
        (
            "fast",
            lambda: rnn_course.check_gradient("name", [1.0], [1.0 + 7e-10]),
            "PASS  name: relative error < 1e-07 (measured 3.5e-10)",
        ),
        (
            "fast",
            lambda: rnn_course.check_gradient("dL/dW", np.ones((2, 2)), np.ones((2, 2)), tol=1e-5),
            "PASS  dL/dW: relative error < 1e-05 (measured 0.0e+00)",
        ),
        ("fast", lambda: rnn_course.check_equal("name", 92769, 92769), "PASS  name: 92769"),
        ("fast", lambda: rnn_course.check_equal("bounded", True, True), "PASS  bounded: True"),
        ("fast", lambda: rnn_course.check_equal("word", "abc", "abc"), "PASS  word: 'abc'"),
        ("fast", lambda: rnn_course.check_equal("ratio", 0.5, 0.5), "PASS  ratio: 0.5"),
        ("fast", lambda: rnn_course.check_equal("shape", (4, 7), (4, 7)), "PASS  shape: (4, 7)"),
        ("fast", lambda: rnn_course.check_equal("ids", [1, 2], [1, 2]), "PASS  ids: [1, 2]"),
        (
            "fast",
            lambda: rnn_course.check_outcome("name", 1.619, full=(None, 1.75), fast=(None, 2.9)),
            "PASS  name: <= 1.75 in full mode, <= 2.9 in fast mode (measured 1.619)",
        ),
        (
            "full",
            lambda: rnn_course.check_outcome("name", 1.619, full=(None, 1.75), fast=(None, 2.9)),
            "PASS  name: <= 1.75 in full mode, <= 2.9 in fast mode (measured 1.619)",
        ),
        (
            "fast",
            lambda: rnn_course.check_outcome("acc", 0.61, full=(0.8, None), fast=(0.2, 0.9)),
            "PASS  acc: >= 0.8 in full mode, in [0.2, 0.9] in fast mode (measured 0.61)",
        ),
        (
            "full",
            lambda: rnn_course.check_outcome("x", np.float32(3.0), full=(None, None), fast=[0, 5]),
            "PASS  x: any value in full mode, in [0, 5] in fast mode (measured 3)",
        ),
    ],
)
def test_pass_lines_are_stable(monkeypatch, capsys, mode, call, line):
    monkeypatch.setenv("RNN_COURSE_MODE", mode)
    assert call() is None
    assert capsys.readouterr().out == line + "\n"


def test_check_close_takes_backend_tensors(capsys):
    import keras

    rnn_course.check_close("tensors", keras.ops.ones((2, 3)), np.ones((2, 3)))
    assert capsys.readouterr().out == "PASS  tensors: max |difference| < 1e-06 (measured 0.0e+00)\n"


def test_check_equal_compares_arrays_by_shape_and_values(capsys):
    import keras

    rnn_course.check_equal("ids", np.arange(6).reshape(2, 3), np.arange(6).reshape(2, 3))
    rnn_course.check_equal("tensor", keras.ops.ones((4,), dtype="int32"), [1, 1, 1, 1])
    rnn_course.check_equal("words", np.array(["a", "b"]), ["a", "b"])
    assert capsys.readouterr().out == (
        "PASS  ids: arrays equal, shape (2, 3)\n"
        "PASS  tensor: arrays equal, shape (4,)\n"
        "PASS  words: arrays equal, shape (2,)\n"
    )
    with pytest.raises(
        AssertionError, match=r"got an array of shape \(6,\), expected shape \(2, 3\)"
    ):
        rnn_course.check_equal("ids", np.arange(6), np.arange(6).reshape(2, 3))
    with pytest.raises(AssertionError, match=r"2 of 3 values differ; first at index \(1,\)"):
        rnn_course.check_equal("ids", np.array([1, 2, 3]), np.array([1, 0, 0]))
    assert capsys.readouterr().out == ""


def test_a_failing_check_prints_nothing(capsys):
    for call in (
        lambda: rnn_course.check_close("x", None, 0.5),
        lambda: rnn_course.check_close("x", [], []),
        lambda: rnn_course.check_gradient("x", [np.nan], [1.0]),
        lambda: rnn_course.check_equal("x", None, None),
        lambda: rnn_course.check_outcome("x", float("nan"), full=(None, 1), fast=(None, 1)),
    ):
        with pytest.raises(AssertionError):
            call()
    assert capsys.readouterr().out == ""


def test_measurements_still_measure():
    assert rnn_course.max_abs_diff([1.0, 2.0], [1.5, 2.0]) == 0.5
    assert rnn_course.max_abs_diff(3, 1) == 2.0
    assert math.isnan(rnn_course.max_abs_diff([np.nan], [1.0]))  # a measurement, not a check
    assert math.isclose(rnn_course.rel_error([True, False], [True, False]), 0.0)
