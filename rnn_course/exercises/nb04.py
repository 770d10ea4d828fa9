"""Self-checks for notebook 04, the GRU.

Each check judges the student's function by what the GRU computes (Keras's ``GRU`` layers and
the course's, with weights mapped by :mod:`rnn_course.layers.gru`) or by Keras's own parameter
counts. When an answer is wrong, the check tries the usual slips on the student's own answer
(the update gate in Keras's convention, the reset gate on the wrong side of the matrix, the
bias rows swapped, ...) and names the one that makes it right.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import keras
import numpy as np

from rnn_course.exercises import self_check
from rnn_course.layers.gru import GRU, gru_weights_to_keras, weight_names

_BATCH, _T, _M, _N = 3, 7, 4, 5  # the sizes the checks use: batch, time, features, units


def _random_weights(rng: np.random.Generator, reset_after: bool) -> list[np.ndarray]:
    """Our GRU's weights in the order of ``weight_names(reset_after)``, nonzero biases."""
    n, m = _N, _M
    shapes = [(n, n + m)] * 2 + ([(n, n), (n, m)] if reset_after else [(n, n + m)])
    shapes += [(n,)] * (6 if reset_after else 3)
    return [rng.normal(scale=0.6 if len(s) == 2 else 0.3, size=s) for s in shapes]


def _keras_gru(weights: Sequence[np.ndarray], reset_after: bool) -> keras.layers.GRU:
    layer = keras.layers.GRU(_N, reset_after=reset_after, return_sequences=True)
    layer.build((None, None, _M))
    layer.set_weights(gru_weights_to_keras(list(weights)))
    return layer


def _keras_states(weights: Sequence[np.ndarray], reset_after: bool, X: np.ndarray) -> np.ndarray:
    layer = _keras_gru(weights, reset_after)
    return keras.ops.convert_to_numpy(layer(X.astype("float32"))).astype("float64")


def _max_diff(a, b) -> float:
    return float(np.max(np.abs(np.asarray(a, dtype="float64") - b)))


# --- Exercise 1: the GRU over a batch --------------------------------------------------------


def _explain_forward(error: Exception) -> str | None:
    text = str(error)
    if isinstance(error, ValueError) and any(w in text for w in ("shape", "dimension", "align")):
        return (
            "That is a shape mismatch. In the row-vector form X[:, t] has shape (batch, m) and "
            "H_{t-1} shape (batch, n): concatenate them along axis 1, [H_{t-1}, X_t] of shape "
            "(batch, n + m), and multiply by the transposed gate matrix, W_z.T of shape (n + m, n)."
        )
    return None


def check_gru_forward_batch(
    gru_forward_batch: Callable[..., np.ndarray],
) -> None:
    """Exercise 1: ``gru_forward_batch(X, W_z, W_r, W_h, b_z, b_r, b_h)`` for X (batch, T, m).

    It must return every hidden state, shape (batch, T, n), as ``keras.layers.GRU`` with
    ``reset_after=False`` and ``return_sequences=True`` does with the same weights (mapped into
    Keras's layout), from ``h_0 = 0``.
    """

    def check():
        rng = np.random.default_rng(4)
        X = rng.normal(size=(_BATCH, _T, _M))
        weights = _random_weights(rng, reset_after=False)
        H = gru_forward_batch(X, *(w.copy() for w in weights))
        assert H is not None, "gru_forward_batch returned None: did you forget `return`?"
        H = np.asarray(H, dtype="float64")
        expected_shape = (_BATCH, _T, _N)
        if H.shape != expected_shape:
            hint = "Stack the T states of shape (batch, n) along axis 1."
            if H.shape == (_BATCH, _N):
                hint = "That is one state per sequence: keep H_t of every step and stack them."
            elif H.shape == (_T, _BATCH, _N):
                hint = "That is (T, batch, n): stack along axis 1, not axis 0."
            raise AssertionError(
                f"expected every hidden state, shape (batch, T, n) = {expected_shape}, got "
                f"shape {H.shape}. {hint}"
            )
        expected = _keras_states(weights, False, X)
        diff = _max_diff(H, expected)
        if diff < 1e-5:
            return
        raise AssertionError(
            f"max |difference| from keras.layers.GRU(reset_after=False) is {diff:.3g} "
            f"(expected < 1e-5). {_diagnose_forward(gru_forward_batch, X, weights)}"
        )

    self_check("Exercise 1 (the GRU over a batch)", check, explain=_explain_forward)


def _diagnose_forward(gru_forward_batch, X, weights) -> str:
    W_z, W_r, W_h, b_z, b_r, b_h = weights

    def matches(student_weights, keras_weights, reset_after=False) -> bool:
        try:
            H = np.asarray(gru_forward_batch(X, *(w.copy() for w in student_weights)))
            return _max_diff(H, _keras_states(keras_weights, reset_after, X)) < 1e-5
        except Exception:
            return False

    # Keras's convention: z_t multiplies h_{t-1}. With the update gate negated, that is ours.
    if matches([-W_z, W_r, W_h, -b_z, b_r, b_h], weights):
        return (
            "Your update gate works the other way round: in this course's convention z_t "
            "multiplies the candidate h~_t and (1 - z_t) the old state h_{t-1}."
        )
    # The reset gate after the matrix (reset_after=True), with the extra biases at zero.
    n = _N
    after = [W_z, W_r, W_h[:, :n], W_h[:, n:], b_z, b_r, b_h, *([np.zeros(n)] * 3)]
    if matches(weights, after, reset_after=True):
        return (
            "You applied the reset gate after the product with W_h (that is reset_after=True). "
            "Here r_t multiplies H_{t-1} first: the candidate reads [r_t * H_{t-1}, X_t]."
        )
    rotated = [np.concatenate([W[:, n:], W[:, :n]], axis=1) for W in (W_z, W_r, W_h)]
    if matches([*rotated, b_z, b_r, b_h], weights):
        return (
            "The concatenation is in the wrong order: the gates read [H_{t-1}, X_t], the "
            "state first (W_z[:, :n] acts on H_{t-1}, W_z[:, n:] on X_t)."
        )
    return (
        "Row-vector form: Z_t = sigmoid([H_{t-1}, X_t] @ W_z.T + b_z), likewise R_t; "
        "the candidate reads [R_t * H_{t-1}, X_t]; and H_0 = 0."
    )


# --- Exercise 2: Keras's reset_after=True weights, mapped to ours ----------------------------


def _explain_mapping(error: Exception) -> str | None:
    if isinstance(error, (ValueError, IndexError)) and any(
        w in str(error) for w in ("shape", "dimension", "index", "concatenat")
    ):
        return (
            "Keras's kernel has shape (m, 3n), recurrent_kernel (n, 3n) and bias (2, 3n); gate g "
            "is the block of columns [g * n:(g + 1) * n] in the order z, r, h."
        )
    return None


def check_from_keras(from_keras: Callable[[np.ndarray, np.ndarray, np.ndarray], list]) -> None:
    """Exercise 2: ``from_keras(kernel, recurrent_kernel, bias)`` for ``reset_after=True``.

    It must return our weights in the order of ``weight_names(reset_after=True)``; loaded into
    the course's ``GRU(n, reset_after=True)`` they must make it compute what
    ``keras.layers.GRU(n)`` computes with Keras's weights.
    """
    names = weight_names(reset_after=True)
    n, m = _N, _M
    shapes = dict(zip(names, [(n, n + m), (n, n + m), (n, n), (n, m)] + [(n,)] * 6, strict=True))

    def check():
        rng = np.random.default_rng(5)
        layer = keras.layers.GRU(n, reset_after=True, return_sequences=True)
        layer.build((None, None, m))
        keras_weights = [rng.normal(scale=0.6, size=w.shape) for w in layer.get_weights()]
        layer.set_weights(keras_weights)
        result = from_keras(*(w.copy() for w in keras_weights))
        assert result is not None, "from_keras returned None: did you forget `return`?"
        assert isinstance(result, (list, tuple)) and len(result) == len(names), (
            f"return a list of {len(names)} arrays in the order {names}, got "
            + (
                f"{len(result)} items."
                if isinstance(result, (list, tuple))
                else f"a {type(result).__name__}."
            )
        )
        result = [np.asarray(w, dtype="float64") for w in result]
        for name, w in zip(names, result, strict=True):
            if w.shape != shapes[name]:
                hint = " Transpose it?" if w.shape == shapes[name][::-1] else ""
                raise AssertionError(
                    f"{name} should have shape {shapes[name]} (n = {n} units, m = {m} "
                    f"features), got {w.shape}.{hint}"
                )
        X = rng.normal(size=(_BATCH, _T, m)).astype("float32")
        expected = keras.ops.convert_to_numpy(layer(X)).astype("float64")

        def difference(weights) -> float:
            ours = GRU(n, reset_after=True, return_sequences=True)
            ours.build((None, None, m))
            ours.set_weights([w.astype("float32") for w in weights])
            return _max_diff(keras.ops.convert_to_numpy(ours(X)), expected)

        diff = difference(result)
        if diff < 1e-5:
            return
        raise AssertionError(
            f"with your weights the course's GRU(reset_after=True) differs from "
            f"keras.layers.GRU by {diff:.3g} (expected < 1e-5). "
            + _diagnose_mapping(result, difference)
        )

    self_check("Exercise 2 (Keras's weights, mapped to ours)", check, explain=_explain_mapping)


def _diagnose_mapping(result: list[np.ndarray], difference: Callable) -> str:
    W_z, W_r, W_hh, W_hx, b_z, b_r, b_h, b_hz, b_hr, b_hh = result
    n = _N

    def fixed(**changes) -> bool:
        weights = dict(zip(weight_names(reset_after=True), result, strict=True))
        weights.update(changes)
        return difference(list(weights.values())) < 1e-5

    if fixed(W_z=-W_z, b_z=-b_z, b_hz=-b_hz):
        return (
            "Keras's update gate is our 1 - z_t: negate the update gate's weights and both of "
            "its biases (1 - sigmoid(a) = sigmoid(-a))."
        )
    if fixed(b_z=-b_z, b_hz=-b_hz) or fixed(W_z=-W_z) or fixed(b_hz=-b_hz) or fixed(b_z=-b_z):
        return (
            "Part of the update gate is negated and part is not: W_z, b_z and b_hz all change "
            "sign together."
        )
    # (b_z + b_hz and b_r + b_hr only act as sums: only b_h and b_hh tell the rows apart.)
    if fixed(b_h=b_hh, b_hh=b_h):
        return (
            "b_h and b_hh are swapped: row 0 of Keras's bias holds the input biases (b_z, b_r, "
            "b_h), row 1 the recurrent ones (b_hz, b_hr, b_hh); b_hh sits inside "
            "r_t * (W_hh h_{t-1} + b_hh)."
        )
    swapped = {
        name: np.concatenate([W[:, -n:], W[:, :-n]], axis=1)
        for name, W in (("W_z", W_z), ("W_r", W_r))
    }
    if fixed(**swapped) or fixed(W_z=-swapped["W_z"], W_r=swapped["W_r"], b_z=-b_z, b_hz=-b_hz):
        return (
            "The columns of W_z and W_r are in the wrong order: ours act on [h_{t-1}, x_t], the "
            "recurrent_kernel's block (for h_{t-1}) first, then the kernel's (for x_t)."
        )
    if fixed(W_z=W_r, W_r=W_z, b_z=b_r, b_r=b_z, b_hz=b_hr, b_hr=b_hz):
        return "z and r are swapped: Keras's blocks come in the order z, r, h."
    return (
        "Check each weight on its own: gate g is the block of columns [g * n:(g + 1) * n] of "
        "kernel, recurrent_kernel and bias in the order z, r, h, transposed into our shapes."
    )


# --- Exercise 3: a GRU with the LSTM's parameter budget ---------------------------------------

# (m, n_lstm, reset_after): input features, the LSTM's units, the GRU variant.
_BUDGETS = [(2, 128, False), (32, 128, True), (65, 256, False), (1, 1, True), (10, 3, False)]


def _count(layer: keras.layers.Layer, m: int) -> int:
    layer.build((None, None, m))
    return layer.count_params()


def check_gru_units(gru_units: Callable[[int, int, bool], int]) -> None:
    """Exercise 3: ``gru_units(m, n_lstm, reset_after)``: the widest GRU within an LSTM's count.

    Judged with Keras's ``count_params()``: ``GRU(n)`` must have at most as many parameters as
    ``LSTM(n_lstm)`` on ``m`` input features, and ``GRU(n + 1)`` more.
    """

    def check():
        for m, n_lstm, reset_after in _BUDGETS:
            budget = _count(keras.layers.LSTM(n_lstm), m)
            n = gru_units(m, n_lstm, reset_after)
            assert n is not None, "gru_units returned None: did you forget `return`?"
            assert isinstance(n, (int, np.integer)) and not isinstance(n, bool), (
                f"gru_units must return a whole number of units, got {n!r} "
                f"({type(n).__name__}); round down with int(...) or //."
            )
            case = f"gru_units(m={m}, n_lstm={n_lstm}, reset_after={reset_after}) returned {n}"
            assert n >= 1, f"{case}; a GRU needs at least one unit, and GRU(1) fits here."
            fits = _count(keras.layers.GRU(int(n), reset_after=reset_after), m)
            variant = " With reset_after=True each gate has a second bias." if reset_after else ""
            assert fits <= budget, (
                f"{case}, but GRU({n}) has {fits:,} parameters, more than LSTM({n_lstm})'s "
                f"{budget:,}.{variant}"
            )
            wider = _count(keras.layers.GRU(int(n) + 1, reset_after=reset_after), m)
            assert wider > budget, (
                f"{case}, but GRU({n + 1}) has {wider:,} parameters, still within "
                f"LSTM({n_lstm})'s {budget:,}: return the largest width that fits.{variant}"
            )

    self_check("Exercise 3 (a GRU with the LSTM's parameter budget)", check)
