"""Training a Keras model for a fixed budget of wall-clock time, for fair comparisons.

A practitioner with a minute of CPU wants the model that is best after that minute, and a model
whose steps are cheap can take more of them. :func:`train_for_time` trains on fresh batches in
chunks of ``chunk_steps`` steps, scores the validation data after every chunk, and stops before a
chunk that would overrun the budget (it assumes the next chunk takes as long as the last one).

Tracing the training and evaluation functions happens in a first, separately timed warm-up
step, so a model with a slow first call is not charged for it in the budget; time per step is
the median over the timed chunks, so one slow chunk on a busy machine does not skew it.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from numbers import Integral, Real

import keras
import numpy as np

__all__ = ["train_for_time"]


def train_for_time(
    model,
    sample: Callable[[int], tuple[np.ndarray, np.ndarray]],
    *,
    seconds: float,
    chunk_steps: int,
    batch_size: int,
    validation_data: tuple[np.ndarray, np.ndarray],
    target: float | None = None,
    max_steps: int | None = None,
) -> dict:
    """Train a compiled model for ``seconds`` of wall-clock time and record its validation loss.

    Args:
        model: a compiled ``keras.Model``.
        sample: a function ``sample(n) -> (x, y)`` returning ``n`` fresh training examples
            (for example ``lambda n: random_windows(ids, 100, n, rng)``); it is called once per
            chunk with ``n = chunk_steps * batch_size``, and its time is not counted.
        seconds: the training budget, > 0. The warm-up step (tracing) is not counted in it.
        chunk_steps: training steps between two validations, >= 1.
        batch_size: examples per step, >= 1.
        validation_data: ``(x_val, y_val)``, scored in one batch after every chunk.
        target: if given, stop as soon as the validation loss is at or below it (for "steps
            to solve" a task); ``"reached_at"`` records the step count then.
        max_steps: if given, also stop once this many steps are done (the warm-up step
            counts), for comparisons at an equal number of steps; ``seconds`` is then a limit.

    Returns:
        A dict with ``"steps"`` (the step count after each chunk), ``"seconds"`` (the budget
        used after each chunk), ``"val_loss"`` (after each chunk; the first loss if the model
        has metrics), ``"s_per_step"`` (median seconds per step over the chunks),
        ``"trace_seconds"`` (the warm-up step and first validation), ``"best_val_loss"`` and
        ``"diverged"`` (True if the training loss became NaN or infinite, which stops training)
        and ``"reached_at"`` (the step count when the validation loss first reached ``target``;
        None if it did not, or without a target).

    Raises:
        TypeError: ``model`` is not a compiled Keras model, or ``sample`` is not callable.
        ValueError: a budget, step count or batch size that is not positive, or validation
            data that is not a pair of arrays with the same number of rows.
    """
    if not isinstance(model, keras.Model):
        raise TypeError(f"train_for_time: model must be a keras.Model; got {type(model).__name__}.")
    if not model.compiled:
        raise TypeError(
            "train_for_time: the model is not compiled; call model.compile(optimizer=..., "
            "loss=...) first."
        )
    if not callable(sample):
        raise TypeError(
            f"train_for_time: sample must be a function n -> (x, y); got {type(sample).__name__}."
        )
    seconds = _positive("seconds", seconds, real=True)
    chunk_steps = _positive("chunk_steps", chunk_steps)
    batch_size = _positive("batch_size", batch_size)
    x_val, y_val = _pair(validation_data)
    if target is not None:
        target = _real("target", target)
    if max_steps is not None:
        max_steps = _positive("max_steps", max_steps)

    def validate() -> float:
        result = model.evaluate(x_val, y_val, batch_size=len(x_val), verbose=0)
        return float(result[0] if isinstance(result, list) else result)

    def fit(n_steps: int) -> tuple[float, bool]:
        x, y = sample(n_steps * batch_size)
        start = time.perf_counter()
        history = model.fit(x, y, batch_size=batch_size, shuffle=False, verbose=0)
        elapsed = time.perf_counter() - start
        return elapsed, not math.isfinite(history.history["loss"][-1])

    start = time.perf_counter()
    _, diverged = fit(1)
    validate()
    run = {
        "steps": [],
        "seconds": [],
        "val_loss": [],
        "trace_seconds": time.perf_counter() - start,
        "diverged": diverged,
        "reached_at": None,
    }
    chunk_seconds: list[float] = []
    chunk_sizes: list[int] = []
    while not run["diverged"]:
        last = chunk_seconds[-1] if chunk_seconds else 0.0
        if sum(chunk_seconds) + last > seconds:
            break
        done = 1 + chunk_steps * len(chunk_seconds)
        if max_steps is not None and done >= max_steps:
            break
        n_steps = chunk_steps if max_steps is None else min(chunk_steps, max_steps - done)
        elapsed, run["diverged"] = fit(n_steps)
        chunk_seconds.append(elapsed)
        chunk_sizes.append(n_steps)
        run["steps"].append(done + n_steps)
        run["seconds"].append(sum(chunk_seconds))
        run["val_loss"].append(validate())
        if target is not None and run["val_loss"][-1] <= target:
            run["reached_at"] = run["steps"][-1]
            break
    finite = [v for v in run["val_loss"] if math.isfinite(v)]
    run["best_val_loss"] = min(finite) if finite else math.nan
    per_step = [t / n for t, n in zip(chunk_seconds, chunk_sizes, strict=True)]
    run["s_per_step"] = float(np.median(per_step)) if per_step else math.nan
    return run


def _positive(name: str, value, *, real: bool = False):
    kinds = (Real,) if real else (Integral,)
    if isinstance(value, bool) or not isinstance(value, kinds):
        kind = "number" if real else "integer"
        raise TypeError(
            f"train_for_time: {name} must be a positive {kind}; got {type(value).__name__} "
            f"{value!r}."
        )
    if not value > 0 or (real and not math.isfinite(value)):
        raise ValueError(f"train_for_time: {name} must be positive and finite; got {value!r}.")
    return float(value) if real else int(value)


def _real(name: str, value) -> float:
    if isinstance(value, bool) or not isinstance(value, Real) or not math.isfinite(value):
        raise TypeError(f"train_for_time: {name} must be a finite number or None; got {value!r}.")
    return float(value)


def _pair(validation_data):
    if not isinstance(validation_data, (tuple, list)) or len(validation_data) != 2:
        raise ValueError(
            "train_for_time: validation_data must be a pair (x_val, y_val); got "
            f"{type(validation_data).__name__}."
        )
    x_val, y_val = validation_data
    rows = [
        getattr(a, "shape", (None,))[0] if getattr(a, "shape", ()) else None for a in (x_val, y_val)
    ]
    if None in rows or rows[0] != rows[1] or rows[0] == 0:
        raise ValueError(
            "train_for_time: validation_data must be two non-empty arrays with the same number "
            f"of rows; got rows {rows[0]} and {rows[1]}."
        )
    return x_val, y_val
