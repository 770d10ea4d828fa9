"""Every public function of rnn_course rejects bad input at its boundary, with a clear message.

One row a bad call: the call (a lambda), the exception it must raise, and a regex its message
must match; the regex names what was expected and what was given. Checks (``check_*``) raise
``AssertionError`` only when the values under check show a wrong computation; bad arguments of
the check itself raise ``TypeError`` / ``ValueError``.

Nothing here reaches the network or the real data directory: an autouse fixture points
``RNN_COURSE_DATA`` at a temporary folder, sets no mirror and lets ``urlopen`` fail.
"""

from __future__ import annotations

import functools
import os
import urllib.request
from pathlib import Path

import keras
import numpy as np
import pytest

from rnn_course import data
from rnn_course.autodiff import value_and_grad
from rnn_course.checks import (
    check_close,
    check_equal,
    check_gradient,
    check_outcome,
    max_abs_diff,
    rel_error,
)
from rnn_course.decoding import StatefulGenerator, per_token_loss, sample_next, softmax
from rnn_course.layers import VanillaRNN, VanillaRNNCell
from rnn_course.layers._validate import (
    check_initial_state,
    check_mask,
    check_sequences,
    check_sequences_shape,
    check_step_input,
    check_units,
)
from rnn_course.models import char_language_model, lstm_classifier
from rnn_course.runtime import by_mode, environment_line, set_seed, setup

X = np.random.default_rng(0).normal(size=(4, 7, 3)).astype("float32")
H0 = np.zeros((4, 5), "float32")
W = np.ones((3, 2))
A_FILE = Path(__file__)  # an existing file: a data folder that is not a directory
BANDS = {"full": (None, 1.75), "fast": (None, 2.9)}


def _with_env(values: dict[str, str], call):
    """A call run with some environment variables set (restored afterwards)."""

    def run():
        saved = {name: os.environ.get(name) for name in values}
        os.environ.update(values)
        try:
            return call()
        finally:
            for name, value in saved.items():
                if value is None:
                    os.environ.pop(name, None)
                else:
                    os.environ[name] = value

    return run


def _built(layer):
    """``layer`` after one call on ``X``, so it is built for 3 features."""
    layer(X)
    return layer


@functools.cache
def _generator():
    """A StatefulGenerator of a tiny GRU language model over 11 tokens (built once)."""
    return StatefulGenerator(char_language_model(11, 3, 4))


def _symbolic(**kwargs):
    """A VanillaRNN called on keras.Input tensors (a functional model under construction)."""
    shapes = {"sequences": (None, 3), **kwargs.pop("shapes", {})}
    sequences = keras.Input(shapes["sequences"])
    return VanillaRNN(5)(sequences, **{k: v() for k, v in kwargs.items()})


# (id, call, exception, regex the message must match)
ROWS = [
    # --- checks: bad arguments of the check are TypeError / ValueError naming the argument ---
    (
        "close-name-none",
        lambda: check_close(None, 1.0, 1.0),
        TypeError,
        r"name must be a string.*got None",
    ),
    (
        "close-name-array",
        lambda: check_close(np.ones(2), np.ones(2), "x"),
        TypeError,
        r"name must be a string.*got ndarray of shape \(2,\)",
    ),
    (
        "close-name-empty",
        lambda: check_close("", 1.0, 1.0),
        ValueError,
        r"name must be a non-empty string.*got ''",
    ),
    (
        "close-name-blank",
        lambda: check_close("   ", 1.0, 1.0),
        ValueError,
        r"non-empty string.*got '   '",
    ),
    (
        "close-atol-zero",
        lambda: check_close("x", 1.0, 1.0, atol=0),
        ValueError,
        r"atol must be a positive finite number.*got atol=0",
    ),
    (
        "close-atol-negative",
        lambda: check_close("x", 1.0, 1.0, atol=-1e-6),
        ValueError,
        r"atol must be a positive.*got atol=-1e-06",
    ),
    (
        "close-atol-nan",
        lambda: check_close("x", 1.0, 1.0, atol=float("nan")),
        ValueError,
        r"atol must be a positive finite.*got atol=nan",
    ),
    (
        "close-atol-inf",
        lambda: check_close("x", 1.0, 2.0, atol=float("inf")),
        ValueError,
        r"atol must be a positive finite.*got atol=inf",
    ),
    (
        "close-atol-str",
        lambda: check_close("x", 1.0, 1.0, atol="1e-6"),
        TypeError,
        r"atol must be a positive number.*got str '1e-6'",
    ),
    (
        "close-atol-bool",
        lambda: check_close("x", 1.0, 1.0, atol=True),
        TypeError,
        r"atol must be a positive number.*got bool True",
    ),
    (
        "close-atol-none",
        lambda: check_close("x", 1.0, 1.0, atol=None),
        TypeError,
        r"atol must be a positive number.*got None",
    ),
    (
        "close-actual-str",
        lambda: check_close("x", "abc", 1.0),
        TypeError,
        r"x: actual must be an array of numbers, got str 'abc'",
    ),
    (
        "close-actual-function",
        lambda: check_close("x", print, 1.0),
        TypeError,
        r"actual must be an array of numbers, got the function print itself",
    ),
    (
        "close-actual-dict",
        lambda: check_close("x", {"a": 1}, 1.0),
        TypeError,
        r"actual must be an array of numbers, got a value of type dict",
    ),
    (
        "close-ragged",
        lambda: check_close("x", [[1.0], [1.0, 2.0]], 1.0),
        TypeError,
        r"actual must be an array of numbers, got a list that is not a rectangular array",
    ),
    (
        "close-strings",
        lambda: check_close("x", np.array(["a"]), np.array([1.0])),
        TypeError,
        r"actual must be an array of numbers.*dtype <U1",
    ),
    # --- checks: values that cannot be a result fail the check, saying what is wrong ---
    (
        "close-none",
        lambda: check_close("h", None, 0.5),
        AssertionError,
        r"h: actual is None, expected an array of numbers.*forget to return",
    ),
    (
        "close-expected-none",
        lambda: check_close("h", 0.5, None),
        AssertionError,
        r"expected is None, expected an array of numbers",
    ),
    (
        "close-empty",
        lambda: check_close("h", [], []),
        AssertionError,
        r"actual is empty \(shape \(0,\)\): there is nothing to compare",
    ),
    (
        "close-empty-2d",
        lambda: check_close("h", np.zeros((0, 3)), np.zeros((0, 3))),
        AssertionError,
        r"empty \(shape \(0, 3\)\)",
    ),
    (
        "close-complex",
        lambda: check_close("h", [1 + 1j], [1.0]),
        AssertionError,
        (
            r"actual holds complex numbers \(dtype complex128\); the check compares real "
            r"values"
        ),
    ),
    (
        "close-nan",
        lambda: check_close("h", [1.0, np.nan], [1.0, 2.0]),
        AssertionError,
        r"actual holds 1 NaN value\(s\) \(of 2\), first at index \(1,\)",
    ),
    (
        "close-nan-both",
        lambda: check_close("h", [np.nan], [np.nan]),
        AssertionError,
        r"actual holds 1 NaN",
    ),
    (
        "close-inf",
        lambda: check_close("h", [1.0, 2.0], [np.inf, 2.0]),
        AssertionError,
        r"expected holds 1 infinite value\(s\) \(of 2\), first at index \(0,\)",
    ),
    (
        "close-shapes",
        lambda: check_close("h", np.ones((2, 3)), np.ones((3, 2))),
        AssertionError,
        (
            r"actual has shape \(2, 3\) but expected has shape \(3, 2\); expected the same "
            r"shape"
        ),
    ),
    (
        "close-differ",
        lambda: check_close("h", [1.0, 2.0], [1.0, 2.5]),
        AssertionError,
        r"max \|difference\| is 0.5, expected < 1e-06",
    ),
    (
        "gradient-name",
        lambda: check_gradient(3, [1.0], [1.0]),
        TypeError,
        r"check_gradient: name must be a string.*got int 3",
    ),
    (
        "gradient-tol-zero",
        lambda: check_gradient("g", [1.0], [1.0], tol=0),
        ValueError,
        (
            r"check_gradient: tol must be a positive finite number \(the check passes when "
            r"relative error < tol\), got tol=0"
        ),
    ),
    (
        "gradient-tol-negative",
        lambda: check_gradient("g", [1.0], [1.0], tol=-1.0),
        ValueError,
        r"tol must be a positive finite.*got tol=-1.0",
    ),
    (
        "gradient-tol-nan",
        lambda: check_gradient("g", [1.0], [1.0], tol=float("nan")),
        ValueError,
        r"tol must be a positive finite.*got tol=nan",
    ),
    (
        "gradient-tol-list",
        lambda: check_gradient("g", [1.0], [1.0], tol=[1e-7]),
        TypeError,
        r"tol must be a positive number.*got a value of type list",
    ),
    (
        "gradient-empty",
        lambda: check_gradient("g", np.array([]), np.array([])),
        AssertionError,
        r"g: analytic is empty",
    ),
    (
        "gradient-none",
        lambda: check_gradient("g", None, [1.0]),
        AssertionError,
        r"analytic is None.*forget to return",
    ),
    (
        "gradient-complex",
        lambda: check_gradient("g", [1.0], [1j]),
        AssertionError,
        r"numerical holds complex numbers",
    ),
    (
        "gradient-nan",
        lambda: check_gradient("g", [np.nan], [1.0]),
        AssertionError,
        r"analytic holds 1 NaN",
    ),
    (
        "gradient-shapes",
        lambda: check_gradient("g", np.ones(3), np.ones((3, 1))),
        AssertionError,
        r"analytic has shape \(3,\) but numerical has shape \(3, 1\)",
    ),
    (
        "gradient-differ",
        lambda: check_gradient("g", [1.0], [1.1]),
        AssertionError,
        r"relative error is 0.0476, expected < 1e-07",
    ),
    (
        "equal-name",
        lambda: check_equal(["x"], 1, 1),
        TypeError,
        r"check_equal: name must be a string.*got a value of type list",
    ),
    (
        "equal-none",
        lambda: check_equal("n", None, None),
        AssertionError,
        r"n: actual is None, expected a value to compare.*forget to return",
    ),
    (
        "equal-expected-none",
        lambda: check_equal("n", 3, None),
        AssertionError,
        r"expected is None",
    ),
    (
        "equal-nan",
        lambda: check_equal("n", float("nan"), float("nan")),
        AssertionError,
        r"actual is NaN, which equals nothing",
    ),
    (
        "equal-differ",
        lambda: check_equal("n", 9, 10),
        AssertionError,
        r"n: got 9, expected 10\.",
    ),
    (
        "equal-array-shapes",
        lambda: check_equal("a", np.ones((2, 3)), np.ones((3, 2))),
        AssertionError,
        r"got an array of shape \(2, 3\), expected shape \(3, 2\)",
    ),
    (
        "equal-array-values",
        lambda: check_equal("a", np.arange(4), np.array([0, 1, 5, 3])),
        AssertionError,
        r"1 of 4 values differ; first at index \(2,\): got 2, expected 5",
    ),
    (
        "equal-array-empty",
        lambda: check_equal("a", np.array([]), np.array([])),
        AssertionError,
        r"the arrays are empty \(shape \(0,\)\)",
    ),
    (
        "equal-array-nan",
        lambda: check_equal("a", np.array([1.0, np.nan]), np.array([1.0, np.nan])),
        AssertionError,
        r"actual holds NaN values \(first at index \(1,\)\)",
    ),
    (
        "equal-list-vs-array",
        lambda: check_equal("a", [1, 2], np.array([1, 3])),
        AssertionError,
        r"1 of 2 values differ.*got 2, expected 3",
    ),
    (
        "equal-tensor",
        lambda: check_equal("a", keras.ops.ones((2,)), np.zeros(2)),
        AssertionError,
        r"2 of 2 values differ",
    ),
    (
        "outcome-name",
        lambda: check_outcome(None, 1.0, **BANDS),
        TypeError,
        r"check_outcome: name must be a string.*got None",
    ),
    (
        "outcome-band-inverted",
        lambda: check_outcome("loss", 1.6, full=(2.0, 1.0), fast=(None, 2.9)),
        ValueError,
        (
            r"full= must be a \(low, high\) tuple.*low <= high; got full=\(2.0, 1.0\), an "
            r"empty band \(low 2 > high 1\)"
        ),
    ),
    (
        "outcome-band-inverted-fast",
        lambda: check_outcome("loss", 1.6, full=(None, 1.75), fast=(3, 2)),
        ValueError,
        r"fast= must be .*got fast=\(3, 2\), an empty band",
    ),
    (
        "outcome-band-nan",
        lambda: check_outcome("loss", 1.6, full=(None, float("nan")), fast=(None, 2.9)),
        ValueError,
        r"full= must be a \(low, high\) tuple of numbers.*its high is NaN",
    ),
    (
        "outcome-band-str",
        lambda: check_outcome("loss", 1.6, full=("0", None), fast=(None, 2.9)),
        TypeError,
        r"full= must be .*its low is str '0'",
    ),
    (
        "outcome-band-number",
        lambda: check_outcome("acc", 0.9, full=0.8, fast=(0.5, None)),
        TypeError,
        r"full= must be a \(low, high\) tuple.*got 0.8",
    ),
    (
        "outcome-band-triple",
        lambda: check_outcome("acc", 0.9, full=(0.8, 1.0), fast=(0.5, 0.6, 0.7)),
        TypeError,
        r"fast= must be a \(low, high\) tuple.*got \(0.5, 0.6, 0.7\)",
    ),
    (
        "outcome-band-missing",
        lambda: check_outcome("acc", 0.9, full=(0.8, None)),
        TypeError,
        r"missing 1 required keyword-only argument: 'fast'",
    ),
    (
        "outcome-value-str",
        lambda: check_outcome("loss", "1.6", **BANDS),
        TypeError,
        r"value must be the measured number, got str '1.6'",
    ),
    (
        "outcome-value-bool",
        lambda: check_outcome("loss", True, **BANDS),
        TypeError,
        r"value must be the measured number, got bool True",
    ),
    (
        "outcome-value-array",
        lambda: check_outcome("loss", np.ones(3), **BANDS),
        TypeError,
        r"value must be a single number, got an array of shape \(3,\)",
    ),
    (
        "outcome-value-none",
        lambda: check_outcome("loss", None, **BANDS),
        AssertionError,
        r"loss is None, expected the measured number.*forget to return",
    ),
    (
        "outcome-value-nan",
        lambda: check_outcome("loss", float("nan"), **BANDS),
        AssertionError,
        r"loss is NaN: the computation diverged",
    ),
    (
        "outcome-value-inf",
        lambda: check_outcome("loss", float("inf"), **BANDS),
        AssertionError,
        r"loss is inf: the computation overflowed",
    ),
    (
        "outcome-outside",
        lambda: check_outcome("loss", 3.5, **BANDS),
        AssertionError,
        r"loss = 3.5 is outside the fast-mode band <= 2.9",
    ),
    (
        "max-abs-diff-none",
        lambda: max_abs_diff(None, [1.0]),
        TypeError,
        r"max_abs_diff: a is None, expected an array of numbers",
    ),
    (
        "max-abs-diff-empty",
        lambda: max_abs_diff([], []),
        ValueError,
        r"max_abs_diff: a is empty \(shape \(0,\)\)",
    ),
    (
        "max-abs-diff-complex",
        lambda: max_abs_diff([1.0], [1j]),
        TypeError,
        r"max_abs_diff: b holds complex numbers",
    ),
    (
        "max-abs-diff-shapes",
        lambda: max_abs_diff(np.zeros(2), np.zeros(3)),
        ValueError,
        (
            r"cannot compare arrays of shapes \(2,\) and \(3,\); expected two arrays of the "
            r"same shape"
        ),
    ),
    (
        "rel-error-empty",
        lambda: rel_error(np.zeros((2, 0)), np.zeros((2, 0))),
        ValueError,
        r"rel_error: a is empty \(shape \(2, 0\)\)",
    ),
    (
        "rel-error-str",
        lambda: rel_error("1", "1"),
        TypeError,
        r"rel_error: a must be an array of numbers, got str '1'",
    ),
    # --- data: registry, store, loaders ---
    (
        "dataset-unknown",
        lambda: data.get_dataset("tiny_shakespear"),
        data.UnknownDatasetError,
        (
            r"Unknown dataset 'tiny_shakespear'\. Did you mean 'tiny_shakespeare'\? Known "
            r"datasets: conll2003"
        ),
    ),
    (
        "dataset-int",
        lambda: data.get_dataset(3),
        TypeError,
        (
            r"A dataset name must be a string, one of conll2003, .*tiny_shakespeare.*; got "
            r"int 3"
        ),
    ),
    (
        "dataset-none",
        lambda: data.get_dataset(None),
        TypeError,
        r"dataset name must be a string.*got NoneType None",
    ),
    (
        "dataset-list",
        lambda: data.get_dataset(["imdb"]),
        TypeError,
        r"dataset name must be a string.*got list \['imdb'\]",
    ),
    (
        "dataset-file-unknown",
        lambda: data.get_dataset("tiny_shakespeare").file("input.tx"),
        data.DataError,
        r"no file 'input.tx'\. Did you mean 'input.txt'\?",
    ),
    (
        "dataset-file-int",
        lambda: data.get_dataset("imdb").file(3),
        TypeError,
        (
            r"relpath must be a file's path in dataset 'imdb' as a string, e.g\. "
            r"'README.aclImdb.txt'; got int 3"
        ),
    ),
    (
        "fetch-file-name",
        lambda: data.fetch_file(None, "input.txt"),
        TypeError,
        r"dataset name must be a string.*got NoneType None",
    ),
    (
        "fetch-file-relpath",
        lambda: data.fetch_file("tiny_shakespeare", None),
        TypeError,
        r"relpath must be .* as a string, e\.g\. 'input.txt'; got NoneType None",
    ),
    (
        "fetch-file-unknown",
        lambda: data.fetch_file("tiny_shakespeare", "../input.txt"),
        data.DataError,
        r"no file '../input.txt'.*Did you mean 'input.txt'",
    ),
    (
        "fetch-name",
        lambda: data.fetch(42),
        TypeError,
        r"dataset name must be a string.*got int 42",
    ),
    (
        "fetch-unknown",
        lambda: data.fetch("imbd"),
        data.UnknownDatasetError,
        r"Unknown dataset 'imbd'\. Did you mean 'imdb'\?",
    ),
    (
        "data-dir-is-a-file",
        _with_env({"RNN_COURSE_DATA": str(A_FILE)}, data.data_dir),
        data.DataError,
        r"RNN_COURSE_DATA='.*test_bad_inputs.py' must name a directory, but it is a file",
    ),
    (
        "data-dir-under-a-file",
        _with_env(
            {"RNN_COURSE_DATA": str(A_FILE / "sub")},
            lambda: data.fetch_file("tiny_shakespeare", "input.txt"),
        ),
        data.DataError,
        (
            r"must name a directory, but it lies under '.*test_bad_inputs.py', which is a "
            r"file"
        ),
    ),
    (
        "mirror-missing",
        _with_env({"RNN_COURSE_MIRROR": str(A_FILE / "missing")}, data.mirror_dir),
        data.DataError,
        (
            r"RNN_COURSE_MIRROR=.*but that directory does not exist \(or is not a "
            r"directory\)"
        ),
    ),
    (
        "split-unknown",
        lambda: data.load_tiny_shakespeare("valid"),
        ValueError,
        (
            r"Unknown split 'valid' for tiny_shakespeare\. Did you mean 'validation'\? Use "
            r"None or one of 'all', 'train', 'validation', 'test'"
        ),
    ),
    (
        "split-int",
        lambda: data.load_tiny_shakespeare(1),
        TypeError,
        r"split must be None or one of 'all', 'train', 'validation', 'test'; got int 1",
    ),
    (
        "split-list",
        lambda: data.load_tiny_shakespeare(["train"]),
        TypeError,
        r"split must be None or one of .*got list \['train'\]",
    ),
    (
        "imdb-split-unknown",
        lambda: data.load_imdb("validation"),
        ValueError,
        r"Unknown split 'validation' for imdb\. Use one of 'train', 'test'",
    ),
    (
        "imdb-split-none",
        lambda: data.load_imdb(None),
        TypeError,
        r"split must be one of 'train', 'test'; got NoneType None",
    ),
    (
        "rt-polarity-split-unknown",
        lambda: data.load_rt_polarity("dev"),
        ValueError,
        (
            r"Unknown split 'dev' for rt_polarity\. Did you mean 'validation'\? Use None or "
            r"one of 'all', 'train', 'validation', 'test'"
        ),
    ),
    (
        "rt-polarity-split-int",
        lambda: data.load_rt_polarity(0),
        TypeError,
        r"split must be None or one of 'all', 'train', 'validation', 'test'; got int 0",
    ),
    (
        "sst2-test-has-no-labels",
        lambda: data.load_sst2("test"),
        ValueError,
        r"SST-2 has no labelled test split: GLUE keeps the test labels hidden.*'validation'",
    ),
    (
        "sst2-split-dev",
        lambda: data.load_sst2("dev"),
        ValueError,
        r"Unknown split 'dev' for sst2\. Did you mean 'validation'\? Use one of 'train', ",
    ),
    (
        "sst2-split-list",
        lambda: data.load_sst2(["train"]),
        TypeError,
        r"split must be one of 'train', 'validation'; got list \['train'\]",
    ),
    (
        "conll2003-split-valid",
        lambda: data.load_conll2003("valid"),
        ValueError,
        r"Unknown split 'valid' for conll2003\. Did you mean 'validation'\?",
    ),
    (
        "conll2003-tags-unknown",
        lambda: data.load_conll2003("train", tags="NER"),
        ValueError,
        r"tags must be one of 'ner', 'pos', 'chunk' .*; got str 'NER'",
    ),
    (
        "conll2003-tags-int",
        lambda: data.load_conll2003("train", tags=3),
        TypeError,
        r"tags must be one of 'ner', 'pos', 'chunk' .*; got int 3",
    ),
    (
        "wnut17-split-none",
        lambda: data.load_wnut17(None),
        TypeError,
        r"split must be one of 'train', 'validation', 'test'; got NoneType None",
    ),
    (
        "wnut17-split-typo",
        lambda: data.load_wnut17("tets"),
        ValueError,
        r"Unknown split 'tets' for wnut17\. Did you mean 'test'\?",
    ),
    (
        "fsdd-split-unknown",
        lambda: data.load_free_spoken_digit("validation"),
        ValueError,
        r"Unknown split 'validation' for free_spoken_digit\. Use None or one of 'all', 'train'",
    ),
    (
        "fsdd-speaker-typo",
        lambda: data.load_free_spoken_digit(speakers="jakson"),
        ValueError,
        r"Unknown FSDD speaker 'jakson'\. Did you mean 'jackson'\? The speakers are 'george'",
    ),
    (
        "fsdd-speakers-int",
        lambda: data.load_free_spoken_digit(speakers=3),
        TypeError,
        r"speakers must be None, a speaker's name or a list of names from .*; got int 3",
    ),
    (
        "fsdd-speakers-empty",
        lambda: data.load_free_spoken_digit(speakers=[]),
        ValueError,
        r"speakers is empty; give at least one of 'george', .* or None for all",
    ),
    (
        "windows-text",
        lambda: data.random_windows("First Citizen", 3, 2, rng=0),
        TypeError,
        (
            r"ids must be a 1-D array of integer token ids, got a str \(text: map it to ids "
            r"first\)"
        ),
    ),
    (
        "windows-none",
        lambda: data.random_windows(None, 3, 2, rng=0),
        TypeError,
        r"ids must be a 1-D array of integer token ids, got None",
    ),
    (
        "windows-2d",
        lambda: data.random_windows(np.zeros((4, 10), int), 3, 2, rng=0),
        ValueError,
        r"ids must be a 1-D array of token ids, got shape \(4, 10\)",
    ),
    (
        "windows-float-ids",
        lambda: data.random_windows(np.linspace(0, 1, 10), 3, 2, rng=0),
        TypeError,
        r"ids must hold integers \(token ids\), got dtype float64",
    ),
    (
        "windows-negative-ids",
        lambda: data.random_windows(np.array([3, -1, 2, 5]), 2, 2, rng=0),
        ValueError,
        r"ids must be non-negative token ids, got -1 at index 1",
    ),
    (
        "windows-too-long",
        lambda: data.random_windows(np.arange(10), 10, 2, rng=0),
        ValueError,
        r"ids has 10 tokens; windows of seq_len=10 .* need at least seq_len \+ 1 = 11",
    ),
    (
        "windows-empty",
        lambda: data.random_windows(np.array([], int), 1, 2, rng=0),
        ValueError,
        r"ids has 0 tokens.*need at least seq_len \+ 1 = 2",
    ),
    (
        "windows-seq-len-zero",
        lambda: data.random_windows(np.arange(10), 0, 2, rng=0),
        ValueError,
        r"seq_len must be a positive integer, got 0",
    ),
    (
        "windows-seq-len-negative",
        lambda: data.random_windows(np.arange(10), -3, 2, rng=0),
        ValueError,
        r"seq_len must be a positive integer, got -3",
    ),
    (
        "windows-seq-len-float",
        lambda: data.random_windows(np.arange(10), 2.5, 2, rng=0),
        ValueError,
        r"seq_len must be a positive integer, got 2.5",
    ),
    (
        "windows-batch-zero",
        lambda: data.random_windows(np.arange(10), 3, 0, rng=0),
        ValueError,
        r"batch_size must be a positive integer, got 0",
    ),
    (
        "windows-batch-bool",
        lambda: data.random_windows(np.arange(10), 3, True, rng=0),
        ValueError,
        r"batch_size must be a positive integer, got True",
    ),
    (
        "windows-rng-none",
        lambda: data.random_windows(np.arange(10), 3, 2, rng=None),
        TypeError,
        r"rng must be a numpy.random.Generator or an int seed, got NoneType None",
    ),
    (
        "windows-rng-float",
        lambda: data.random_windows(np.arange(10), 3, 2, rng=0.5),
        TypeError,
        r"rng must be a numpy.random.Generator or an int seed, got float 0.5",
    ),
    (
        "windows-rng-negative",
        lambda: data.random_windows(np.arange(10), 3, 2, rng=-1),
        ValueError,
        r"rng, an int seed, must be non-negative, got -1",
    ),
    (
        "windows-rng-legacy",
        lambda: data.random_windows(np.arange(10), 3, 2, rng=np.random.RandomState(0)),
        TypeError,
        r"rng must be a numpy.random.Generator or an int seed, got RandomState",
    ),
    # --- layers: the cell, and the layer in eager and symbolic calls ---
    (
        "units-zero",
        lambda: VanillaRNNCell(0),
        ValueError,
        r"units must be a positive integer \(the size of VanillaRNNCell's state\), got 0",
    ),
    (
        "units-str",
        lambda: VanillaRNN("8"),
        ValueError,
        r"units must be a positive integer .*got '8'",
    ),
    (
        "units-float",
        lambda: VanillaRNN(2.5),
        ValueError,
        r"units must be a positive integer .*got 2.5",
    ),
    (
        "cell-build-rank",
        lambda: VanillaRNNCell(5).build((4, 7, 3)),
        ValueError,
        (
            r"VanillaRNNCell expects each step's input x_t of shape \(batch, features\); "
            r"got shape \(4, 7, 3\)"
        ),
    ),
    (
        "cell-build-features",
        lambda: VanillaRNNCell(5).build((None, None)),
        ValueError,
        r"needs a known number of input features .*got input shape \(None, None\)",
    ),
    (
        "cell-features",
        lambda: _built(VanillaRNN(5)).cell(X[:, 0, :2], [H0]),
        ValueError,
        (
            r"VanillaRNNCell was built for 3 input features, but the input has 2 features "
            r"\(shape \(4, 2\)\)"
        ),
    ),
    (
        "layer-rank-2",
        lambda: VanillaRNN(5)(X[:, 0, :]),
        ValueError,
        (
            r"VanillaRNN expects sequences of shape \(batch, time, features\), rank 3; got "
            r"shape \(4, 3\) \(rank 2\)\. For one sequence, add the batch axis"
        ),
    ),
    (
        "layer-rank-2-built",
        lambda: _built(VanillaRNN(5))(X[:, 0, :]),
        ValueError,
        r"rank 3; got shape \(4, 3\) \(rank 2\)",
    ),
    (
        "layer-rank-4",
        lambda: VanillaRNN(5)(X[..., None]),
        ValueError,
        r"rank 3; got shape \(4, 7, 3, 1\) \(rank 4\)",
    ),
    (
        "layer-zero-steps",
        lambda: VanillaRNN(5)(X[:, :0]),
        ValueError,
        (
            r"VanillaRNN expects sequences of at least one time step; got shape \(4, 0, "
            r"3\), with 0 steps"
        ),
    ),
    (
        "layer-zero-steps-built",
        lambda: _built(VanillaRNN(5))(X[:, :0]),
        ValueError,
        r"at least one time step; got shape \(4, 0, 3\)",
    ),
    (
        "layer-features",
        lambda: _built(VanillaRNN(5))(X[:, :, :2]),
        ValueError,
        (
            r"VanillaRNN was built for 3 input features, but the input has 2 features "
            r"\(shape \(4, 7, 2\)\)"
        ),
    ),
    (
        "layer-int-dtype",
        lambda: _built(VanillaRNN(5))(X.astype("int32")),
        TypeError,
        r"VanillaRNN expects floating-point inputs, got dtype int32\. Convert token ids",
    ),
    (
        "layer-bool-dtype",
        lambda: VanillaRNN(5)(X > 0),
        TypeError,
        r"floating-point inputs, got dtype bool",
    ),
    (
        "state-rank-1",
        lambda: VanillaRNN(5)(X, initial_state=np.zeros(5, "float32")),
        ValueError,
        (
            r"initial_state\[0\] \(h_0\) must have shape \(4, 5\), one state per sequence; "
            r"got shape \(5,\) \(rank 1\)\. Add the batch axis"
        ),
    ),
    (
        "state-rank-1-listed",
        lambda: VanillaRNN(5)(X, initial_state=[np.zeros(5, "float32")]),
        ValueError,
        r"initial_state\[0\] \(h_0\) must have shape \(4, 5\).*got shape \(5,\)",
    ),
    (
        "state-rank-3",
        lambda: VanillaRNN(5)(X, initial_state=[H0[None]]),
        ValueError,
        r"must have shape \(4, 5\).*got shape \(1, 4, 5\) \(rank 3\)",
    ),
    (
        "state-units",
        lambda: VanillaRNN(5)(X, initial_state=[np.zeros((4, 6), "float32")]),
        ValueError,
        (
            r"initial_state\[0\] \(h_0\) must have shape \(4, 5\), the cell's state size 5; "
            r"got shape \(4, 6\)"
        ),
    ),
    (
        "state-batch",
        lambda: VanillaRNN(5)(X, initial_state=[np.zeros((3, 5), "float32")]),
        ValueError,
        (
            r"must have shape \(4, 5\), one row per sequence of the batch of 4; got shape "
            r"\(3, 5\)"
        ),
    ),
    (
        "state-batch-1-broadcast",
        lambda: VanillaRNN(5)(X, initial_state=[np.zeros((1, 5), "float32")]),
        ValueError,
        r"one row per sequence of the batch of 4; got shape \(1, 5\)",
    ),
    (
        "state-two",
        lambda: VanillaRNN(5)(X, initial_state=[H0, H0]),
        ValueError,
        (
            r"VanillaRNN takes an initial_state of 1 tensor\(s\) \(h_0\), one per state of "
            r"its cell: a list of shapes \[\(4, 5\)\]; got 2 tensor\(s\)"
        ),
    ),
    (
        "state-empty-list",
        lambda: VanillaRNN(5)(X, initial_state=[]),
        ValueError,
        r"initial_state of 1 tensor\(s\).*got 0 tensor\(s\)",
    ),
    (
        "state-str-dtype",
        lambda: check_initial_state("L", [np.array([["a"] * 5] * 4)], 5, X.shape),
        TypeError,
        r"L: initial_state\[0\] must hold numbers \(floating point\), got dtype",
    ),
    (
        "mask-long",
        lambda: VanillaRNN(5)(X, mask=np.ones((4, 8), bool)),
        ValueError,
        (
            r"mask must have shape \(4, 7\), matching the sequences of shape \(4, 7, 3\); "
            r"got shape \(4, 8\) \(8 time steps instead of 7\)"
        ),
    ),
    (
        "mask-short",
        lambda: VanillaRNN(5)(X, mask=np.ones((4, 6), bool)),
        ValueError,
        r"got shape \(4, 6\) \(6 time steps instead of 7\)",
    ),
    (
        "mask-batch",
        lambda: VanillaRNN(5)(X, mask=np.ones((3, 7), bool)),
        ValueError,
        r"mask must have shape \(4, 7\).*got shape \(3, 7\) \(3 sequences instead of 4\)",
    ),
    (
        "mask-rank-1",
        lambda: VanillaRNN(5)(X, mask=np.ones(4, bool)),
        ValueError,
        (
            r"mask must have shape \(4, 7\), one flag per sequence and time step.*got shape "
            r"\(4,\) \(rank 1\)"
        ),
    ),
    (
        "mask-rank-3",
        lambda: VanillaRNN(5)(X, mask=np.ones((4, 7, 3), bool)),
        ValueError,
        r"mask must have shape \(4, 7\).*got shape \(4, 7, 3\) \(rank 3\)",
    ),
    (
        "symbolic-zero-steps",
        lambda: VanillaRNN(5)(keras.Input((0, 3))),
        ValueError,
        r"at least one time step; got shape \(None, 0, 3\)",
    ),
    (
        "symbolic-rank-2",
        lambda: VanillaRNN(5)(keras.Input((3,))),
        ValueError,
        r"rank 3; got shape \(None, 3\) \(rank 2\)",
    ),
    (
        "symbolic-int",
        lambda: VanillaRNN(5)(keras.Input((None, 3), dtype="int32")),
        TypeError,
        r"floating-point inputs, got dtype int32",
    ),
    (
        "symbolic-state-units",
        lambda: _symbolic(initial_state=lambda: [keras.Input((6,))]),
        ValueError,
        (
            r"initial_state\[0\] \(h_0\) must have shape \(batch, 5\), the cell's state "
            r"size 5; got shape \(None, 6\)"
        ),
    ),
    (
        "symbolic-state-rank-3",
        lambda: _symbolic(initial_state=lambda: [keras.Input((4, 5))]),
        ValueError,
        r"must have shape \(batch, 5\).*got shape \(None, 4, 5\) \(rank 3\)",
    ),
    (
        "symbolic-state-two",
        lambda: _symbolic(initial_state=lambda: [keras.Input((5,)), keras.Input((5,))]),
        ValueError,
        r"takes an initial_state of 1 tensor\(s\) \(h_0\).*\[\(batch, 5\)\]; got 2",
    ),
    (
        "symbolic-mask-time",
        lambda: _symbolic(
            shapes={"sequences": (7, 3)}, mask=lambda: keras.Input((8,), dtype="bool")
        ),
        ValueError,
        (
            r"mask must have shape \(batch, 7\), matching the sequences of shape \(None, 7, "
            r"3\); got shape \(None, 8\)"
        ),
    ),
    (
        "symbolic-mask-rank-3",
        lambda: _symbolic(mask=lambda: keras.Input((7, 1), dtype="bool")),
        ValueError,
        r"mask must have shape \(batch, time\).*got shape \(None, 7, 1\) \(rank 3\)",
    ),
    (
        "symbolic-features",
        lambda: VanillaRNN(5)(keras.Input((None, None))),
        ValueError,
        r"needs a known number of input features .*got input shape \(None, None\)",
    ),
    # --- layers: the shared checks, called directly as another layer would ---
    (
        "check-units-bool",
        lambda: check_units("GRUCell", True),
        ValueError,
        r"units must be a positive integer \(the size of GRUCell's state\), got True",
    ),
    (
        "check-step-rank",
        lambda: check_step_input("LSTMCell", X, 3),
        ValueError,
        (
            r"LSTMCell expects each step's input x_t of shape \(batch, features\), rank 2; "
            r"got shape \(4, 7, 3\) \(rank 3\)\. For whole sequences"
        ),
    ),
    (
        "check-step-features",
        lambda: check_step_input("LSTMCell", X[:, 0], 8),
        ValueError,
        r"LSTMCell was built for 8 input features, but the input has 3 features",
    ),
    (
        "check-step-dtype",
        lambda: check_step_input("LSTMCell", np.ones((2, 3), "int64"), 3),
        TypeError,
        r"LSTMCell expects floating-point inputs, got dtype int64",
    ),
    (
        "check-sequences-features",
        lambda: check_sequences("GRU", X, 4),
        ValueError,
        (
            r"GRU was built for 4 input features, but the input has 3 features \(shape \(4, "
            r"7, 3\)\)"
        ),
    ),
    (
        "check-sequences-shape",
        lambda: check_sequences_shape("GRU", (None, 0, 3)),
        ValueError,
        r"GRU expects sequences of at least one time step; got shape \(None, 0, 3\)",
    ),
    (
        "lstm-state-count",
        lambda: check_initial_state("LSTM", [H0], [5, 5], X.shape, ("h_0", "c_0")),
        ValueError,
        (
            r"LSTM takes an initial_state of 2 tensor\(s\) \(h_0, c_0\), one per state of "
            r"its cell: a list of shapes \[\(4, 5\), \(4, 5\)\]; got 1 tensor\(s\)"
        ),
    ),
    (
        "lstm-state-single",
        lambda: check_initial_state("LSTM", H0, [5, 5], X.shape),
        ValueError,
        r"initial_state of 2 tensor\(s\).*got 1 tensor\(s\)",
    ),
    (
        "lstm-state-c-shape",
        lambda: check_initial_state(
            "LSTM", [H0, np.zeros((4, 4))], [5, 5], X.shape, ("h_0", "c_0")
        ),
        ValueError,
        (
            r"LSTM: initial_state\[1\] \(c_0\) must have shape \(4, 5\), the cell's state "
            r"size 5; got shape \(4, 4\)"
        ),
    ),
    (
        "lstm-state-none",
        lambda: check_initial_state("LSTM", [H0, None], [5, 5], X.shape),
        TypeError,
        r"initial_state\[1\] is None, expected a tensor of shape \(4, 5\)",
    ),
    (
        "state-not-a-tensor",
        lambda: check_initial_state("GRU", ["h"], 5, X.shape),
        TypeError,
        r"GRU: initial_state\[0\] must be a tensor of shape \(4, 5\), got str",
    ),
    (
        "mask-dtype",
        lambda: check_mask("GRU", np.array([["y"] * 7] * 4), X.shape),
        TypeError,
        r"GRU: mask must be boolean, got dtype",
    ),
    (
        "mask-not-a-tensor",
        lambda: check_mask("GRU", "all", X.shape),
        TypeError,
        r"GRU: mask must be a boolean tensor of shape \(4, 7\), got str",
    ),
    # --- runtime ---
    (
        "seed-negative",
        lambda: set_seed(-1),
        ValueError,
        r"set_seed: seed must be a non-negative integer below 2\*\*32, got -1",
    ),
    (
        "seed-too-big",
        lambda: set_seed(2**32),
        ValueError,
        r"seed must be a non-negative integer below 2\*\*32, got 4294967296",
    ),
    (
        "seed-float",
        lambda: set_seed(1.5),
        TypeError,
        r"set_seed: seed must be a non-negative integer.*got float 1.5",
    ),
    (
        "seed-bool",
        lambda: set_seed(True),
        TypeError,
        r"seed must be a non-negative integer.*got bool True",
    ),
    (
        "seed-none",
        lambda: set_seed(None),
        TypeError,
        r"seed must be a non-negative integer.*got NoneType None",
    ),
    (
        "setup-seed",
        lambda: setup("0"),
        TypeError,
        r"setup: seed must be a non-negative integer.*got str '0'",
    ),
    (
        "setup-seed-negative",
        lambda: setup(-5, verbose=False),
        ValueError,
        r"setup: seed must be a non-negative integer.*got -5",
    ),
    (
        "setup-verbose",
        lambda: setup(0, verbose="no"),
        TypeError,
        r"setup: verbose must be True or False, got str 'no'",
    ),
    (
        "setup-mode",
        _with_env({"RNN_COURSE_MODE": "quick"}, setup),
        ValueError,
        r"RNN_COURSE_MODE='quick' is not a run mode\. Expected one of full, fast",
    ),
    (
        "by-mode-str-vs-int",
        lambda: by_mode(full=20, fast="2"),
        TypeError,
        (
            r"by_mode: full= and fast= must be values of the same kind.*got full=20 \(a "
            r"number\) and fast='2' \(a string\)"
        ),
    ),
    (
        "by-mode-bool-vs-int",
        lambda: by_mode(full=True, fast=0),
        TypeError,
        r"got full=True \(a bool\) and fast=0 \(a number\)",
    ),
    (
        "by-mode-positional",
        lambda: by_mode(20, 2),
        TypeError,
        r"by_mode\(\) takes 0 positional arguments",
    ),
    (
        "by-mode-missing",
        lambda: by_mode(full=20),
        TypeError,
        r"missing 1 required keyword-only argument: 'fast'",
    ),
    (
        "environment-line-mode",
        lambda: environment_line("slow"),
        ValueError,
        r"environment_line: mode must be None or one of \('full', 'fast'\), got 'slow'",
    ),
    # --- autodiff ---
    (
        "grad-fn",
        lambda: value_and_grad(3, [W]),
        TypeError,
        (
            r"value_and_grad: fn must be a function of the parameters returning a scalar "
            r"tensor, got int 3"
        ),
    ),
    (
        "grad-params-array",
        lambda: value_and_grad(keras.ops.sum, W),
        TypeError,
        (
            r"params must be a list or tuple of floating-point NumPy arrays, got a single "
            r"array of shape \(3, 2\); wrap it in a list: \[W\]"
        ),
    ),
    (
        "grad-params-empty",
        lambda: value_and_grad(lambda: 0.0, []),
        ValueError,
        r"params must be a list or tuple .*got an empty list",
    ),
    (
        "grad-params-dict",
        lambda: value_and_grad(keras.ops.sum, {"W": W}),
        TypeError,
        r"params must be a list or tuple .*got dict",
    ),
    (
        "grad-params-none",
        lambda: value_and_grad(keras.ops.sum, None),
        TypeError,
        r"params must be a list or tuple .*got NoneType",
    ),
    (
        "grad-param-none",
        lambda: value_and_grad(keras.ops.sum, [None]),
        TypeError,
        r"params\[0\] must be a floating-point array, got None",
    ),
    (
        "grad-param-int",
        lambda: value_and_grad(keras.ops.sum, [np.ones(3, int)]),
        TypeError,
        (
            r"params\[0\] must be a floating-point array \(autodiff has no gradient for "
            r"other dtypes\), got dtype int64"
        ),
    ),
    (
        "grad-param-ragged",
        lambda: value_and_grad(keras.ops.sum, [[[1.0], [1.0, 2.0]]]),
        TypeError,
        r"params\[0\] must be a floating-point array, got list",
    ),
    (
        "grad-returns-none",
        lambda: value_and_grad(lambda w: None, [W]),
        TypeError,
        (
            r"fn returned None, expected a scalar tensor \(the loss\)\. Did it forget to "
            r"`return` it\?"
        ),
    ),
    (
        "grad-returns-vector",
        lambda: value_and_grad(lambda w: w * 2, [W]),
        ValueError,
        (
            r"fn must return a scalar \(shape \(\)\), got a tensor of shape \(3, 2\)\. "
            r"Reduce it"
        ),
    ),
    (
        "grad-uses-numpy",
        lambda: value_and_grad(lambda w: np.sum(np.asarray(w)), [W]),
        TypeError,
        r"fn computes with NumPy, not with backend tensors",
    ),
    # --- models ---
    (
        "classifier-vocab-float",
        lambda: lstm_classifier(100.0, 8, 8, 2),
        TypeError,
        r"lstm_classifier: vocab_size must be an integer >= 1, got 100.0 \(type float\)",
    ),
    (
        "classifier-hidden-zero",
        lambda: lstm_classifier(100, 8, 0, 2),
        ValueError,
        r"lstm_classifier: hidden_dim must be >= 1, got 0",
    ),
    (
        "classifier-output-none",
        lambda: lstm_classifier(100, 8, 8, None),
        TypeError,
        r"output_dim must be an integer >= 1, got None",
    ),
    (
        "classifier-layers-bool",
        lambda: lstm_classifier(100, 8, 8, 2, n_layers=True),
        TypeError,
        r"n_layers must be an integer >= 1, got True \(type bool\)",
    ),
    (
        "classifier-dropout-one",
        lambda: lstm_classifier(100, 8, 8, 2, dropout=1.0),
        ValueError,
        r"lstm_classifier: dropout must be in \[0, 1\) \(the fraction of units to drop\), got 1.0",
    ),
    (
        "classifier-dropout-str",
        lambda: lstm_classifier(100, 8, 8, 2, dropout="0.5"),
        TypeError,
        r"dropout must be a number in \[0, 1\), got '0.5'",
    ),
    (
        "classifier-bidirectional-str",
        lambda: lstm_classifier(100, 8, 8, 2, bidirectional="yes"),
        TypeError,
        r"lstm_classifier: bidirectional must be True or False, got 'yes'",
    ),
    (
        "classifier-mask-vocab-1",
        lambda: lstm_classifier(1, 8, 8, 2),
        ValueError,
        r"id 0 is padding, so vocab_size must be at least 2 .*got 1",
    ),
    (
        "classifier-name-empty",
        lambda: lstm_classifier(100, 8, 8, 2, name=""),
        TypeError,
        r"lstm_classifier: name must be a non-empty string, got ''",
    ),
    (
        "char-lm-cell-unknown",
        lambda: char_language_model(10, 4, 8, cell="rnn"),
        ValueError,
        r"char_language_model: cell must be one of \['gru', 'lstm'\], got 'rnn'",
    ),
    (
        "char-lm-cell-class",
        lambda: char_language_model(10, 4, 8, cell=keras.layers.GRU),
        TypeError,
        r"cell must be one of \['gru', 'lstm'\] \(a string\), got <class",
    ),
    (
        "char-lm-cell-positional",
        lambda: char_language_model(10, 4, 8, "lstm"),
        TypeError,
        r"takes 3 positional arguments but 4 were given",
    ),
    (
        "char-lm-units-negative",
        lambda: char_language_model(10, 4, -8),
        ValueError,
        r"char_language_model: units must be >= 1, got -8",
    ),
    (
        "char-lm-dropout-negative",
        lambda: char_language_model(10, 4, 8, dropout=-0.1),
        ValueError,
        r"char_language_model: dropout must be in \[0, 1\)",
    ),
    # --- decoding: sampling ---
    (
        "sample-temperature-negative",
        lambda: sample_next([1.0, 2.0], temperature=-1, rng=0),
        ValueError,
        r"sample_next: temperature must be a finite number >= 0 \(0 = greedy\), got -1",
    ),
    (
        "sample-temperature-nan",
        lambda: sample_next([1.0, 2.0], temperature=float("nan"), rng=0),
        ValueError,
        r"temperature must be a finite number >= 0.*got nan",
    ),
    (
        "sample-temperature-str",
        lambda: sample_next([1.0, 2.0], temperature="hot", rng=0),
        TypeError,
        r"sample_next: temperature must be a number >= 0 \(0 = greedy\), got 'hot'",
    ),
    (
        "sample-top-k-zero",
        lambda: sample_next([1.0, 2.0], top_k=0, rng=0),
        ValueError,
        r"sample_next: top_k must be >= 1, got 0",
    ),
    (
        "sample-top-k-float",
        lambda: sample_next([1.0, 2.0], top_k=2.5, rng=0),
        TypeError,
        r"sample_next: top_k must be an integer >= 1, got 2.5 \(type float\)",
    ),
    (
        "sample-no-rng",
        lambda: sample_next([1.0, 2.0]),
        TypeError,
        r"sample_next: sampling \(temperature > 0\) needs rng, a numpy.random.Generator .*None",
    ),
    (
        "sample-rng-str",
        lambda: sample_next([1.0, 2.0], rng="seed"),
        TypeError,
        r"rng must be a numpy.random.Generator \(or a non-negative int seed\), got 'seed'",
    ),
    (
        "sample-logits-nan",
        lambda: sample_next([1.0, np.nan], temperature=0),
        ValueError,
        r"sample_next: logits hold NaN or \+inf values.*did training diverge",
    ),
    (
        "sample-logits-all-neg-inf",
        lambda: sample_next([-np.inf, -np.inf], rng=0),
        ValueError,
        r"every logit of a row is -inf, so no token can be chosen",
    ),
    (
        "sample-logits-rank-3",
        lambda: sample_next(np.zeros((2, 3, 4)), temperature=0),
        ValueError,
        r"logits must have shape \(vocab,\) or \(batch, vocab\).*got shape \(2, 3, 4\)",
    ),
    (
        "sample-logits-empty",
        lambda: sample_next([], temperature=0),
        ValueError,
        r"with vocab >= 1, got shape \(0,\)",
    ),
    (
        "sample-logits-str",
        lambda: sample_next(["a", "b"], temperature=0),
        TypeError,
        r"sample_next: logits must be an array of numbers .*got dtype <U1",
    ),
    (
        "sample-logits-none",
        lambda: sample_next(None, temperature=0),
        TypeError,
        r"logits must be an array of numbers .*got dtype object",
    ),
    (
        "softmax-temperature-zero",
        lambda: softmax([1.0, 2.0], temperature=0),
        ValueError,
        r"softmax: temperature must be > 0; at 0 .*use greedy",
    ),
    # --- decoding: stateful generation ---
    (
        "generator-not-a-model",
        lambda: StatefulGenerator("model.keras"),
        TypeError,
        r"StatefulGenerator: model must be a model built by rnn_course.char_language_model.*str",
    ),
    (
        "generator-bidirectional",
        lambda: StatefulGenerator(lstm_classifier(10, 3, 4, 2, bidirectional=True)),
        ValueError,
        r"its layer lstm_0 is Bidirectional.*cannot generate",
    ),
    (
        "generator-classifier",
        lambda: StatefulGenerator(lstm_classifier(10, 3, 4, 2, mask_zero=False)),
        ValueError,
        r"its layer lstm_0 does not return its output sequence forwards",
    ),
    (
        "generator-no-embedding",
        lambda: StatefulGenerator(keras.Sequential([keras.Input((5, 3)), keras.layers.Dense(4)])),
        ValueError,
        r"char_language_model \(Embedding, GRU or LSTM .*its first layer is not an Embedding",
    ),
    (
        "generate-empty-prompt",
        lambda: _generator().generate([], 5),
        ValueError,
        r"generate: prompt_ids must have shape \(time,\) or \(batch, time\) with at least 1 "
        r"token\(s\), got shape \(0,\)",
    ),
    (
        "generate-prompt-id-too-large",
        lambda: _generator().generate([3, 11], 5),
        ValueError,
        r"prompt_ids must be ids in 0 ... 10 \(the model's vocab_size is 11\), got 11",
    ),
    (
        "generate-prompt-float",
        lambda: _generator().generate([1.0, 2.0], 5),
        TypeError,
        r"prompt_ids must be integer token ids .*got dtype float64",
    ),
    (
        "generate-prompt-ragged",
        lambda: _generator().generate([[1, 2], [3]], 5),
        TypeError,
        r"prompt_ids must be integer token ids .*got dtype object",
    ),
    (
        "generate-n-negative",
        lambda: _generator().generate([1], -1),
        ValueError,
        r"StatefulGenerator.generate: n must be >= 0, got -1",
    ),
    (
        "generate-seed-str",
        lambda: _generator().generate([1], 3, seed="0"),
        TypeError,
        r"generate: seed must be a non-negative int or a numpy.random.Generator, got '0'",
    ),
    (
        "generate-temperature-negative",
        lambda: _generator().generate([1], 3, temperature=-0.5),
        ValueError,
        r"generate: temperature must be a finite number >= 0",
    ),
    (
        "step-states-count",
        lambda: _generator().step([1], [np.zeros((1, 4)), np.zeros((1, 4))]),
        ValueError,
        r"states must be the list returned by the previous step: 1 array\(s\), "
        r"rnn_0.h \(1, 4\); got 2 state\(s\)",
    ),
    (
        "step-state-batch",
        lambda: _generator().step([[1], [2]], [np.zeros((1, 4))]),
        ValueError,
        r"state rnn_0.h must have shape \(2, 4\), one row per sequence of ids; got shape \(1, 4\)",
    ),
    (
        "per-token-loss-one-token",
        lambda: per_token_loss(char_language_model(11, 3, 4), [5]),
        ValueError,
        r"per_token_loss: ids must have shape .*with at least 2 token\(s\), got shape \(1,\)",
    ),
    (
        "per-token-loss-classifier",
        lambda: per_token_loss(lstm_classifier(11, 3, 4, 2), [5, 6, 7]),
        ValueError,
        r"model must return logits of shape \(batch, time, vocab\).*returns shape \(None, 2\)",
    ),
    (
        "per-token-loss-not-a-model",
        lambda: per_token_loss(np.zeros((2, 3)), [1, 2]),
        TypeError,
        r"per_token_loss: model must be a Keras model .*got ndarray",
    ),
]


@pytest.fixture(autouse=True)
def isolated(monkeypatch, tmp_path):
    """A temporary data dir, no mirror, no network, fast mode."""
    data.clear_cache()
    monkeypatch.setenv("RNN_COURSE_DATA", str(tmp_path / "course_data"))
    monkeypatch.setenv("RNN_COURSE_MIRROR", "")
    monkeypatch.setenv("RNN_COURSE_MODE", "fast")

    def no_network(url, *args, **kwargs):
        raise AssertionError(f"a test tried to reach the network: {url}")

    monkeypatch.setattr(urllib.request, "urlopen", no_network)
    yield
    data.clear_cache()


def test_the_table_has_one_row_an_id():
    ids = [row[0] for row in ROWS]
    assert len(ids) == len(set(ids)), "duplicate ids in ROWS"
    assert len(ROWS) >= 150


@pytest.mark.parametrize(
    ("call", "error", "pattern"), [row[1:] for row in ROWS], ids=[row[0] for row in ROWS]
)
def test_bad_input_raises_a_clear_error(call, error, pattern):
    with pytest.raises(error, match=pattern) as excinfo:
        call()
    # An argument's mistake is never blamed on the student's computation.
    if error is not AssertionError:
        assert not isinstance(excinfo.value, AssertionError)
