"""Checks that notebooks print: numerical agreement, gradient checks and learning outcomes.

Each check raises ``AssertionError`` with what was expected and what was measured when it
fails, and prints one ``PASS`` line when it holds. The measured number sits in parentheses,
``(measured ...)``, which the nbval sanitize file masks: a checked cell then compares the same
text in fast and full mode, on every backend and device, while a reader still sees the number.
Checks return nothing, so one on a cell's last line adds no ``Out[]`` value that would differ
from run to run.
"""

from __future__ import annotations

import math

import numpy as np

from rnn_course.runtime import MODES, get_mode


def max_abs_diff(a, b) -> float:
    """The largest absolute difference between two arrays of the same shape."""
    a, b = _same_shape(a, b)
    return float(np.max(np.abs(a - b))) if a.size else 0.0


def rel_error(a, b) -> float:
    """CS231n's relative error: ``max |a - b| / max(1e-8, |a| + |b|)``, elementwise."""
    a, b = _same_shape(a, b)
    if not a.size:
        return 0.0
    return float(np.max(np.abs(a - b) / np.maximum(1e-8, np.abs(a) + np.abs(b))))


def check_close(name: str, actual, expected, *, atol: float = 1e-6) -> None:
    """Check that two arrays agree to ``max |difference| < atol``."""
    diff = max_abs_diff(actual, expected)
    if not diff < atol:
        raise AssertionError(
            f"{name}: max |difference| is {diff:.3g}, expected < {atol:g}. "
            "The two computations disagree: check the weights' shapes and transposes."
        )
    print(f"PASS  {name}: max |difference| < {atol:g} (measured {diff:.1e})")


def check_gradient(name: str, analytic, numerical, *, tol: float = 1e-7) -> None:
    """Check a gradient against a reference by relative error (use float64)."""
    err = rel_error(analytic, numerical)
    if not err < tol:
        raise AssertionError(
            f"{name}: relative error is {err:.3g}, expected < {tol:g}. "
            "Compare the two gradients entry by entry to find the wrong term."
        )
    print(f"PASS  {name}: relative error < {tol:g} (measured {err:.1e})")


def check_equal(name: str, actual, expected) -> None:
    """Check exact equality of two plain values (counts, shapes, strings)."""
    if actual != expected:
        raise AssertionError(f"{name}: got {actual!r}, expected {expected!r}.")
    print(f"PASS  {name}: {actual!r}")


def check_outcome(
    name: str,
    value: float,
    *,
    full: tuple[float | None, float | None],
    fast: tuple[float | None, float | None],
) -> None:
    """Check a learning outcome against the band of the current mode.

    Args:
        name: what was measured, e.g. ``"validation loss (nats/char)"``.
        value: the measured number.
        full: ``(low, high)`` band for full mode; ``None`` leaves that side open.
        fast: the band for fast mode.

    The printed line names both bands, so it reads the same in either mode.
    """
    bands = {"full": full, "fast": fast}
    for mode, band in bands.items():
        if not (isinstance(band, tuple) and len(band) == 2):
            raise TypeError(f"check_outcome: {mode}= must be a (low, high) tuple, got {band!r}")
    value = float(value)
    mode = get_mode()
    low, high = bands[mode]
    inside = math.isfinite(value) and (low is None or value >= low)
    inside = inside and (high is None or value <= high)
    if not inside:
        raise AssertionError(
            f"{name} = {value:.4g} is outside the {mode}-mode band {_band(low, high)}. "
            "The model did not learn what this section expects: re-run the cells above in "
            "order; if it persists, the training setup has changed."
        )
    described = ", ".join(f"{_band(*bands[m])} in {m} mode" for m in MODES)
    print(f"PASS  {name}: {described} (measured {value:.4g})")


def _band(low: float | None, high: float | None) -> str:
    if low is None and high is None:
        return "any value"
    if low is None:
        return f"<= {high:g}"
    if high is None:
        return f">= {low:g}"
    return f"in [{low:g}, {high:g}]"


def _to_numpy(x) -> np.ndarray:
    if not isinstance(x, (np.ndarray, np.generic, float, int, list, tuple)):
        import keras  # a backend tensor, possibly on a GPU

        x = keras.ops.convert_to_numpy(x)
    return np.asarray(x, dtype=np.float64)


def _same_shape(a, b) -> tuple[np.ndarray, np.ndarray]:
    a, b = _to_numpy(a), _to_numpy(b)
    if a.shape != b.shape:
        raise ValueError(f"cannot compare arrays of shapes {a.shape} and {b.shape}")
    return a, b
