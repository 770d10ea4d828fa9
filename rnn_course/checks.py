"""Checks that notebooks print: numerical agreement, gradient checks and learning outcomes.

Each check raises ``AssertionError`` with what was expected and what was measured when it
fails, and prints one ``PASS`` line when it holds. The measured number sits in parentheses,
``(measured ...)``, which the nbval sanitize file masks: a checked cell then compares the same
text in fast and full mode, on every backend and device, while a reader still sees the number.
Checks return nothing, so one on a cell's last line adds no ``Out[]`` value that would differ
from run to run.

Who is to blame decides the exception:

- ``AssertionError``: the values under check show that the computation is wrong. Besides
  values that disagree, that is a value that is ``None`` (a function without ``return``), an
  empty array (nothing was computed), NaN or infinite values, complex values, or arrays of
  different shapes. A check never passes on nothing.
- ``TypeError`` / ``ValueError``: the check itself was called wrongly: its ``name``, a
  tolerance (``atol``, ``tol``: a positive finite number), an outcome band (``full``/``fast``:
  ``(low, high)`` with ``low <= high``), or values that are not numbers at all (a string, a
  function). The message names the argument, what was expected and what was given; it never
  blames the student's computation.

:func:`max_abs_diff` and :func:`rel_error` are measurements, not checks: they raise
``TypeError`` / ``ValueError`` for values they cannot measure (None, complex, empty, different
shapes) and return NaN when a value is NaN.
"""

from __future__ import annotations

import math
import numbers

import numpy as np

from rnn_course.runtime import MODES, get_mode

_MISSING_RETURN = (
    "A Python function that ends without `return` returns None: did the function that "
    "computed it forget to return its result?"
)


class _Unfit(Exception):
    """A value that cannot be compared; ``kind`` says why (see :func:`_as_real_array`)."""

    def __init__(self, kind: str, message: str):
        super().__init__(message)
        self.kind = kind


def max_abs_diff(a, b) -> float:
    """The largest absolute difference between two arrays of the same shape.

    Raises:
        TypeError: a value is None, complex, or not numbers at all.
        ValueError: the arrays are empty or their shapes differ.
    """
    a, b = _measurable("max_abs_diff", ("a", a), ("b", b))
    return float(np.max(np.abs(a - b)))


def rel_error(a, b) -> float:
    """CS231n's relative error: ``max |a - b| / max(1e-8, |a| + |b|)``, elementwise.

    Raises:
        TypeError: a value is None, complex, or not numbers at all.
        ValueError: the arrays are empty or their shapes differ.
    """
    a, b = _measurable("rel_error", ("a", a), ("b", b))
    return float(np.max(np.abs(a - b) / np.maximum(1e-8, np.abs(a) + np.abs(b))))


def check_close(name: str, actual, expected, *, atol: float = 1e-6) -> None:
    """Check that two arrays agree to ``max |difference| < atol``.

    Args:
        name: what is compared, printed on the PASS line.
        actual: the computed array (or number, or backend tensor).
        expected: the reference, of the same shape.
        atol: the tolerance, a positive finite number.

    Raises:
        AssertionError: the arrays differ by ``atol`` or more, or cannot be a result (None,
            empty, NaN, complex, different shapes).
        TypeError, ValueError: a bad ``name`` or ``atol``, or values that are not numbers.
    """
    _check_name("check_close", name)
    _check_tolerance("check_close", "atol", atol, "max |difference| < atol")
    actual, expected = _comparable(name, ("actual", actual), ("expected", expected))
    diff = float(np.max(np.abs(actual - expected)))
    if not diff < atol:
        raise AssertionError(
            f"{name}: max |difference| is {diff:.3g}, expected < {atol:g}. "
            "The two computations disagree: check the weights' shapes and transposes."
        )
    print(f"PASS  {name}: max |difference| < {atol:g} (measured {diff:.1e})")


def check_gradient(name: str, analytic, numerical, *, tol: float = 1e-7) -> None:
    """Check a gradient against a reference by relative error (use float64).

    Args:
        name: which gradient, printed on the PASS line.
        analytic: the gradient to check (e.g. from backpropagation by hand).
        numerical: the reference gradient (numerical or autodiff), of the same shape.
        tol: the largest relative error allowed, a positive finite number.

    Raises:
        AssertionError: the relative error is ``tol`` or more, or a gradient cannot be a result
            (None, empty, NaN, complex, different shapes).
        TypeError, ValueError: a bad ``name`` or ``tol``, or values that are not numbers.
    """
    _check_name("check_gradient", name)
    _check_tolerance("check_gradient", "tol", tol, "relative error < tol")
    analytic, numerical = _comparable(name, ("analytic", analytic), ("numerical", numerical))
    err = float(
        np.max(
            np.abs(analytic - numerical) / np.maximum(1e-8, np.abs(analytic) + np.abs(numerical))
        )
    )
    if not err < tol:
        raise AssertionError(
            f"{name}: relative error is {err:.3g}, expected < {tol:g}. "
            "Compare the two gradients entry by entry to find the wrong term."
        )
    print(f"PASS  {name}: relative error < {tol:g} (measured {err:.1e})")


def check_equal(name: str, actual, expected) -> None:
    """Check exact equality of two values: counts, shapes, strings, or whole arrays.

    Plain values print themselves on the PASS line (``PASS  params: 92769``). Arrays (NumPy
    arrays or backend tensors, or a list against an array) are equal when their shapes and
    every value agree; the PASS line then gives the shape.

    Raises:
        AssertionError: the values differ, or one is None, NaN or an empty array.
        TypeError, ValueError: a bad ``name``.
    """
    _check_name("check_equal", name)
    for arg, value in (("actual", actual), ("expected", expected)):
        if value is None:
            raise AssertionError(
                f"{name}: {arg} is None, expected a value to compare. {_MISSING_RETURN}"
            )
        if isinstance(value, float) and math.isnan(value):
            raise AssertionError(
                f"{name}: {arg} is NaN, which equals nothing; the computation produced NaN "
                "(0/0, log of 0, or an overflow)."
            )
    if _is_array(actual) or _is_array(expected):
        _check_equal_arrays(name, actual, expected)
        return
    try:
        differ = bool(actual != expected)
    except (TypeError, ValueError):  # e.g. lists holding arrays
        _check_equal_arrays(name, actual, expected)
        return
    if differ:
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

    Raises:
        AssertionError: the value lies outside the current mode's band, or is None or NaN.
        TypeError, ValueError: a bad ``name``, a band that is not ``(low, high)`` numbers with
            ``low <= high``, or a value that is not a single number.
    """
    _check_name("check_outcome", name)
    bands = {"full": full, "fast": fast}
    for mode, band in bands.items():
        bands[mode] = _check_band(mode, band)
    value = _outcome_value(name, value)
    mode = get_mode()
    low, high = bands[mode]
    inside = (low is None or value >= low) and (high is None or value <= high)
    if not inside:
        raise AssertionError(
            f"{name} = {value:.4g} is outside the {mode}-mode band {_band(low, high)}. "
            "The model did not learn what this section expects: re-run the cells above in "
            "order; if it persists, the training setup has changed."
        )
    described = ", ".join(f"{_band(*bands[m])} in {m} mode" for m in MODES)
    print(f"PASS  {name}: {described} (measured {value:.4g})")


# --- arguments of the checks ------------------------------------------------------------------


def _check_name(func: str, name) -> None:
    if not isinstance(name, str):
        raise TypeError(
            f"{func}: name must be a string saying what is checked (the first argument), "
            f'got {_describe(name)}. Example: {func}("h_T, NumPy vs Keras", ...).'
        )
    if not name.strip():
        raise ValueError(
            f"{func}: name must be a non-empty string saying what is checked, got {name!r}."
        )


def _is_real_number(x) -> bool:
    return isinstance(x, numbers.Real) and not isinstance(x, (bool, np.bool_))


def _check_tolerance(func: str, arg: str, value, meaning: str) -> None:
    if not _is_real_number(value):
        raise TypeError(
            f"{func}: {arg} must be a positive number (the check passes when {meaning}), "
            f"got {_describe(value)}."
        )
    if not (math.isfinite(value) and value > 0):
        raise ValueError(
            f"{func}: {arg} must be a positive finite number (the check passes when {meaning}), "
            f"got {arg}={value!r}."
        )


def _check_band(mode: str, band) -> tuple[float | None, float | None]:
    expected = "a (low, high) tuple of numbers or None, with low <= high"
    if not (isinstance(band, (tuple, list)) and len(band) == 2):
        raise TypeError(f"check_outcome: {mode}= must be {expected}, got {band!r}")
    for side, bound in zip(("low", "high"), band, strict=True):
        if bound is None:
            continue
        if not _is_real_number(bound):
            raise TypeError(
                f"check_outcome: {mode}= must be {expected}; its {side} is {_describe(bound)}"
            )
        if math.isnan(bound):
            raise ValueError(f"check_outcome: {mode}= must be {expected}; its {side} is NaN")
    low, high = band
    if low is not None and high is not None and low > high:
        raise ValueError(
            f"check_outcome: {mode}= must be {expected}; got {mode}={band!r}, an empty band "
            f"(low {low:g} > high {high:g}). Swap the two bounds."
        )
    return low, high


def _outcome_value(name: str, value) -> float:
    if value is None:
        raise AssertionError(f"{name} is None, expected the measured number. {_MISSING_RETURN}")
    if isinstance(value, (bool, np.bool_, str, bytes)) or not (
        isinstance(value, numbers.Number) or hasattr(value, "shape")
    ):
        raise TypeError(
            f"check_outcome: value must be the measured number, got {_describe(value)}."
        )
    array = _to_numpy(value)
    if array.size != 1:
        raise TypeError(
            f"check_outcome: value must be a single number, got an array of shape {array.shape}."
        )
    if array.dtype.kind == "c":
        raise AssertionError(f"{name} = {array.item()!r} is complex, expected a real number.")
    if array.dtype.kind not in "iuf":
        raise TypeError(
            f"check_outcome: value must be the measured number, got dtype {array.dtype}."
        )
    number = float(array.reshape(()))
    if math.isnan(number):
        raise AssertionError(
            f"{name} is NaN: the computation diverged (a NaN loss: try a smaller learning rate "
            "or gradient clipping), so it says nothing about what the model learned."
        )
    if math.isinf(number):
        raise AssertionError(f"{name} is {number}: the computation overflowed.")
    return number


def _band(low: float | None, high: float | None) -> str:
    if low is None and high is None:
        return "any value"
    if low is None:
        return f"<= {high:g}"
    if high is None:
        return f">= {low:g}"
    return f"in [{low:g}, {high:g}]"


# --- values under check -----------------------------------------------------------------------


def _describe(x) -> str:
    """A short description of a value for an error message."""
    if x is None:
        return "None"
    if isinstance(x, (str, bytes, bool, numbers.Number)):
        return f"{type(x).__name__} {x!r}"
    shape = getattr(x, "shape", None)
    if shape is not None:
        return f"{type(x).__name__} of shape {tuple(shape)}"
    if callable(x):
        return (
            f"the function {getattr(x, '__name__', type(x).__name__)} itself (call it and pass "
            "its result?)"
        )
    return f"a value of type {type(x).__name__}"


def _is_array(x) -> bool:
    """A NumPy array or a backend tensor / Keras variable (not a NumPy scalar)."""
    if isinstance(x, np.ndarray):
        return True
    if isinstance(x, (np.generic, numbers.Number, str, bytes, list, tuple, dict)) or x is None:
        return False
    return hasattr(x, "shape") and hasattr(x, "dtype")


def _to_numpy(x) -> np.ndarray:
    """Any array-like (NumPy, lists, numbers, backend tensors on any device) as a NumPy array."""
    if _is_array(x) and not isinstance(x, np.ndarray):
        import keras  # a backend tensor, possibly on a GPU

        x = keras.ops.convert_to_numpy(x)
    return np.asarray(x)


def _as_real_array(arg: str, x) -> np.ndarray:
    """``x`` as a float64 array; raise :class:`_Unfit` saying why it cannot be one."""
    if x is None:
        raise _Unfit("none", f"{arg} is None, expected an array of numbers.")
    if isinstance(x, (str, bytes, dict, set)) or callable(x) and not _is_array(x):
        raise _Unfit("type", f"{arg} must be an array of numbers, got {_describe(x)}.")
    try:
        array = _to_numpy(x)
    except (TypeError, ValueError) as error:  # e.g. ragged nested lists
        raise _Unfit(
            "type",
            f"{arg} must be an array of numbers, got a {type(x).__name__} that is not a "
            f"rectangular array of numbers ({error}).",
        ) from None
    if array.dtype.kind == "c":
        raise _Unfit(
            "complex",
            f"{arg} holds complex numbers (dtype {array.dtype}); the check compares real values "
            "and would drop the imaginary part. Compare .real and .imag separately.",
        )
    if array.dtype.kind not in "biuf":
        raise _Unfit(
            "type", f"{arg} must be an array of numbers, got {_describe(x)} of dtype {array.dtype}."
        )
    if array.size == 0:
        raise _Unfit("empty", f"{arg} is empty (shape {array.shape}): there is nothing to compare.")
    return array.astype(np.float64)


def _measurable(func: str, *named) -> tuple[np.ndarray, np.ndarray]:
    """Convert two values for a measurement; bad values are TypeError / ValueError."""
    arrays = []
    for arg, value in named:
        try:
            arrays.append(_as_real_array(arg, value))
        except _Unfit as problem:
            error = ValueError if problem.kind == "empty" else TypeError
            hint = f" ({_MISSING_RETURN})" if problem.kind == "none" else ""
            raise error(f"{func}: {problem}{hint}") from None
    a, b = arrays
    if a.shape != b.shape:
        raise ValueError(
            f"{func}: cannot compare arrays of shapes {a.shape} and {b.shape}; "
            "expected two arrays of the same shape."
        )
    return a, b


def _comparable(name: str, *named) -> tuple[np.ndarray, np.ndarray]:
    """Convert the two values of a check; a value that cannot be a result fails the check."""
    arrays = []
    for arg, value in named:
        try:
            arrays.append(_as_real_array(arg, value))
        except _Unfit as problem:
            if problem.kind == "type":
                raise TypeError(f"{name}: {problem}") from None
            hint = f" {_MISSING_RETURN}" if problem.kind == "none" else ""
            raise AssertionError(f"{name}: {problem}{hint}") from None
    (first, a), (second, b) = (named[0][0], arrays[0]), (named[1][0], arrays[1])
    if a.shape != b.shape:
        raise AssertionError(
            f"{name}: {first} has shape {a.shape} but {second} has shape {b.shape}; expected "
            "the same shape (a transposed matrix, or a missing or extra batch axis?)."
        )
    for arg, array in ((first, a), (second, b)):
        bad = ~np.isfinite(array)
        if bad.any():
            nans, infs = int(np.isnan(array).sum()), int(np.isinf(array).sum())
            counts = [f"{n} {kind}" for n, kind in ((nans, "NaN"), (infs, "infinite")) if n]
            raise AssertionError(
                f"{name}: {arg} holds {' and '.join(counts)} value(s) (of {array.size}), first "
                f"at index "
                f"{_first_index(bad)}: the computation produced NaN or inf (0/0, log of 0, "
                "an overflow, or an exploding gradient)."
            )
    return a, b


def _first_index(flags: np.ndarray) -> tuple[int, ...]:
    return tuple(int(i) for i in np.argwhere(flags)[0])


def _check_equal_arrays(name: str, actual, expected) -> None:
    arrays = []
    for arg, value in (("actual", actual), ("expected", expected)):
        try:
            arrays.append(_to_numpy(value))
        except (TypeError, ValueError) as error:
            raise TypeError(
                f"{name}: cannot compare {arg}, {_describe(value)}, as an array ({error})."
            ) from None
    a, e = arrays
    if a.shape != e.shape:
        raise AssertionError(f"{name}: got an array of shape {a.shape}, expected shape {e.shape}.")
    if a.size == 0:
        raise AssertionError(f"{name}: the arrays are empty (shape {a.shape}): nothing to compare.")
    for arg, array in (("actual", a), ("expected", e)):
        if array.dtype.kind in "fc" and np.isnan(array).any():
            raise AssertionError(
                f"{name}: {arg} holds NaN values (first at index "
                f"{_first_index(np.isnan(array))}), which equal nothing."
            )
    same = np.asarray(a == e)
    if same.shape != a.shape:  # values that do not compare elementwise
        raise TypeError(f"{name}: cannot compare arrays of dtypes {a.dtype} and {e.dtype}.")
    if not same.all():
        index = _first_index(~same)
        raise AssertionError(
            f"{name}: {int((~same).sum())} of {a.size} values differ; first at index {index}: "
            f"got {a[index].tolist()!r}, expected {e[index].tolist()!r}."
        )
    print(f"PASS  {name}: arrays equal, shape {a.shape}")
