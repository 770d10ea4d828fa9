import numpy as np
import pytest

import rnn_course
from rnn_course.runtime import MODE_VARIABLE


@pytest.mark.parametrize(
    ("raw", "mode"),
    [(None, "full"), ("", "full"), ("full", "full"), ("fast", "fast"), (" FAST ", "fast")],
)
def test_mode_is_read_from_the_environment(monkeypatch, raw, mode):
    if raw is None:
        monkeypatch.delenv(MODE_VARIABLE, raising=False)
    else:
        monkeypatch.setenv(MODE_VARIABLE, raw)
    assert rnn_course.get_mode() == mode


@pytest.mark.parametrize("raw", ["quick", "1", "full-ish"])
def test_unknown_mode_is_a_clear_error(monkeypatch, raw):
    monkeypatch.setenv(MODE_VARIABLE, raw)
    with pytest.raises(ValueError, match=r"RNN_COURSE_MODE=.* is not a run mode.*full, fast"):
        rnn_course.get_mode()
    with pytest.raises(ValueError):
        rnn_course.setup()


def test_by_mode_picks_the_value_of_the_current_mode(monkeypatch):
    monkeypatch.setenv(MODE_VARIABLE, "full")
    assert rnn_course.by_mode(full=20, fast=2) == 20
    monkeypatch.setenv(MODE_VARIABLE, "fast")
    assert rnn_course.by_mode(full=20, fast=2) == 2


def test_setup_prints_one_line_and_seeds_everything(monkeypatch, capsys):
    import keras

    monkeypatch.setenv(MODE_VARIABLE, "fast")
    assert rnn_course.setup(seed=3) == "fast"
    first = (np.random.rand(3), keras.ops.convert_to_numpy(keras.random.normal((3,))))
    line = capsys.readouterr().out
    assert line.count("\n") == 1
    for part in ("mode=fast", f"backend={keras.backend.backend()}", "device=", "Keras "):
        assert part in line
    rnn_course.setup(seed=3, verbose=False)
    second = (np.random.rand(3), keras.ops.convert_to_numpy(keras.random.normal((3,))))
    np.testing.assert_array_equal(first[0], second[0])
    np.testing.assert_array_equal(first[1], second[1])
    assert capsys.readouterr().out == ""


def test_retracing_warning_is_dropped_and_other_tensorflow_warnings_kept(caplog):
    import logging

    from rnn_course._native_logs import quiet_retracing_warnings

    quiet_retracing_warnings()
    quiet_retracing_warnings()  # idempotent: one filter
    logger = logging.getLogger("tensorflow")
    with caplog.at_level(logging.WARNING, logger="tensorflow"):
        logger.warning(
            "5 out of the last 22 calls to <function f> triggered tf.function retracing."
        )
        logger.warning("something else")
    assert [r.getMessage() for r in caplog.records] == ["something else"]
    assert sum(type(f).__name__ == "_NotRetracing" for f in logger.filters) == 1
