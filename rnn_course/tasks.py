"""Synthetic long-range tasks: the adding problem and the copy-memory task.

Both are classic tests of how far back a recurrent network can carry information. Their
inputs are random, so any amount of training data can be drawn, and each has a documented
baseline: the score of a model that has learned nothing about the long-range dependency.

- **Adding problem** (Hochreiter & Schmidhuber 1997; the variant of Le, Jaitly & Hinton 2015):
  ``T`` steps of (value, marker); the target is the sum of the two marked values. Predicting
  the mean, 1, scores ``ADDING_BASELINE_MSE = 1/6``.
- **Copy memory** (Hochreiter & Schmidhuber 1997; the variant of Arjovsky, Shah & Bengio 2016):
  remember ``length`` symbols, wait ``T`` steps, then write them out again.
  :func:`copy_memory_baseline` gives the scores of the best memoryless prediction.

Every generator takes a ``seed``: an int (the same data every time) or a NumPy ``Generator``
(fresh data on every call, for training loops).
"""

from __future__ import annotations

import math
from numbers import Integral

import numpy as np

__all__ = [
    "ADDING_BASELINE_MSE",
    "BLANK",
    "adding_problem",
    "copy_memory",
    "copy_memory_baseline",
]

ADDING_BASELINE_MSE = 1.0 / 6.0
"""MSE of always predicting 1, the mean of the target: ``Var(u + v) = 2 * (1/12)`` for two
independent values uniform on [0, 1]. A model below it has learned something about the task."""

BLANK = 0
"""The blank symbol of the copy-memory task. Symbols to copy are ``1 ... alphabet`` and the
delimiter is ``alphabet + 1``."""


def adding_problem(
    num_samples: int, T: int, *, seed: int | np.random.Generator = 0
) -> tuple[np.ndarray, np.ndarray]:
    """Draw ``num_samples`` sequences of the adding problem of length ``T``.

    Each step ``t`` of a sequence is a pair ``(value_t, marker_t)``: the value is uniform on
    [0, 1], the marker is 1 at exactly two steps and 0 elsewhere, one marked step in the first
    half (``t < T // 2``) and one in the second half. The target is the sum of the two marked
    values, in [0, 2]. To solve it a network must remember the first marked value for up to
    ``T - 1`` steps while ignoring every unmarked one.

    Baseline: always predicting 1 (the mean of the target) gives MSE
    ``ADDING_BASELINE_MSE = 1/6 ≈ 0.167``.

    Args:
        num_samples: how many sequences (at least 1).
        T: sequence length (at least 2).
        seed: an int seed (the same sequences for the same seed), or a NumPy ``Generator``
            whose state advances (fresh sequences on each call).

    Returns:
        ``(x, y)``: ``x`` float32 of shape ``(num_samples, T, 2)`` with values in ``x[..., 0]``
        and markers in ``x[..., 1]``; ``y`` float32 of shape ``(num_samples, 1)``.

    Example:
        >>> x, y = adding_problem(4, 10, seed=0)
        >>> x.shape, y.shape
        ((4, 10, 2), (4, 1))
        >>> bool(np.all(x[..., 1].sum(axis=1) == 2))
        True
    """
    num_samples = _positive_int("adding_problem", "num_samples", num_samples, 1)
    T = _positive_int("adding_problem", "T", T, 2)
    rng = _generator("adding_problem", seed)
    values = rng.uniform(0.0, 1.0, size=(num_samples, T))
    half = T // 2
    first = rng.integers(0, half, size=num_samples)
    second = rng.integers(half, T, size=num_samples)
    markers = np.zeros((num_samples, T))
    rows = np.arange(num_samples)
    markers[rows, first] = 1.0
    markers[rows, second] = 1.0
    x = np.stack([values, markers], axis=-1).astype("float32")
    y = (values[rows, first] + values[rows, second])[:, None].astype("float32")
    return x, y


def copy_memory(
    num_samples: int,
    T: int,
    *,
    length: int = 10,
    alphabet: int = 8,
    seed: int | np.random.Generator = 0,
) -> tuple[np.ndarray, np.ndarray]:
    """Draw ``num_samples`` sequences of the copy-memory task with a delay of ``T`` steps.

    Symbols are integers: ``BLANK = 0``, the symbols to copy ``1 ... alphabet``, and the
    delimiter ``alphabet + 1``. A sequence has ``T + 2 * length`` steps:

    - input: ``length`` random symbols, ``T - 1`` blanks, the delimiter, ``length`` blanks;
    - target: ``T + length`` blanks, then the ``length`` symbols of the start, in order.

    The delimiter tells the network to start writing; it must hold the symbols in memory for
    ``T + length`` steps. Feed the input through ``keras.layers.Embedding`` (or one-hot it)
    and predict ``alphabet + 2`` classes at every step.

    Baseline: see :func:`copy_memory_baseline` (blanks everywhere, then a random guess).

    Args:
        num_samples: how many sequences (at least 1).
        T: the delay (at least 1).
        length: how many symbols to copy (at least 1).
        alphabet: how many distinct symbols (at least 2).
        seed: an int seed or a NumPy ``Generator``, as in :func:`adding_problem`.

    Returns:
        ``(x, y)``: both int32 of shape ``(num_samples, T + 2 * length)``.

    Example:
        >>> x, y = copy_memory(2, 5, length=3, seed=0)
        >>> x.shape, y.shape
        ((2, 11), (2, 11))
        >>> bool(np.all(y[:, -3:] == x[:, :3]))
        True
    """
    num_samples = _positive_int("copy_memory", "num_samples", num_samples, 1)
    T = _positive_int("copy_memory", "T", T, 1)
    length = _positive_int("copy_memory", "length", length, 1)
    alphabet = _positive_int("copy_memory", "alphabet", alphabet, 2)
    rng = _generator("copy_memory", seed)
    steps = T + 2 * length
    symbols = rng.integers(1, alphabet + 1, size=(num_samples, length))
    x = np.full((num_samples, steps), BLANK, dtype="int32")
    y = np.full((num_samples, steps), BLANK, dtype="int32")
    x[:, :length] = symbols
    x[:, T + length - 1] = alphabet + 1
    y[:, T + length :] = symbols
    return x, y


def copy_memory_baseline(T: int, *, length: int = 10, alphabet: int = 8) -> dict[str, float]:
    """Scores of the best prediction that remembers nothing, on :func:`copy_memory`.

    Such a model can still count steps: it predicts a blank for the first ``T + length``
    steps (always right) and a uniform guess over the ``alphabet`` symbols for the last
    ``length`` steps.

    Returns:
        ``{"cross_entropy": length * ln(alphabet) / (T + 2 * length),
        "accuracy": (T + length + length / alphabet) / (T + 2 * length)}``, cross-entropy in
        nats per step averaged over all steps, accuracy the expected fraction of right steps.

    Example:
        >>> round(copy_memory_baseline(100)["cross_entropy"], 4)
        0.1733
    """
    T = _positive_int("copy_memory_baseline", "T", T, 1)
    length = _positive_int("copy_memory_baseline", "length", length, 1)
    alphabet = _positive_int("copy_memory_baseline", "alphabet", alphabet, 2)
    steps = T + 2 * length
    return {
        "cross_entropy": length * math.log(alphabet) / steps,
        "accuracy": (T + length + length / alphabet) / steps,
    }


def _positive_int(function: str, name: str, value, minimum: int) -> int:
    if isinstance(value, bool) or not isinstance(value, Integral):
        raise TypeError(
            f"{function}: {name} must be an integer >= {minimum}, got {value!r} "
            f"(type {type(value).__name__})."
        )
    if value < minimum:
        raise ValueError(f"{function}: {name} must be >= {minimum}, got {value}.")
    return int(value)


def _generator(function: str, seed) -> np.random.Generator:
    if isinstance(seed, np.random.Generator):
        return seed
    if isinstance(seed, bool) or not isinstance(seed, Integral):
        raise TypeError(
            f"{function}: seed must be a non-negative int or a numpy.random.Generator, "
            f"got {seed!r} (type {type(seed).__name__})."
        )
    if seed < 0:
        raise ValueError(
            f"{function}: seed must be a non-negative int or a numpy.random.Generator, got {seed}."
        )
    return np.random.default_rng(int(seed))
