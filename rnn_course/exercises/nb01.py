"""Self-checks for notebook 01, the vanilla RNN."""

from __future__ import annotations

from collections.abc import Callable, Sequence

import keras
import numpy as np

from rnn_course.exercises import self_check

# (m, sizes, k): input features, the stacked SimpleRNN layers' units, output size.
_STACKS = [(1, [1], 1), (3, [5], 2), (4, [6, 3], 2), (65, [128, 64], 65), (10, [7, 5, 9], 1)]
# A stack whose terms (biases, W_hh, W_xh, W_hy, b_y, ...) all have different sizes.
_DIAGNOSTIC = (5, [8, 3], 2)


def _keras_stack(m: int, sizes: Sequence[int], k: int) -> keras.Model:
    layers = [keras.Input((None, m))]
    for i, n in enumerate(sizes):
        layers.append(keras.layers.SimpleRNN(n, return_sequences=i < len(sizes) - 1))
    layers.append(keras.layers.Dense(k))
    return keras.Sequential(layers)


def _which_term(m: int, sizes: Sequence[int], k: int, off: int) -> str:
    """Name the term a count that is ``off`` too low (or high) most likely misses."""
    inputs = [m, *sizes[:-1]]  # what each layer reads
    suspects = {
        sum(sizes): "the recurrent biases b_h (one per unit in every layer)",
        k: "the output bias b_y",
        sum(n * n for n in sizes): "the recurrent matrices W_hh (n x n in every layer)",
        sum(n * d for n, d in zip(sizes, inputs, strict=True)): "the input matrices W_xh",
        k * sizes[-1]: "the output matrix W_hy (it reads the last layer's state)",
        sum(n * (d - m) for n, d in zip(sizes, inputs, strict=True)): (
            "what each layer reads: layer 1 reads the m input features, every later layer "
            "reads the previous layer's hidden states, not x_t"
        ),
    }
    return suspects.get(off) or suspects.get(-off) or "each layer's W_xh, W_hh and b_h in turn"


def check_param_count(param_count: Callable[[int, Sequence[int], int], int]) -> None:
    """Exercise 1: ``param_count(m, sizes, k)`` for stacked SimpleRNN layers, then Dense(k).

    Compared with ``model.count_params()`` of the same Keras model for several stacks.
    """

    def check():
        for m, sizes, k in _STACKS:
            expected = _keras_stack(m, sizes, k).count_params()
            got = param_count(m, list(sizes), k)
            assert got is not None, "param_count returned None: did you forget `return`?"
            assert isinstance(got, (int, np.integer)) and not isinstance(got, bool), (
                f"param_count must return an integer, got {got!r} ({type(got).__name__})."
            )
            if got != expected:
                # Diagnose on a stack whose terms all differ in size, so the gap names one.
                m_, sizes_, k_ = _DIAGNOSTIC
                gap = _keras_stack(m_, sizes_, k_).count_params() - param_count(
                    m_, list(sizes_), k_
                )
                look_at = _which_term(m_, sizes_, k_, gap)
                raise AssertionError(
                    f"param_count(m={m}, sizes={sizes}, k={k}) returned {got}, but Keras counts "
                    f"{expected} (off by {expected - got:+d}). Look at {look_at}."
                )

    self_check("Exercise 1 (parameters of a stacked RNN)", check)


def _explain_shapes(error: Exception) -> str | None:
    if isinstance(error, ValueError) and ("shape" in str(error) or "dimension" in str(error)):
        return (
            "That is a shape mismatch in a matrix product. Here X[:, t] has shape (batch, m) "
            "and W_xh has shape (n, m), so the row-vector form multiplies by the transpose: "
            "X[:, t] @ W_xh.T, and likewise H_{t-1} @ W_hh.T with H_0 of shape (batch, n)."
        )
    return None


def check_batched_forward(
    rnn_forward_batch: Callable[[np.ndarray, np.ndarray, np.ndarray, np.ndarray], np.ndarray],
) -> None:
    """Exercise 2: ``rnn_forward_batch(X, W_xh, W_hh, b_h)`` for X of shape (batch, T, m).

    It must return every hidden state, shape (batch, T, n), as ``keras.layers.SimpleRNN`` with
    ``return_sequences=True`` and the same weights (transposed into Keras's layout).
    """

    def check():
        rng = np.random.default_rng(1)
        batch, T, m, n = 3, 6, 4, 5
        X = rng.normal(size=(batch, T, m)).astype("float32")
        W_xh = rng.normal(scale=0.5, size=(n, m)).astype("float32")
        W_hh = rng.normal(scale=0.5, size=(n, n)).astype("float32")
        b_h = rng.normal(scale=0.1, size=(n,)).astype("float32")
        H = rnn_forward_batch(X, W_xh, W_hh, b_h)
        assert H is not None, "rnn_forward_batch returned None: did you forget `return`?"
        H = np.asarray(H)
        assert H.shape == (batch, T, n), (
            f"expected every hidden state, shape (batch, T, n) = {(batch, T, n)}, got shape "
            f"{H.shape}. "
            + (
                "That is one state per sequence: collect H_t at every step and stack them "
                "along axis 1."
                if H.shape == (batch, n)
                else "Stack the T states of shape (batch, n) along axis 1."
            )
        )
        keras_rnn = keras.layers.SimpleRNN(n, return_sequences=True)
        keras_rnn.build((None, T, m))
        keras_rnn.set_weights([W_xh.T, W_hh.T, b_h])
        expected = keras.ops.convert_to_numpy(keras_rnn(X))
        diff = float(np.max(np.abs(H - expected)))
        first = int(np.argmax(np.abs(H - expected).max(axis=(0, 2)) > 1e-5))
        assert diff < 1e-5, (
            f"max |difference| from keras.layers.SimpleRNN is {diff:.3g} (expected < 1e-5), "
            f"first at step t = {first + 1}. Row-vector form: "
            "H_t = tanh(X_t W_xh^T + H_{t-1} W_hh^T + b_h), with H_0 = 0."
        )

    self_check("Exercise 2 (batched forward pass)", check, explain=_explain_shapes)


def _explain_nan(error: Exception) -> str | None:
    if isinstance(error, ValueError) and "NaN" in str(error):
        return (
            "The probabilities contain NaN. At a small temperature, logits / T is huge, "
            "np.exp overflows to inf, and inf / inf is NaN. Subtract the largest value of "
            "logits / T before np.exp: softmax does not change when every logit is shifted."
        )
    if isinstance(error, ValueError) and "sum to 1" in str(error):
        return "Normalise: divide the exponentials by their sum before sampling."
    return None


def check_sample_with_temperature(
    sample: Callable[[np.ndarray, float, np.random.Generator], int],
) -> None:
    """Exercise 3: ``sample(logits, temperature, rng)`` draws an index from softmax(logits/T).

    Checked by its frequencies over many draws (against softmax(logits / T)) and by its limit
    at a tiny temperature (the argmax).
    """

    def check():
        logits = np.array([2.0, 1.0, 0.0, -1.0])
        rng = np.random.default_rng(0)
        for temperature in (0.5, 1.0, 2.0):
            draws = np.array([sample(logits, temperature, rng) for _ in range(4000)])
            assert draws.dtype.kind in "iu", (
                f"return one integer index (e.g. int(rng.choice(...))), got values like "
                f"{draws[0]!r} of dtype {draws.dtype}."
            )
            freq = np.bincount(draws, minlength=len(logits)) / len(draws)
            p = np.exp(logits / temperature)
            p /= p.sum()
            worst = float(np.max(np.abs(freq - p)))
            assert worst < 0.03, (
                f"at temperature {temperature} the frequencies {np.round(freq, 3)} are far "
                f"from softmax(logits / T) = {np.round(p, 3)}. Divide the logits by the "
                "temperature before the softmax."
            )
        cold = {int(sample(logits, 1e-3, rng)) for _ in range(50)}
        assert cold == {0}, (
            f"at temperature 1e-3 every draw should be the argmax 0, got {sorted(cold)}."
        )

    self_check("Exercise 3 (sampling with temperature)", check, explain=_explain_nan)
