"""Gradient norms of a Keras model's loss, per time step and over all weights, on any backend.

Notebook 02 measures how far back in time a loss's gradient reaches. For a model built from
Keras's recurrent layers the hidden states ``h_t`` live inside the layer's loop, but the
inputs ``x_t`` do not, and ``∂L/∂x_t = (∂h_t/∂x_t)ᵀ ∂L/∂h_t`` (for ``SimpleRNN``:
``W_xhᵀ diag(1 − h_t²) ∂L/∂h_t``): the gradient with respect to each step's *input* follows
``∂L/∂h_t`` up to a bounded factor of that step alone. It is the same computation on the
TensorFlow, JAX and PyTorch backends, and needs nothing from inside the layer.

Both functions differentiate with :func:`rnn_course.autodiff.value_and_grad`.
"""

from __future__ import annotations

from collections.abc import Sequence

import keras
import numpy as np
from keras import ops

from rnn_course.autodiff import value_and_grad

__all__ = ["global_norm", "input_gradient_norms", "loss_and_gradients"]


def input_gradient_norms(model, x, y, *, loss="mse") -> np.ndarray:
    """Return ``‖∂L/∂x_t‖`` for every time step ``t`` of a batch of sequences.

    ``L`` is the mean of ``loss(y, model(x))`` over the batch, and the norm at step ``t`` is
    taken over the whole batch and every feature: ``sqrt(Σ_b Σ_f (∂L/∂x[b, t, f])²)``.

    Args:
        model: a Keras model (or layer) taking sequences of shape ``(batch, time, features)``.
        x: float inputs of shape ``(batch, time, features)`` (NumPy or a backend tensor).
            Token ids cannot be differentiated: measure after the ``Embedding`` instead.
        y: targets with ``batch`` rows, of the model output's shape (or without its last
            axis, for a sparse categorical loss).
        loss: anything ``keras.losses.get`` accepts: a name such as ``"mse"``, a
            ``keras.losses.Loss`` or a function ``(y_true, y_pred) -> per-sample loss``.

    Returns:
        A float64 NumPy array of shape ``(time,)``: entry ``t`` is ``‖∂L/∂x_t‖``.

    Example:
        >>> model = keras.Sequential([keras.Input((None, 2)), keras.layers.SimpleRNN(4),
        ...                           keras.layers.Dense(1)])
        >>> x = np.random.default_rng(0).uniform(size=(8, 30, 2)).astype("float32")
        >>> input_gradient_norms(model, x, np.ones((8, 1), "float32")).shape
        (30,)
    """
    _check_model("input_gradient_norms", model)
    x = _float_array("input_gradient_norms", "x", x)
    if x.ndim != 3:
        raise ValueError(
            "input_gradient_norms: x must be sequences of shape (batch, time, features), "
            f"rank 3; got shape {x.shape} (rank {x.ndim})."
        )
    y = _targets("input_gradient_norms", y, x.shape[0])
    loss_fn = _loss("input_gradient_norms", loss)

    def mean_loss(inputs):
        return _mean_loss("input_gradient_norms", loss_fn, y, model(inputs))

    _, (grad,) = value_and_grad(mean_loss, [x])
    return np.sqrt(np.sum(np.square(grad.astype("float64")), axis=(0, 2)))


def loss_and_gradients(model, x, y, *, loss="mse") -> tuple[float, list[np.ndarray]]:
    """Return the mean loss of ``model`` on ``(x, y)`` and its gradient for each trainable weight.

    The gradients come in the order of ``model.trainable_variables``, ready for
    ``optimizer.apply(grads, model.trainable_variables)``, which clips them as the optimizer
    is configured (``clipnorm``, ``clipvalue`` or ``global_clipnorm``) before it updates.
    The model is called with ``training=False`` through ``model.stateless_call``, so its
    weights are left as they are.

    Args:
        model: a built Keras model.
        x: inputs (any shape and dtype the model takes, e.g. token ids).
        y: targets with as many rows as ``x``.
        loss: as in :func:`input_gradient_norms`.

    Returns:
        ``(loss, grads)``: a float and one NumPy array per trainable weight.
    """
    _check_model("loss_and_gradients", model)
    if not model.built:
        raise ValueError(
            "loss_and_gradients: the model is not built yet; give it a keras.Input or call "
            "it once on a batch first."
        )
    weights = [np.asarray(ops.convert_to_numpy(v.value)) for v in model.trainable_variables]
    if not weights:
        raise ValueError("loss_and_gradients: the model has no trainable weights.")
    x = np.asarray(ops.convert_to_numpy(x))
    if x.ndim == 0:
        raise ValueError("loss_and_gradients: x must have a batch axis; got a scalar.")
    y = _targets("loss_and_gradients", y, x.shape[0])
    loss_fn = _loss("loss_and_gradients", loss)
    frozen = [v.value for v in model.non_trainable_variables]

    def mean_loss(*trainable):
        outputs, _ = model.stateless_call(list(trainable), frozen, x, training=False)
        return _mean_loss("loss_and_gradients", loss_fn, y, outputs)

    return value_and_grad(mean_loss, weights)


def global_norm(grads: Sequence) -> float:
    """The Euclidean norm of all gradients together: ``sqrt(Σ_i ‖g_i‖²)``.

    This is the norm that ``global_clipnorm`` compares with its threshold.
    """
    if isinstance(grads, np.ndarray) or not isinstance(grads, Sequence) or not len(grads):
        raise TypeError(
            "global_norm: grads must be a non-empty list of arrays (one per weight), "
            f"got {type(grads).__name__}."
        )
    total = 0.0
    for g in grads:
        g = np.asarray(ops.convert_to_numpy(g), dtype="float64")
        total += float(np.sum(np.square(g)))
    return float(np.sqrt(total))


def _check_model(function: str, model) -> None:
    if not isinstance(model, keras.Layer):
        raise TypeError(
            f"{function}: model must be a Keras model or layer, got {type(model).__name__}."
        )


def _float_array(function: str, name: str, value) -> np.ndarray:
    array = np.asarray(ops.convert_to_numpy(value))
    if array.dtype.kind != "f":
        raise TypeError(
            f"{function}: {name} must hold floating-point values, got dtype {array.dtype}. "
            "Gradients with respect to token ids do not exist: measure after the Embedding."
        )
    return array if array.dtype == np.float64 else array.astype("float32")


def _targets(function: str, y, batch: int) -> np.ndarray:
    y = np.asarray(ops.convert_to_numpy(y))
    if y.ndim == 0 or y.shape[0] != batch:
        raise ValueError(
            f"{function}: y must have one row per sequence, {batch} rows; got shape {y.shape}."
        )
    if y.dtype.kind not in "fiub":
        raise TypeError(f"{function}: y must be numeric, got dtype {y.dtype}.")
    return y.astype("float32") if y.dtype.kind == "f" and y.dtype != np.float64 else y


def _loss(function: str, loss):
    try:
        loss_fn = keras.losses.get(loss)
    except (ValueError, TypeError) as error:
        raise ValueError(
            f"{function}: loss must be a Keras loss name (e.g. 'mse'), a keras.losses.Loss "
            f"or a function (y_true, y_pred); got {loss!r}. ({error})"
        ) from None
    if loss_fn is None or not callable(loss_fn):
        raise ValueError(f"{function}: unknown loss {loss!r}; try 'mse'.")
    return loss_fn


def _mean_loss(function: str, loss_fn, y, outputs):
    out_shape, y_shape = tuple(outputs.shape), tuple(y.shape)
    if y_shape not in (out_shape, out_shape[:-1]):
        raise ValueError(
            f"{function}: the targets' shape {y_shape} does not fit the model's output shape "
            f"{out_shape} (expected {out_shape}, or {out_shape[:-1]} for a sparse loss)."
        )
    return ops.mean(loss_fn(y, outputs))
