"""Self-checks for notebook 01, the vanilla RNN."""

from __future__ import annotations

from collections.abc import Callable

import keras
import numpy as np

from rnn_course.exercises import self_check


def check_param_count(param_count: Callable[[int, int, int], int]) -> None:
    """Exercise 1: ``param_count(m, n, k)`` for SimpleRNN(n) on m features, then Dense(k).

    Compared with ``model.count_params()`` of the same Keras model, for several sizes.
    """

    def check():
        for m, n, k in [(1, 1, 1), (3, 5, 2), (65, 128, 65), (10, 7, 1)]:
            model = keras.Sequential(
                [keras.Input((None, m)), keras.layers.SimpleRNN(n), keras.layers.Dense(k)]
            )
            got, expected = param_count(m, n, k), model.count_params()
            assert got == expected, (
                f"param_count(m={m}, n={n}, k={k}) returned {got}, but Keras counts {expected}."
            )

    self_check("Exercise 1 (parameter count)", check)


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
        H = np.asarray(rnn_forward_batch(X, W_xh, W_hh, b_h))
        assert H.shape == (batch, T, n), f"expected shape {(batch, T, n)}, got {H.shape}."
        keras_rnn = keras.layers.SimpleRNN(n, return_sequences=True)
        keras_rnn.build((None, T, m))
        keras_rnn.set_weights([W_xh.T, W_hh.T, b_h])
        expected = keras.ops.convert_to_numpy(keras_rnn(X))
        diff = float(np.max(np.abs(H - expected)))
        assert diff < 1e-5, (
            f"max |difference| from keras.layers.SimpleRNN is {diff:.3g} (expected < 1e-5). "
            "Row-vector form: H_t = tanh(X_t W_xh^T + H_{t-1} W_hh^T + b_h), with H_0 = 0."
        )

    self_check("Exercise 2 (batched forward pass)", check)


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
            assert draws.dtype.kind in "iu", f"return an integer index, got {draws.dtype}"
            freq = np.bincount(draws, minlength=len(logits)) / len(draws)
            p = np.exp(logits / temperature)
            p /= p.sum()
            worst = float(np.max(np.abs(freq - p)))
            assert worst < 0.03, (
                f"at temperature {temperature} the frequencies {np.round(freq, 3)} are far "
                f"from softmax(logits / T) = {np.round(p, 3)}."
            )
        cold = {int(sample(logits, 1e-3, rng)) for _ in range(50)}
        assert cold == {0}, f"at temperature 1e-3 every draw should be the argmax 0, got {cold}"

    self_check("Exercise 3 (sampling with temperature)", check)
