"""Self-checks for notebook 11, the limits of RNNs.

Exercise 1 counts the rounds of computation that a stack of layers needs when every operation
that can run in parallel does (the length of its longest chain of dependent steps), for a
recurrent stack, a self-attention stack and a convolution stack; the check compares the
student's counts with the dependency graph itself, built and walked step by step. Exercise 2
counts the parameters of a ``Conv1D`` and a ``GRU`` layer; the check compares them with
Keras's own ``count_params``. When an answer is wrong, each check tries the usual slips on the
student's answer and names the one that explains it.
"""

from __future__ import annotations

from collections.abc import Callable
from numbers import Integral

import keras

from rnn_course.exercises import self_check

# --- Exercise 1: sequential rounds of an RNN stack against attention and convolution ---------

_KINDS = ("rnn", "attention", "conv")
_CASES = ((1, 1), (5, 1), (1, 3), (7, 2), (12, 4), (100, 3))  # (T, layers)


def _rounds_by_graph(kind: str, T: int, layers: int) -> int:
    """The longest chain in the dependency graph of output (layer l, step t), walked in order.

    rnn: (l, t) needs (l, t - 1) and (l - 1, t). attention: (l, t) needs every (l - 1, s).
    conv (kernel 3, "same" padding): (l, t) needs (l - 1, t - 1 ... t + 1). The inputs
    (layer 0) are given; a node is ready one round after the last of its inputs.
    """
    ready = [0] * T  # the round in which each step of the layer below is done
    for _ in range(layers):
        row = [0] * T
        for t in range(T):
            if kind == "rnn":
                needs = [ready[t]] + ([row[t - 1]] if t else [])
            elif kind == "attention":
                needs = ready
            else:
                needs = ready[max(t - 1, 0) : t + 2]
            row[t] = max(needs) + 1
        ready = row
    return max(ready)


def _as_int(value, kind, T, layers) -> int:
    if isinstance(value, bool) or not isinstance(value, Integral):
        if isinstance(value, float) and value.is_integer():
            return int(value)
        raise AssertionError(
            f"sequential_rounds({kind!r}, T={T}, layers={layers}) returned {value!r}: return a "
            "whole number of rounds."
        )
    return int(value)


def check_sequential_rounds(sequential_rounds: Callable[[str, int, int], int]) -> None:
    """Exercise 1: ``sequential_rounds(kind, T, layers)`` for kind in "rnn", "attention", "conv".

    It must return the number of rounds that a machine with unlimited parallel units needs to
    compute every output of a stack of ``layers`` layers over ``T`` steps, one round per
    application of a layer at one position, each starting once its inputs are done.
    """

    def check():
        for kind in _KINDS:
            for T, layers in _CASES:
                got = sequential_rounds(kind, T, layers)
                assert got is not None, "sequential_rounds returned None: did you forget `return`?"
                got = _as_int(got, kind, T, layers)
                expected = _rounds_by_graph(kind, T, layers)
                if got != expected:
                    raise AssertionError(
                        f"sequential_rounds({kind!r}, T={T}, layers={layers}) returned {got}, "
                        f"but the longest chain of dependent steps has {expected}. "
                        + _diagnose_rounds(kind, T, layers, got)
                    )

    self_check("Exercise 1 (sequential rounds)", check)


def _diagnose_rounds(kind: str, T: int, layers: int, got: int) -> str:
    if kind == "rnn":
        if got == T * layers and T > 1 and layers > 1:
            return (
                "You made each layer wait for the whole sequence of the layer below. Layer l can "
                "compute step t as soon as layer l - 1 has done step t and layer l has done "
                "step t - 1: the layers work on different steps at the same time, like a "
                "wavefront moving through the (layer, step) grid."
            )
        if got == T and layers > 1:
            return (
                "That is one layer's chain. The last layer's step T also waits for the layers "
                "below to reach step T: count the diagonal path through the (layer, step) grid."
            )
        if got == T + layers:
            return "One round too many: the first layer's first step is round 1."
        return "Follow the path from (layer 1, step 1) to (layer L, step T) one move at a time."
    if got in (T, T * layers, T + layers - 1) and T > 1:
        return (
            f"A {'self-attention' if kind == 'attention' else 'convolution'} layer has no "
            "recurrence: every position of a layer can be computed in the same round, once the "
            "layer below is done."
        )
    if got == 1 and layers > 1:
        return "Each layer still waits for the layer below: the layers themselves form a chain."
    return "Count how many layers must run one after the other."


# --- Exercise 2: the parameters of a Conv1D and a GRU -----------------------------------------

_SIZES = ((3, 4, 3), (64, 64, 3), (10, 32, 5), (1, 2, 1))  # (m, n, k)


def _keras_counts(m: int, n: int, k: int) -> tuple[int, int]:
    conv = keras.layers.Conv1D(n, k)
    conv.build((None, None, m))
    gru = keras.layers.GRU(n)
    gru.build((None, None, m))
    return int(conv.count_params()), int(gru.count_params())


def check_parameter_counts(parameter_counts: Callable[[int, int, int], tuple]) -> None:
    """Exercise 2: ``parameter_counts(m, n, k)`` returns ``(conv1d, gru)``.

    ``conv1d`` is the number of parameters of ``keras.layers.Conv1D(n, k)`` and ``gru`` that of
    ``keras.layers.GRU(n)`` (Keras's default ``reset_after=True``), both on inputs of ``m``
    features per step.
    """

    def check():
        for m, n, k in _SIZES:
            got = parameter_counts(m, n, k)
            assert got is not None, "parameter_counts returned None: did you forget `return`?"
            if not isinstance(got, (tuple, list)) or len(got) != 2:
                raise AssertionError(
                    f"parameter_counts({m}, {n}, {k}) returned {got!r}: return a pair "
                    "(conv1d, gru) of two integers."
                )
            conv, gru = _keras_counts(m, n, k)
            if tuple(got) == (conv, gru):
                continue
            raise AssertionError(
                f"parameter_counts(m={m}, n={n}, k={k}) returned {tuple(got)}, but Keras counts "
                f"(Conv1D, GRU) = ({conv}, {gru}). " + _diagnose_counts(m, n, k, tuple(got))
            )

    self_check("Exercise 2 (parameters of a Conv1D and a GRU)", check)


def _diagnose_counts(m: int, n: int, k: int, got: tuple) -> str:
    conv, gru = _keras_counts(m, n, k)
    got_conv, got_gru = got
    if (got_gru, got_conv) == (conv, gru):
        return "The two counts are swapped: return (conv1d, gru)."
    hints = []
    if got_conv != conv:
        if got_conv == n * (m + 1):
            hints.append(
                "Conv1D: each of the n filters looks at k steps of m features (a k x m kernel)."
            )
        elif got_conv == k * m * n:
            hints.append("Conv1D: each of the n filters also has a bias.")
        elif got_conv == k * (m + 1) * n:
            hints.append("Conv1D: one bias per filter, not one per kernel position.")
        else:
            hints.append("Conv1D: count the kernel (k x m per filter) and the biases.")
    if got_gru != gru:
        if got_gru == 3 * n * (m + n + 1):
            hints.append(
                "GRU: Keras's default reset_after=True keeps two bias vectors per gate (one for "
                "the input part, one for the recurrent part)."
            )
        elif got_gru in (4 * n * (m + n + 1), 4 * n * (m + n + 2)):
            hints.append("GRU: that is an LSTM's four blocks; a GRU has three (z, r, h).")
        elif got_gru in (3 * n * (m + n), 3 * n * (m + 1) + n * n):
            hints.append(
                "GRU: three blocks (z, r, h), each with an n x m kernel, an n x n recurrent "
                "kernel and biases."
            )
        else:
            hints.append(
                "GRU: three blocks (z, r, h), each with an input kernel, a recurrent kernel and, "
                "with reset_after=True, two biases."
            )
    return " ".join(hints)
