"""rnn_course.profiling: the timing table has the rows, shapes and counts a comparison needs.

No test asserts on how long anything takes (that depends on the machine): only on the table's
structure, its parameter counts, and the errors for bad input.
"""

import math

import keras
import pytest

from rnn_course.profiling import format_table, grid, growth, time_layers


def _dense(x):
    return keras.layers.Dense(3)(x)


def _rnn(x):
    return keras.layers.SimpleRNN(3, return_sequences=True)(x)


def test_grid_is_the_union_of_two_sweeps():
    shapes = grid(lengths=(16, 64), batch=8, batch_sizes=(1, 8, 32), length=64)
    assert shapes == [(16, 8), (64, 1), (64, 8), (64, 32)]


def test_time_layers_returns_one_row_per_layer_and_shape():
    shapes = [(2, 1), (5, 2)]
    rows = time_layers({"dense": _dense, "RNN": _rnn}, shapes, features=4, repeats=1, warmup=1)
    assert [(r["layer"], r["T"], r["batch"]) for r in rows] == [
        ("dense", 2, 1),
        ("dense", 5, 2),
        ("RNN", 2, 1),
        ("RNN", 5, 2),
    ]
    # the parameters of the layer alone: Dense 4 -> 3, SimpleRNN(3) on 4 features
    assert {r["layer"]: r["params"] for r in rows} == {"dense": 15, "RNN": 3 * (4 + 3) + 3}
    for r in rows:
        assert r["forward_ms"] > 0 and r["train_ms"] > 0
        assert math.isfinite(r["forward_ms"]) and math.isfinite(r["train_ms"])
    text = format_table(rows)
    assert text.splitlines()[0].startswith("layer") and len(text.splitlines()) == 5


def _rows(values, over="T"):
    fixed = {"T": "batch", "batch": "T"}[over]
    return [
        {"layer": "L", over: x, fixed: 16, "train_ms": ms, "forward_ms": ms / 2} for x, ms in values
    ]


def test_growth_reads_the_factor_and_the_last_slope():
    rows = _rows([(16, 1.0), (64, 2.0), (256, 8.0)])
    rows.append({"layer": "L", "T": 64, "batch": 1, "train_ms": 99.0, "forward_ms": 99.0})
    g = growth(rows, layer="L", over="T")
    assert g["x"] == [16, 64, 256]  # the batch-1 row belongs to the other sweep
    assert g["factor"] == pytest.approx(8.0)
    assert g["slope"] == pytest.approx(0.75)  # least squares over 16, 64, 256: 8x for 16x
    longer = growth(_rows([(4, 5.0), (16, 1.0), (64, 4.0), (256, 16.0)]), layer="L", over="T")
    assert longer["slope"] == pytest.approx(1.0)  # the first point is left out of the slope
    assert growth(rows, layer="L", over="T", key="forward_ms")["factor"] == pytest.approx(8.0)
    by_batch = growth(_rows([(1, 3.0), (128, 3.0)], over="batch"), layer="L", over="batch")
    assert by_batch["slope"] == pytest.approx(0.0)


@pytest.mark.parametrize(
    "kwargs, message",
    [
        (dict(over="length"), "over must be 'T' or 'batch'"),
        (dict(key="ms"), "key must be"),
        (dict(layer="GRU"), "at least two rows of layer 'GRU'"),
    ],
)
def test_growth_rejects_bad_arguments(kwargs, message):
    args = dict(layer="L", over="T") | kwargs
    with pytest.raises(ValueError, match=message):
        growth(_rows([(16, 1.0), (64, 2.0)]), **args)


@pytest.mark.parametrize(
    "builders, shapes, kwargs, error, message",
    [
        ({}, [(2, 1)], {}, TypeError, "non-empty mapping"),
        ([_dense], [(2, 1)], {}, TypeError, "non-empty mapping"),
        ({"x": "Dense"}, [(2, 1)], {}, TypeError, "must be a function"),
        ({"x": _dense}, [], {}, ValueError, "shapes is empty"),
        ({"x": _dense}, [(0, 1)], {}, ValueError, "positive integers"),
        ({"x": _dense}, [(2,)], {}, ValueError, "pair"),
        ({"x": _dense}, [(2.5, 1)], {}, ValueError, "positive integers"),
        ({"x": _dense}, "16x8", {}, ValueError, "pairs"),
        ({"x": _dense}, [(2, 1)], {"repeats": 0}, ValueError, "repeats"),
        ({"x": _dense}, [(2, 1)], {"features": True}, ValueError, "features"),
        ({"x": _dense}, [(2, 1)], {"warmup": 0}, ValueError, "warmup"),
        (
            {"x": lambda x: keras.layers.SimpleRNN(3)(x)},
            [(2, 1)],
            {},
            TypeError,
            "return_sequences=True",
        ),
    ],
)
def test_time_layers_rejects_bad_input(builders, shapes, kwargs, error, message):
    with pytest.raises(error, match=message):
        time_layers(builders, shapes, **(dict(features=2, repeats=1, warmup=1) | kwargs))


@pytest.mark.parametrize(
    "kwargs, message",
    [
        (dict(lengths=()), "lengths is empty"),
        (dict(lengths=(16, -1)), "lengths must be a positive integer"),
        (dict(batch=0), "batch must be a positive integer"),
        (dict(batch_sizes=8), "batch_sizes must be a sequence"),
        (dict(length=None), "length must be a positive integer"),
    ],
)
def test_grid_rejects_bad_input(kwargs, message):
    args = dict(lengths=(16,), batch=1, batch_sizes=(1,), length=16) | kwargs
    with pytest.raises(ValueError, match=message):
        grid(**args)
