"""Gradients from the backend's automatic differentiation, on any Keras backend.

Keras 3 has no backend-neutral ``grad``; each backend has its own (TensorFlow's
``GradientTape``, ``jax.grad``, PyTorch's autograd). Notebooks compare hand-written
backpropagation against autodiff, so this module hides that one difference.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import keras
import numpy as np


def value_and_grad(
    fn: Callable[..., object], params: Sequence[np.ndarray]
) -> tuple[float, list[np.ndarray]]:
    """Evaluate ``fn(*params)`` (written with ``keras.ops``) and its gradient by autodiff.

    Args:
        fn: a function of tensors returning a scalar tensor.
        params: the NumPy arrays to differentiate with respect to; their dtype is kept, so
            pass float64 arrays for a gradient check.

    Returns:
        ``(value, grads)``: the scalar as a float, and one NumPy array per parameter. A parameter
        that ``fn`` does not use gets a gradient of zeros, on every backend.

    Raises:
        TypeError: ``fn`` is not callable; ``params`` is not a list or tuple of floating-point
            arrays (a single array must be wrapped: ``[W]``); ``fn`` returns None or a NumPy /
            Python number instead of a backend tensor (write it with ``keras.ops``).
        ValueError: ``params`` is empty, or ``fn`` returns a tensor that is not a scalar.
    """
    if not callable(fn):
        raise TypeError(
            f"value_and_grad: fn must be a function of the parameters returning a scalar "
            f"tensor, got {type(fn).__name__} {fn!r}."
        )
    params = _check_params(params)
    backend = keras.backend.backend()
    if backend == "tensorflow":
        import tensorflow as tf

        tensors = [tf.constant(p) for p in params]
        with tf.GradientTape() as tape:
            tape.watch(tensors)
            value = fn(*tensors)
        _check_value(value)
        grads = tape.gradient(value, tensors)
    elif backend == "jax":
        import jax

        try:
            _check_value(jax.eval_shape(fn, *params))
        except jax.errors.TracerArrayConversionError:
            raise TypeError(_NUMPY_IN_FN) from None
        value, grads = jax.value_and_grad(fn, argnums=tuple(range(len(params))))(*params)
    elif backend == "torch":
        import torch

        tensors = [torch.tensor(p, requires_grad=True) for p in params]
        value = fn(*tensors)
        _check_value(value)
        grads = torch.autograd.grad(value, tensors, allow_unused=True)
    else:
        raise NotImplementedError(f"value_and_grad does not support the {backend!r} backend")
    return float(keras.ops.convert_to_numpy(value)), [
        np.zeros_like(p) if g is None else np.asarray(keras.ops.convert_to_numpy(g))
        for p, g in zip(params, grads, strict=True)
    ]


_NUMPY_IN_FN = (
    "value_and_grad: fn computes with NumPy, not with backend tensors, so autodiff cannot "
    "follow it. Write fn with keras.ops (keras.ops.sum, keras.ops.tanh, ...) instead of NumPy "
    "functions."
)


def _check_params(params) -> list[np.ndarray]:
    """``params`` as a list of floating-point NumPy arrays, or a clear error."""
    expected = "a list or tuple of floating-point NumPy arrays"
    if isinstance(params, np.ndarray) or hasattr(params, "shape"):
        raise TypeError(
            f"value_and_grad: params must be {expected}, got a single array of shape "
            f"{tuple(params.shape)}; wrap it in a list: [W]."
        )
    if not isinstance(params, (list, tuple)):
        raise TypeError(f"value_and_grad: params must be {expected}, got {type(params).__name__}.")
    if not params:
        raise ValueError(
            f"value_and_grad: params must be {expected}, got an empty {type(params).__name__}."
        )
    arrays = []
    for i, p in enumerate(params):
        if p is None or isinstance(p, (str, bytes)):
            raise TypeError(
                f"value_and_grad: params[{i}] must be a floating-point array, got {p!r}."
            )
        try:
            array = np.asarray(keras.ops.convert_to_numpy(p) if hasattr(p, "shape") else p)
        except (TypeError, ValueError) as error:
            raise TypeError(
                f"value_and_grad: params[{i}] must be a floating-point array, got "
                f"{type(p).__name__} ({error})."
            ) from None
        if array.dtype.kind != "f":
            raise TypeError(
                f"value_and_grad: params[{i}] must be a floating-point array (autodiff has no "
                f"gradient for other dtypes), got dtype {array.dtype}. Convert it, e.g. "
                "W.astype('float64') for a gradient check."
            )
        arrays.append(array)
    return arrays


def _check_value(value) -> None:
    """``fn``'s result must be a scalar backend tensor (or its shape, on JAX)."""
    if value is None:
        raise TypeError(
            "value_and_grad: fn returned None, expected a scalar tensor (the loss). Did it "
            "forget to `return` it?"
        )
    if isinstance(value, (np.ndarray, np.generic, float, int)):
        raise TypeError(f"{_NUMPY_IN_FN} (It returned {type(value).__name__}.)")
    shape = getattr(value, "shape", None)
    if shape is None:
        raise TypeError(
            f"value_and_grad: fn must return a scalar tensor, got {type(value).__name__}."
        )
    if tuple(shape) != ():
        raise ValueError(
            f"value_and_grad: fn must return a scalar (shape ()), got a tensor of shape "
            f"{tuple(shape)}. Reduce it to the loss, e.g. keras.ops.sum(...) or "
            "keras.ops.mean(...)."
        )
