"""Timing sequence layers against sequence length and batch size, warm-up excluded.

A recurrent layer computes ``h_t`` from ``h_{t-1}``: its ``T`` steps form a chain that no
amount of hardware can run side by side. A convolution or a self-attention layer computes every
position at once. :func:`time_layers` measures what that means on the machine at hand: for each
model and each ``(T, batch)`` shape it builds a small Keras model (input of ``features`` numbers
per step -> the layer -> a mean-squared error on its output), traces its forward pass and its
training step with warm-up calls that are not timed, and records the median of ``repeats`` timed
calls of ``predict_on_batch`` and ``train_on_batch``::

    rows = time_layers(
        {"LSTM": lambda x: keras.layers.LSTM(64, return_sequences=True)(x),
         "self-attention": lambda x: keras.layers.MultiHeadAttention(4, 16)(x, x)},
        grid(lengths=(16, 64, 256), batch=16, batch_sizes=(1, 16, 128), length=64),
    )
    print(format_table(rows))

Tests never assert on these times (they depend on the machine and on what else runs on it);
``benchmarks/sequence_scaling.py`` prints the same table from the command line.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from functools import partial
from numbers import Integral

import keras
import numpy as np

__all__ = ["format_table", "grid", "growth", "time_layers"]

Builder = Callable[[object], object]


def grid(
    *, lengths: Iterable[int], batch: int, batch_sizes: Iterable[int], length: int
) -> list[tuple[int, int]]:
    """The shapes of two sweeps: every ``T`` in ``lengths`` at ``batch``, and every batch size in
    ``batch_sizes`` at ``length``; as sorted, unique ``(T, batch)`` pairs.

    Two sweeps instead of the full product keep the costly corner (the longest sequences in the
    largest batches, where self-attention's ``T x T`` scores take gigabytes) out of the grid.

    Example:
        >>> grid(lengths=(16, 64), batch=8, batch_sizes=(1, 8), length=64)
        [(16, 8), (64, 1), (64, 8)]
    """
    lengths = _positive_ints("grid", "lengths", lengths)
    batch_sizes = _positive_ints("grid", "batch_sizes", batch_sizes)
    batch = _positive_int("grid", "batch", batch)
    length = _positive_int("grid", "length", length)
    return sorted({(T, batch) for T in lengths} | {(length, b) for b in batch_sizes})


def time_layers(
    builders: Mapping[str, Builder],
    shapes: Sequence[tuple[int, int]],
    *,
    features: int = 64,
    repeats: int = 5,
    warmup: int = 2,
    seed: int = 0,
) -> list[dict]:
    """Time the forward pass and the training step of each model at each ``(T, batch)`` shape.

    Args:
        builders: ``{name: build}``, where ``build(inputs)`` takes a Keras input tensor of shape
            ``(batch, T, features)`` and returns the layer's output tensor (a functional-API
            call, e.g. ``lambda x: keras.layers.GRU(64, return_sequences=True)(x)`` or
            ``lambda x: keras.layers.MultiHeadAttention(4, 16)(x, x)``).
        shapes: ``(T, batch)`` pairs, e.g. from :func:`grid`.
        features: numbers per input step, >= 1.
        repeats: timed calls per measurement, >= 1; the median is kept.
        warmup: untimed calls first (the first one traces the function), >= 1.
        seed: seeds the weights and the random inputs.

    Returns:
        One dict per (model, shape), in the order of ``builders`` then ``shapes``: ``"layer"``,
        ``"T"``, ``"batch"``, ``"params"`` (the model's parameter count), ``"forward_ms"``
        (median milliseconds of one ``predict_on_batch``) and ``"train_ms"`` (median
        milliseconds of one ``train_on_batch`` with SGD on the mean squared error of the
        outputs against zeros).

    Raises:
        TypeError: ``builders`` is not a non-empty mapping of callables, or a builder does not
            return one tensor of rank 3 or more.
        ValueError: an empty ``shapes``, a shape that is not two positive integers, or
            ``features``, ``repeats`` or ``warmup`` below 1.
    """
    if not isinstance(builders, Mapping) or not builders:
        raise TypeError(
            "time_layers: builders must be a non-empty mapping {name: build(inputs) -> outputs}; "
            f"got {type(builders).__name__}."
        )
    for name, build in builders.items():
        if not callable(build):
            raise TypeError(
                f"time_layers: builder {name!r} must be a function inputs -> outputs; got "
                f"{type(build).__name__}."
            )
    shapes = _shapes(shapes)
    features = _positive_int("time_layers", "features", features)
    repeats = _positive_int("time_layers", "repeats", repeats)
    warmup = _positive_int("time_layers", "warmup", warmup)
    rows = []
    for name, build in builders.items():
        for T, batch in shapes:
            keras.utils.set_random_seed(seed)
            model = _model(name, build, T, features)
            rng = np.random.default_rng(seed)
            x = rng.normal(size=(batch, T, features)).astype("float32")
            y = np.zeros((batch, *model.output.shape[1:]), dtype="float32")
            rows.append(
                {
                    "layer": str(name),
                    "T": T,
                    "batch": batch,
                    "params": int(model.count_params()),
                    "forward_ms": _median_ms(partial(model.predict_on_batch, x), warmup, repeats),
                    "train_ms": _median_ms(partial(model.train_on_batch, x, y), warmup, repeats),
                }
            )
            keras.backend.clear_session()
    return rows


def growth(rows: Sequence[Mapping], *, layer: str, over: str, key: str = "train_ms") -> dict:
    """How the time of ``layer`` grows along one sweep of :func:`time_layers`'s table.

    Args:
        rows: the table.
        layer: the model's name.
        over: ``"T"`` (the rows at the most common batch size, against T) or ``"batch"`` (the
            rows at the most common T, against batch size).
        key: ``"train_ms"`` or ``"forward_ms"``.

    Returns:
        ``{"x": [...], "ms": [...], "factor": ms at the largest x / ms at the smallest,
        "slope": the least-squares slope of log(ms) against log(x) over the last three points
        (two if there are only two)}``. A slope of 1 means the time doubles when ``x``
        doubles; 0 means it does not change; 2 means it quadruples. The smallest values are
        left out of the slope when there are more than three, since a fixed cost per call
        (launching the step) hides how the work grows there.

    Raises:
        ValueError: ``over`` or ``key`` is not one of the names above, or the table has fewer
            than two rows of that layer along the sweep.
    """
    if over not in ("T", "batch"):
        raise ValueError(f"growth: over must be 'T' or 'batch'; got {over!r}.")
    if key not in ("train_ms", "forward_ms"):
        raise ValueError(f"growth: key must be 'train_ms' or 'forward_ms'; got {key!r}.")
    mine = [r for r in rows if r.get("layer") == layer]
    fixed = "batch" if over == "T" else "T"
    if mine:
        counts: dict[int, int] = {}
        for r in mine:
            counts[r[fixed]] = counts.get(r[fixed], 0) + 1
        common = max(counts, key=lambda v: (counts[v], v))
        mine = sorted((r for r in mine if r[fixed] == common), key=lambda r: r[over])
    if len(mine) < 2:
        names = sorted({str(r.get("layer")) for r in rows})
        raise ValueError(
            f"growth: need at least two rows of layer {layer!r} along {over}; got {len(mine)} "
            f"(layers in the table: {names})."
        )
    x = [r[over] for r in mine]
    ms = [float(r[key]) for r in mine]
    log_x, log_ms = np.log(x[-3:]), np.log(ms[-3:])
    slope = float(np.polyfit(log_x, log_ms, 1)[0])
    return {"x": x, "ms": ms, "factor": ms[-1] / ms[0], "slope": slope}


def format_table(rows: Sequence[Mapping]) -> str:
    """The table as aligned text: layer, parameters, T, batch, forward and training ms."""
    lines = [
        f"{'layer':16s} | {'params':>7s} | {'T':>5s} | {'batch':>5s} | {'forward ms':>10s} | "
        f"{'train ms':>9s}"
    ]
    for r in rows:
        lines.append(
            f"{r['layer']:16s} | {r['params']:7,d} | {r['T']:5d} | {r['batch']:5d} | "
            f"{r['forward_ms']:10.2f} | {r['train_ms']:9.2f}"
        )
    return "\n".join(lines)


def _model(name, build, T: int, features: int):
    inputs = keras.Input((T, features), name="x")
    outputs = build(inputs)
    if isinstance(outputs, (list, tuple)) or len(getattr(outputs, "shape", ())) < 3:
        raise TypeError(
            f"time_layers: builder {name!r} must return one sequence tensor (batch, T, units); "
            f"got {type(outputs).__name__} of shape {getattr(outputs, 'shape', None)}. Use "
            "return_sequences=True for recurrent layers."
        )
    model = keras.Model(inputs, outputs)
    model.compile(optimizer=keras.optimizers.SGD(1e-3), loss="mse")
    return model


def _median_ms(call: Callable[[], object], warmup: int, repeats: int) -> float:
    for _ in range(warmup):
        _block(call())
    seconds = []
    for _ in range(repeats):
        start = time.perf_counter()
        _block(call())
        seconds.append(time.perf_counter() - start)
    return 1e3 * float(np.median(seconds))


def _block(result) -> None:
    # JAX dispatches asynchronously; converting the result waits until it is computed.
    if isinstance(result, (list, tuple)):
        result = result[0] if result else None
    if result is not None:
        np.asarray(keras.ops.convert_to_numpy(result))


def _shapes(shapes) -> list[tuple[int, int]]:
    if isinstance(shapes, (str, bytes)) or not isinstance(shapes, Iterable):
        raise ValueError(f"time_layers: shapes must be (T, batch) pairs; got {shapes!r}.")
    result = []
    for shape in shapes:
        if (
            not isinstance(shape, (tuple, list))
            or len(shape) != 2
            or not all(isinstance(v, Integral) and not isinstance(v, bool) for v in shape)
            or min(shape) < 1
        ):
            raise ValueError(
                f"time_layers: each shape must be a pair (T, batch) of positive integers; got "
                f"{shape!r}."
            )
        result.append((int(shape[0]), int(shape[1])))
    if not result:
        raise ValueError("time_layers: shapes is empty; give at least one (T, batch) pair.")
    return result


def _positive_int(function: str, name: str, value) -> int:
    if isinstance(value, bool) or not isinstance(value, Integral):
        raise ValueError(f"{function}: {name} must be a positive integer; got {value!r}.")
    if value < 1:
        raise ValueError(f"{function}: {name} must be a positive integer; got {value}.")
    return int(value)


def _positive_ints(function: str, name: str, values) -> list[int]:
    if isinstance(values, (str, bytes)) or not isinstance(values, Iterable):
        raise ValueError(
            f"{function}: {name} must be a sequence of positive integers; got {values!r}."
        )
    values = [_positive_int(function, name, v) for v in values]
    if not values:
        raise ValueError(f"{function}: {name} is empty.")
    return values
