"""Self-checks for notebook 02, the vanishing and exploding gradient problem."""

from __future__ import annotations

from collections.abc import Callable, Sequence

import keras
import numpy as np

from rnn_course.exercises import self_check


def _measured_rate(W_hh: np.ndarray, h: np.ndarray, steps: int = 400) -> float:
    """Slope of ln‖g‖ per step back under g <- W_hhᵀ diag(1 - h²) g, by repeated products."""
    g = np.random.default_rng(0).normal(size=W_hh.shape[0])
    factor = 1.0 - np.asarray(h, dtype="float64") ** 2
    log_norm, logs = 0.0, []
    for _ in range(steps):
        g = W_hh.T @ (factor * g)
        norm = np.linalg.norm(g)
        log_norm += np.log(norm)
        logs.append(log_norm)
        g /= norm  # renormalise: the log of the norm is kept, the vector never over/underflows
    k = np.arange(1, steps + 1)
    tail = slice(steps // 4, None)  # skip the transient before the top eigenvalue dominates
    return float(np.polyfit(k[tail], np.array(logs)[tail], 1)[0])


def _rate_cases() -> list[tuple[str, np.ndarray, np.ndarray]]:
    rng = np.random.default_rng(7)
    n = 12
    W = rng.normal(size=(n, n))
    W /= np.max(np.abs(np.linalg.eigvals(W)))  # spectral radius 1
    triangular = np.triu(rng.normal(scale=2.0, size=(n, n)), k=1) + np.diag(
        np.linspace(0.9, 0.2, n)
    )  # spectral radius 0.9, largest singular value far above 1
    half_saturated = np.where(np.arange(n) < n // 2, 0.999, 0.0)
    return [
        ("h = 0, spectral radius 0.8", 0.8 * W, np.zeros(n)),
        ("h = 0, a non-symmetric W_hh", triangular, np.zeros(n)),
        ("random h, spectral radius 1.5", 1.5 * W, rng.uniform(-0.9, 0.9, size=n)),
        ("half the units saturated, spectral radius 2", 2.0 * W, half_saturated),
    ]


def check_decay_rate(decay_rate: Callable[[np.ndarray, np.ndarray], float]) -> None:
    """Exercise 1: ``decay_rate(W_hh, h)``, the slope of ln‖∂L_T/∂h_t‖ per step back.

    For an RNN whose state stays at ``h`` at every step, compared with the slope measured by
    multiplying a vector by ``W_hhᵀ diag(1 - h²)`` 400 times.
    """

    def check():
        for name, W_hh, h in _rate_cases():
            got = decay_rate(W_hh.copy(), h.copy())
            try:
                got = float(np.asarray(got))
            except (TypeError, ValueError):
                raise AssertionError(
                    f"decay_rate must return one number, got {type(got).__name__} {got!r}."
                ) from None
            assert np.isfinite(got), f"{name}: decay_rate returned {got}, not a finite number."
            measured = _measured_rate(W_hh, h)
            if abs(got - measured) > 0.01:
                raise AssertionError(
                    f"{name}: you predict {got:.3f} per step, the measured slope of "
                    f"ln‖∂L_T/∂h_t‖ is {measured:.3f}. {_rate_hint(got, W_hh, h)}"
                )

    self_check("Exercise 1 (predict the decay rate)", check)


def _rate_hint(got: float, W_hh: np.ndarray, h: np.ndarray) -> str:
    jacobian = (1.0 - h**2)[:, None] * W_hh
    rho = float(np.max(np.abs(np.linalg.eigvals(jacobian))))
    candidates = [
        (
            np.log(np.linalg.norm(jacobian, 2)),
            "That is the log of the largest singular value: it bounds one step, but over many "
            "steps the growth of a matrix power is set by its eigenvalues.",
        ),
        (
            np.log(np.max(np.abs(np.linalg.eigvals(W_hh)))),
            "That ignores the state: each step back also multiplies by tanh′ at h.",
        ),
        (rho, "That is a factor per step; the slope of ln‖·‖ is a logarithm."),
        (np.log10(rho), "Use the natural logarithm, as the slope of ln‖·‖."),
        (-np.log(rho), "Check the sign: a shrinking gradient has a negative slope."),
    ]
    for value, hint in candidates:
        if np.isfinite(value) and abs(got - value) < 1e-3:
            return hint
    return "Each step back multiplies the gradient by the same matrix: which number sets its rate?"


def check_copy_memory(
    copy_memory_batch: Callable[[int, int, int, int, np.random.Generator], tuple],
) -> None:
    """Exercise 2: ``copy_memory_batch(num_samples, T, length, alphabet, rng)`` -> ``(x, y)``.

    Checked by the layout every right answer has: shapes and dtypes, the symbols and the
    delimiter in place, blanks elsewhere, the targets equal to the symbols, and draws that
    use ``rng`` (uniform symbols, fresh on every call, repeatable from a seed).
    """

    def check():
        num_samples, T, length, alphabet = 400, 20, 5, 6
        steps = T + 2 * length
        x, y = _pair(copy_memory_batch(num_samples, T, length, alphabet, _rng(0)))
        for name, a in (("x", x), ("y", y)):
            assert a.shape == (num_samples, steps), (
                f"{name} has shape {a.shape}, expected (num_samples, T + 2 * length) = "
                f"{(num_samples, steps)}."
            )
            assert a.dtype.kind in "iu", f"{name} must hold integer symbols, got dtype {a.dtype}."
        symbols = x[:, :length]
        assert symbols.min() >= 1 and symbols.max() <= alphabet, (
            f"the first {length} inputs must be symbols in 1 ... {alphabet}, "
            f"found values from {symbols.min()} to {symbols.max()}."
        )
        counts = np.bincount(symbols.ravel(), minlength=alphabet + 1)[1:]
        expected = symbols.size / alphabet
        assert np.all(np.abs(counts - expected) < 0.25 * expected), (
            f"the symbols should be uniform over 1 ... {alphabet}: counts {counts.tolist()}."
        )
        delimiter_at = T + length - 1
        assert np.all(x[:, delimiter_at] == alphabet + 1), (
            f"the delimiter {alphabet + 1} should be the input at index T + length - 1 = "
            f"{delimiter_at} (0-based), right before the last {length} steps."
        )
        rest = np.delete(x, [*range(length), delimiter_at], axis=1)
        assert np.all(rest == 0), "every input other than the symbols and the delimiter is 0."
        assert np.all(y[:, : T + length] == 0), (
            f"the targets of the first T + length = {T + length} steps are blanks (0)."
        )
        assert np.array_equal(y[:, T + length :], symbols), (
            f"the last {length} targets must be the first {length} inputs, in the same order."
        )
        again, _ = _pair(copy_memory_batch(num_samples, T, length, alphabet, _rng(0)))
        assert np.array_equal(again, x), "the same seed must give the same batch: draw from rng."
        rng = _rng(1)
        first, _ = _pair(copy_memory_batch(num_samples, T, length, alphabet, rng))
        second, _ = _pair(copy_memory_batch(num_samples, T, length, alphabet, rng))
        assert not np.array_equal(first, second), (
            "two calls with the same generator gave the same batch: draw the symbols from rng."
        )

    self_check("Exercise 2 (the copy-memory task)", check)


def check_clip_by_global_norm(
    clip_by_global_norm: Callable[[Sequence[np.ndarray], float], list],
) -> None:
    """Exercise 3: ``clip_by_global_norm(grads, max_norm)``, compared with Keras's optimizer.

    ``keras.optimizers.SGD(learning_rate=1.0, global_clipnorm=max_norm)`` applied to weights
    at zero moves them by exactly minus the clipped gradients.
    """

    def check():
        rng = np.random.default_rng(2)
        shapes = [(3, 4), (4,), (4, 4), (1,)]
        for scale, max_norm in ((10.0, 1.0), (0.05, 1.0), (1.0, 0.3)):
            grads = [rng.normal(scale=scale, size=s) for s in shapes]
            got = clip_by_global_norm([g.copy() for g in grads], max_norm)
            assert isinstance(got, (list, tuple)) and len(got) == len(grads), (
                f"return a list of {len(grads)} arrays, one per gradient; got "
                f"{type(got).__name__}{'' if not hasattr(got, '__len__') else f' of {len(got)}'}."
            )
            got = [np.asarray(g, dtype="float64") for g in got]
            for g, c in zip(grads, got, strict=True):
                assert c.shape == g.shape, f"a gradient of shape {g.shape} came back as {c.shape}."
            expected = _keras_global_clip(grads, max_norm)
            if all(
                np.allclose(c, e, rtol=1e-5, atol=1e-7) for c, e in zip(got, expected, strict=True)
            ):
                continue
            raise AssertionError(_clip_hint(grads, got, max_norm))

    self_check("Exercise 3 (clipping by the global norm)", check)


def _keras_global_clip(grads: Sequence[np.ndarray], max_norm: float) -> list[np.ndarray]:
    variables = [keras.Variable(np.zeros(g.shape, dtype="float32")) for g in grads]
    optimizer = keras.optimizers.SGD(learning_rate=1.0, global_clipnorm=max_norm)
    optimizer.apply([keras.ops.convert_to_tensor(g.astype("float32")) for g in grads], variables)
    return [-keras.ops.convert_to_numpy(v).astype("float64") for v in variables]


def _clip_hint(grads, got, max_norm: float) -> str:
    total = float(np.sqrt(sum(np.sum(g**2) for g in grads)))
    got_total = float(np.sqrt(sum(np.sum(c**2) for c in got)))
    head = (
        f"with gradients of global norm {total:.3g} and max_norm {max_norm:g}, yours have "
        f"global norm {got_total:.3g}, and they differ from Keras's global_clipnorm."
    )
    if total <= max_norm:
        return f"{head} A gradient already within max_norm must come back unchanged."
    pairs = [(c, g) for c, g in zip(got, grads, strict=True) if np.sum(g * g) > 0]
    ratios = [float(np.sum(c * g) / np.sum(g * g)) for c, g in pairs]
    aligned = all(
        np.linalg.norm(c - r * g) <= 1e-6 * np.linalg.norm(g) + 1e-9
        for (c, g), r in zip(pairs, ratios, strict=True)
    )
    if aligned and np.ptp(ratios) > 1e-6:
        return (
            f"{head} Each gradient was scaled by a factor of its own; global clipping scales "
            "all of them by one common factor, so their joint direction is kept."
        )
    if not aligned:
        return f"{head} The direction changed: global clipping only rescales the gradients."
    return f"{head} The direction is right; check the length you scale them to."


def _pair(result) -> tuple[np.ndarray, np.ndarray]:
    if not (isinstance(result, (tuple, list)) and len(result) == 2):
        raise AssertionError(
            f"return a pair (x, y) of arrays, got {type(result).__name__}"
            f"{f' of length {len(result)}' if hasattr(result, '__len__') else ''}."
        )
    return np.asarray(result[0]), np.asarray(result[1])


def _rng(seed: int) -> np.random.Generator:
    return np.random.default_rng(seed)
