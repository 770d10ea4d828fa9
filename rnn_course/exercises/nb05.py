"""Self-checks for notebook 05, bidirectional RNNs and layer normalisation.

Each check judges the student's function by Keras itself: the final states of
``keras.layers.Bidirectional(keras.layers.LSTM(n))`` on a right-padded, masked batch, and
``keras.layers.LayerNormalization`` with the same gamma and beta. When an answer is wrong, the
check compares it with the usual slips (the last position instead of the last real token, the
backward half read at the end, the halves swapped, the batch axis, the unbiased variance,
epsilon outside the square root, ...) and names the one that explains it.
"""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable

import keras
import numpy as np

from rnn_course.exercises import self_check


def _max_diff(a, b) -> float:
    return float(np.max(np.abs(np.asarray(a, dtype="float64") - b)))


def _close(a, b, tolerance: float = 1e-5) -> bool:
    return np.shape(a) == np.shape(b) and _max_diff(a, b) < tolerance


# --- Exercise 1: the final states of a bidirectional LSTM ------------------------------------

_LENGTHS = (6, 3, 1, 4, 2)  # one full-length sequence (T = 6) and one of a single step
_T, _FEATURES, _UNITS = 6, 3, 4


@functools.cache
def _bidirectional_case() -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(y_seq, lengths, expected): one masked, right-padded batch through two Bidirectionals.

    ``y_seq`` is what ``Bidirectional(LSTM(n, return_sequences=True))`` returns, ``expected``
    what ``Bidirectional(LSTM(n))`` returns with the same weights, inputs and mask.
    """
    rng = np.random.default_rng(5)
    lengths = np.array(_LENGTHS)
    mask = np.arange(_T)[None, :] < lengths[:, None]
    x = rng.normal(size=(len(lengths), _T, _FEATURES)).astype("float32")
    x[~mask] = 0.0
    every_step = keras.layers.Bidirectional(keras.layers.LSTM(_UNITS, return_sequences=True))
    final = keras.layers.Bidirectional(keras.layers.LSTM(_UNITS))
    every_step.build((None, None, _FEATURES))
    final.build((None, None, _FEATURES))
    weights = [rng.normal(scale=0.5, size=w.shape) for w in every_step.get_weights()]
    every_step.set_weights(weights)
    final.set_weights(weights)

    def run(layer):
        return keras.ops.convert_to_numpy(layer(x, mask=mask)).astype("float64")

    return run(every_step), lengths, run(final)


def _explain_final_states(error: Exception) -> str | None:
    if isinstance(error, IndexError):
        return (
            "An index past the end: the positions run from 0 to T - 1, so the last real token "
            "of sequence b is at lengths[b] - 1 (a full-length sequence's at T - 1)."
        )
    return None


def check_bidirectional_final_states(final_states: Callable[..., np.ndarray]) -> None:
    """Exercise 1: ``final_states(y_seq, lengths, n)`` for a right-padded, masked batch.

    ``y_seq`` (batch, T, 2n) is the output of ``Bidirectional(LSTM(n, return_sequences=True))``
    (``merge_mode="concat"``); sequence ``b`` has ``lengths[b]`` real steps, then padding. It
    must return (batch, 2n): each sequence's final forward state (after its last real token,
    position ``lengths[b] - 1`` of the first n columns) and final backward state (after reading
    x_1, position 0 of the last n columns), as ``Bidirectional(LSTM(n))`` returns with the same
    weights and mask, and as PyTorch's ``torch.cat((hidden[-2], hidden[-1]), dim=1)`` gives.
    """

    def check():
        y_seq, lengths, expected = _bidirectional_case()
        batch, n = len(lengths), _UNITS
        result = final_states(y_seq.copy(), lengths.copy(), n)
        assert result is not None, "final_states returned None: did you forget `return`?"
        result = np.asarray(result, dtype="float64")
        if result.shape != expected.shape:
            hint = "Concatenate the forward and the backward state of each sequence."
            if result.shape == (batch, n):
                hint = "That is one direction only: put the backward state after the forward one."
            elif result.shape == (2, batch, n):
                hint = "That stacks the two directions: concatenate them along axis 1 instead."
            elif result.shape == y_seq.shape:
                hint = "That is every step: pick one position per sequence and direction."
            raise AssertionError(
                f"expected one (forward, backward) pair per sequence, shape (batch, 2n) = "
                f"{expected.shape}, got shape {result.shape}. {hint}"
            )
        diff = _max_diff(result, expected)
        if diff < 1e-5:
            return
        raise AssertionError(
            f"max |difference| from keras.layers.Bidirectional(keras.layers.LSTM(n)) is "
            f"{diff:.3g} (expected < 1e-5). {_diagnose_final_states(result, y_seq, lengths, n)}"
        )

    self_check(
        "Exercise 1 (the final states of a bidirectional LSTM)",
        check,
        explain=_explain_final_states,
    )


def _diagnose_final_states(result, y_seq, lengths, n) -> str:
    rows = np.arange(len(lengths))
    forward, backward = result[:, :n], result[:, n:]
    right_forward, right_backward = y_seq[rows, lengths - 1, :n], y_seq[:, 0, n:]
    if _close(result, y_seq[:, -1]):
        return (
            "y_seq[:, -1] is the last position of both directions. With right padding a short "
            "sequence's last real token is at lengths[b] - 1, and the backward layer's final "
            "state is the one after reading x_1: position 0 of the last n columns."
        )
    if _close(result, np.concatenate([right_backward, right_forward], axis=1)):
        return (
            "The halves are swapped: the first n columns hold the forward direction, the last n "
            "the backward one, and the result puts the forward state first."
        )
    notes = []
    if not _close(forward, right_forward):
        if _close(forward, y_seq[:, -1, :n]):
            notes.append(
                "Forward half: padding! A short sequence's last real token is at lengths[b] - 1, "
                "not at T - 1 (the masked steps after it hold no state)."
            )
        else:
            notes.append(
                "Forward half: take the first n columns at position lengths[b] - 1, the last "
                "real token of sequence b."
            )
    if not _close(backward, right_backward):
        at_end = (y_seq[rows, lengths - 1, n:], y_seq[:, -1, n:])
        if any(_close(backward, wrong) for wrong in at_end):
            notes.append(
                "Backward half: the backward layer reads the sequence from its end to x_1, so "
                "its final state is the one after reading x_1: position 0."
            )
        else:
            notes.append("Backward half: take the last n columns at position 0.")
    return " ".join(notes) or "Forward: position lengths[b] - 1; backward: position 0."


# --- Exercise 2: layer normalisation ---------------------------------------------------------

_BATCH, _N = 4, 6  # different, so that the batch axis cannot stand in for the feature axis


def _layer_norm_inputs() -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(a, gamma, beta): rows of different scales, one with a variance near epsilon."""
    rng = np.random.default_rng(6)
    a = rng.normal(size=(_BATCH, _N)) * np.array([[1.0], [3.0], [0.04], [0.7]])
    a += np.array([[0.5], [-2.0], [1.0], [0.0]])
    return a, rng.uniform(0.5, 2.0, size=_N), rng.normal(size=_N)


def _keras_layer_norm(a, gamma, beta, epsilon) -> np.ndarray:
    layer = keras.layers.LayerNormalization(epsilon=epsilon, dtype="float64")
    layer.build(a.shape)
    layer.set_weights([gamma, beta])
    return keras.ops.convert_to_numpy(layer(a)).astype("float64")


def _slip(a, gamma, beta, epsilon, *, axis=-1, ddof=0, outside=False) -> np.ndarray:
    """Layer normalisation with one of the usual slips, gamma and beta applied."""
    centred = a - a.mean(axis=axis, keepdims=True)
    variance = a.var(axis=axis, ddof=ddof, keepdims=True)
    scale = np.sqrt(variance) + epsilon if outside else np.sqrt(variance + epsilon)
    return centred / scale * gamma + beta


def _explain_layer_norm(error: Exception) -> str | None:
    if isinstance(error, ValueError) and "broadcast" in str(error):
        return (
            "A shape mismatch: the mean and variance of each row have shape (batch,); keep "
            "them as a column, shape (batch, 1), with keepdims=True, so they broadcast "
            "against a of shape (batch, n)."
        )
    return None


def check_layer_norm(layer_norm: Callable[..., np.ndarray]) -> None:
    """Exercise 2: ``layer_norm(a, gamma, beta, epsilon=1e-3)`` in NumPy, ``a`` (batch, n).

    It must normalise each row of ``a`` to mean 0 and variance 1 (the population variance,
    epsilon inside the square root), then scale by ``gamma`` and shift by ``beta``, as
    ``keras.layers.LayerNormalization(epsilon=epsilon)`` does with those weights; it must honour
    ``epsilon`` and leave ``a`` as it is.
    """

    def check():
        try:
            inspect.signature(layer_norm).bind(None, None, None, epsilon=None)
        except TypeError:
            raise AssertionError(
                "layer_norm cannot be called as layer_norm(a, gamma, beta, epsilon=...): keep "
                "the signature layer_norm(a, gamma, beta, epsilon=1e-3)."
            ) from None
        except ValueError:
            pass  # no signature to read: let the calls tell
        a, gamma, beta = _layer_norm_inputs()
        for epsilon in (None, 0.1):  # None: the default, 1e-3
            given = a.copy()
            call = "layer_norm(a, gamma, beta" + (f", epsilon={epsilon})" if epsilon else ")")
            if epsilon is None:
                result = layer_norm(given, gamma.copy(), beta.copy())
            else:
                result = layer_norm(given, gamma.copy(), beta.copy(), epsilon=epsilon)
            assert result is not None, "layer_norm returned None: did you forget `return`?"
            assert np.array_equal(given, a), (
                f"{call} changed its input a (an in-place operation such as a -= mean): "
                "compute the result in a new array."
            )
            result = np.asarray(result, dtype="float64")
            assert result.shape == a.shape, (
                f"{call} returned shape {result.shape}; layer normalisation keeps the shape "
                f"of a, (batch, n) = {a.shape}."
            )
            eps = 1e-3 if epsilon is None else epsilon
            diff = _max_diff(result, _keras_layer_norm(a, gamma, beta, eps))
            if diff >= 1e-5:
                raise AssertionError(
                    f"{call} differs from keras.layers.LayerNormalization(epsilon={eps}) by "
                    f"{diff:.3g} (expected < 1e-5). "
                    + _diagnose_layer_norm(result, a, gamma, beta, eps)
                )

    self_check("Exercise 2 (layer normalisation)", check, explain=_explain_layer_norm)


def _diagnose_layer_norm(result, a, gamma, beta, epsilon) -> str:
    ones, zeros = np.ones_like(gamma), np.zeros_like(beta)
    if epsilon != 1e-3 and _close(result, _slip(a, gamma, beta, 1e-3)):
        return (
            f"That is the answer for epsilon=1e-3: use the epsilon argument ({epsilon} here), "
            "not a fixed number."
        )
    if _close(result, _slip(a, gamma, beta, epsilon, axis=0)):
        return (
            "You normalised over the batch (axis 0), which is batch normalisation. Layer "
            "normalisation takes the mean and variance of each example over its n features: "
            "the last axis."
        )
    if _close(result, _slip(a, gamma, beta, epsilon, ddof=1)):
        return (
            "That is the unbiased variance (divided by n - 1). Layer normalisation divides by "
            "n: np.var's default, ddof=0."
        )
    if _close(result, _slip(a, gamma, beta, epsilon, outside=True)):
        return (
            "epsilon is added to the standard deviation; it belongs inside the square root, "
            "added to the variance."
        )
    if _close(result, _slip(a, ones, zeros, epsilon)):
        return "The normalisation is right; now scale by gamma and shift by beta."
    if _close(result, _slip(a, beta, gamma, epsilon)):
        return "gamma and beta are swapped: gamma scales, beta shifts."
    return (
        "Per row: subtract the mean, divide by sqrt(variance + epsilon) (population variance, "
        "over the last axis), then multiply by gamma and add beta."
    )
