import math

import numpy as np
import pytest

from rnn_course import tasks


def test_adding_problem_shapes_dtypes_and_markers():
    x, y = tasks.adding_problem(500, 40, seed=0)
    assert x.shape == (500, 40, 2) and x.dtype == np.float32
    assert y.shape == (500, 1) and y.dtype == np.float32
    values, markers = x[..., 0], x[..., 1]
    assert values.min() >= 0 and values.max() <= 1
    assert set(np.unique(markers)) == {0.0, 1.0}
    assert np.all(markers.sum(axis=1) == 2)
    # one marker in each half
    assert np.all(markers[:, :20].sum(axis=1) == 1) and np.all(markers[:, 20:].sum(axis=1) == 1)
    # the target is the sum of the marked values
    np.testing.assert_allclose(y[:, 0], (values * markers).sum(axis=1), rtol=1e-6)


def test_adding_problem_markers_cover_every_step_of_each_half():
    x, _ = tasks.adding_problem(4000, 10, seed=1)
    counts = x[..., 1].sum(axis=0)
    assert np.all(counts > 0)
    # uniform within each half: 4000 / 5 = 800 per step, up to sampling noise
    assert np.all(np.abs(counts - 800) < 120)


def test_adding_problem_baseline_mse_is_one_sixth():
    _, y = tasks.adding_problem(200_000, 20, seed=2)
    assert tasks.ADDING_BASELINE_MSE == pytest.approx(1 / 6)
    mse_of_predicting_one = float(np.mean((y - 1.0) ** 2))
    assert mse_of_predicting_one == pytest.approx(tasks.ADDING_BASELINE_MSE, abs=3e-3)
    # and 1 is the best constant: the mean of the target
    assert float(y.mean()) == pytest.approx(1.0, abs=5e-3)


def test_seeds_repeat_and_generators_advance():
    a = tasks.adding_problem(8, 12, seed=3)
    b = tasks.adding_problem(8, 12, seed=3)
    c = tasks.adding_problem(8, 12, seed=4)
    np.testing.assert_array_equal(a[0], b[0])
    assert not np.array_equal(a[0], c[0])
    rng = np.random.default_rng(0)
    first, second = tasks.adding_problem(8, 12, seed=rng), tasks.adding_problem(8, 12, seed=rng)
    assert not np.array_equal(first[0], second[0])
    again = tasks.copy_memory(5, 7, seed=3), tasks.copy_memory(5, 7, seed=3)
    np.testing.assert_array_equal(again[0][0], again[1][0])


def test_copy_memory_layout():
    T, length, alphabet = 15, 4, 6
    x, y = tasks.copy_memory(300, T, length=length, alphabet=alphabet, seed=0)
    steps = T + 2 * length
    assert x.shape == y.shape == (300, steps)
    assert x.dtype == y.dtype == np.int32
    symbols = x[:, :length]
    assert symbols.min() == 1 and symbols.max() == alphabet  # every symbol shows up
    delimiter = alphabet + 1
    assert np.all(x[:, T + length - 1] == delimiter)
    assert np.all((x == delimiter).sum(axis=1) == 1)
    assert np.all(x[:, length : T + length - 1] == tasks.BLANK)
    assert np.all(x[:, T + length :] == tasks.BLANK)
    assert np.all(y[:, : T + length] == tasks.BLANK)
    np.testing.assert_array_equal(y[:, T + length :], symbols)


def test_copy_memory_with_delay_one_has_the_delimiter_right_after_the_symbols():
    x, y = tasks.copy_memory(3, 1, length=2, alphabet=3, seed=0)
    assert x.shape == (3, 5)
    assert np.all(x[:, 2] == 4)
    np.testing.assert_array_equal(y[:, 3:], x[:, :2])


def test_copy_memory_baseline_matches_its_definition():
    T, length, alphabet = 100, 10, 8
    base = tasks.copy_memory_baseline(T, length=length, alphabet=alphabet)
    assert base["cross_entropy"] == pytest.approx(10 * math.log(8) / 120)
    assert base["accuracy"] == pytest.approx((110 + 10 / 8) / 120)
    # the memoryless predictor, scored on real data
    x, y = tasks.copy_memory(2000, T, length=length, alphabet=alphabet, seed=5)
    probs = np.zeros((T + 2 * length, alphabet + 2))
    probs[: T + length, tasks.BLANK] = 1.0
    probs[T + length :, 1 : alphabet + 1] = 1.0 / alphabet
    picked = probs[np.arange(T + 2 * length), y]
    assert float(np.mean(-np.log(picked))) == pytest.approx(base["cross_entropy"], rel=1e-9)
    guesses = np.where(np.arange(T + 2 * length) < T + length, tasks.BLANK, 1)
    accuracy = float(np.mean(y == guesses))
    assert accuracy == pytest.approx(base["accuracy"], abs=0.005)


@pytest.mark.parametrize(
    ("call", "error", "message"),
    [
        (lambda: tasks.adding_problem(0, 10), ValueError, "num_samples must be >= 1, got 0"),
        (lambda: tasks.adding_problem(4, 1), ValueError, "T must be >= 2, got 1"),
        (lambda: tasks.adding_problem(4.0, 10), TypeError, "num_samples must be an integer"),
        (lambda: tasks.adding_problem(4, True), TypeError, "T must be an integer"),
        (lambda: tasks.adding_problem(4, 10, seed="0"), TypeError, "seed must be"),
        (lambda: tasks.adding_problem(4, 10, seed=-1), ValueError, "seed must be"),
        (lambda: tasks.copy_memory(4, 0), ValueError, "T must be >= 1, got 0"),
        (lambda: tasks.copy_memory(4, 5, length=0), ValueError, "length must be >= 1"),
        (lambda: tasks.copy_memory(4, 5, alphabet=1), ValueError, "alphabet must be >= 2"),
        (lambda: tasks.copy_memory_baseline(0), ValueError, "T must be >= 1"),
        (lambda: tasks.copy_memory_baseline(10, length=None), TypeError, "length must be"),
    ],
)
def test_bad_arguments_name_what_was_expected_and_given(call, error, message):
    with pytest.raises(error, match=message):
        call()


def test_numpy_integers_are_accepted():
    x, _ = tasks.adding_problem(np.int64(3), np.int32(6), seed=np.int64(1))
    assert x.shape == (3, 6, 2)
