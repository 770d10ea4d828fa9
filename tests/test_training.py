"""rnn_course.training.train_for_time: budgeted training records what a comparison needs."""

import math

import keras
import numpy as np
import pytest

from rnn_course.training import train_for_time


def _model(lr=1e-2):
    model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(1)])
    model.compile(optimizer=keras.optimizers.SGD(lr), loss="mse")
    return model


def _sampler(seed=0):
    rng = np.random.default_rng(seed)
    w = np.array([[1.0], [-2.0], [0.5]], "float32")

    def sample(n):
        x = rng.normal(size=(n, 3)).astype("float32")
        return x, x @ w

    return sample


def _train(lr=1e-2, n_val=16, **kwargs):
    """train_for_time on a linear regression, validation data from another seed."""
    return train_for_time(_model(lr), _sampler(), validation_data=_sampler(1)(n_val), **kwargs)


def test_records_chunks_and_learns():
    run = _train(n_val=64, seconds=1.0, chunk_steps=5, batch_size=8)
    n = len(run["val_loss"])
    assert n >= 2
    assert run["steps"] == [1 + 5 * k for k in range(1, n + 1)]
    assert len(run["seconds"]) == n and np.all(np.diff(run["seconds"]) > 0)
    assert run["val_loss"][-1] < run["val_loss"][0]
    assert run["best_val_loss"] == min(run["val_loss"])
    assert run["s_per_step"] > 0 and run["trace_seconds"] > 0
    assert not run["diverged"]


def test_stays_within_the_budget_by_the_last_chunk():
    # it stops before a chunk that would overrun, judging by the last chunk's time
    run = _train(seconds=0.5, chunk_steps=2, batch_size=4)
    chunks = np.diff([0.0, *run["seconds"]])
    assert run["seconds"][-1] <= 0.5 + chunks.max() + 1e-9


def test_target_stops_training_when_reached():
    run = _train(lr=5e-2, n_val=64, seconds=20.0, chunk_steps=5, batch_size=16, target=0.05)
    assert run["reached_at"] == run["steps"][-1]
    assert run["val_loss"][-1] <= 0.05 < min(run["val_loss"][:-1], default=1.0)
    assert run["seconds"][-1] < 20.0


def test_max_steps_gives_an_equal_number_of_steps():
    run = _train(seconds=30.0, chunk_steps=4, batch_size=4, max_steps=11)
    assert run["steps"] == [5, 9, 11]  # the warm-up step, two chunks of 4, one of 2
    assert run["s_per_step"] > 0


def test_divergence_stops_training():
    run = _train(lr=1e6, seconds=5.0, chunk_steps=5, batch_size=8)
    assert run["diverged"]
    assert len(run["val_loss"]) <= 1
    assert math.isnan(run["best_val_loss"]) or run["best_val_loss"] >= 0


def test_validation_loss_is_the_first_value_when_the_model_has_metrics():
    model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(1)])
    model.compile(optimizer="sgd", loss="mse", metrics=["mae"])
    x_val, y_val = _sampler(1)(16)
    run = train_for_time(
        model, _sampler(), seconds=0.2, chunk_steps=1, batch_size=4, validation_data=(x_val, y_val)
    )
    assert np.isclose(run["val_loss"][-1], model.evaluate(x_val, y_val, verbose=0)[0])


@pytest.mark.parametrize(
    "change, error, words",
    [
        ({"model": "model"}, TypeError, "keras.Model"),
        (
            {"model": keras.Sequential([keras.Input((3,)), keras.layers.Dense(1)])},
            TypeError,
            "compile",
        ),
        ({"sample": None}, TypeError, "sample must be a function"),
        ({"seconds": 0}, ValueError, "seconds must be positive"),
        ({"seconds": float("inf")}, ValueError, "finite"),
        ({"seconds": "10"}, TypeError, "seconds must be a positive number"),
        ({"chunk_steps": 2.5}, TypeError, "chunk_steps must be a positive integer"),
        ({"batch_size": 0}, ValueError, "batch_size must be positive"),
        ({"target": "low"}, TypeError, "target must be a finite number"),
        ({"max_steps": 0}, ValueError, "max_steps must be positive"),
        ({"validation_data": np.zeros((4, 3))}, ValueError, "pair"),
        (
            {"validation_data": (np.zeros((4, 3)), np.zeros((5, 1)))},
            ValueError,
            "same number of rows",
        ),
    ],
)
def test_bad_arguments(change, error, words):
    x_val, y_val = _sampler(1)(4)
    kwargs = dict(
        model=_model(),
        sample=_sampler(),
        seconds=0.1,
        chunk_steps=1,
        batch_size=2,
        validation_data=(x_val, y_val),
    )
    kwargs.update(change)
    model = kwargs.pop("model")
    sample = kwargs.pop("sample")
    with pytest.raises(error, match=words):
        train_for_time(model, sample, **kwargs)
