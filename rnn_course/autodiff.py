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
        ``(value, grads)``: the scalar as a float, and one NumPy array per parameter.
    """
    params = [np.asarray(p) for p in params]
    backend = keras.backend.backend()
    if backend == "tensorflow":
        import tensorflow as tf

        tensors = [tf.constant(p) for p in params]
        with tf.GradientTape() as tape:
            tape.watch(tensors)
            value = fn(*tensors)
        grads = tape.gradient(value, tensors)
    elif backend == "jax":
        import jax

        value, grads = jax.value_and_grad(fn, argnums=tuple(range(len(params))))(*params)
    elif backend == "torch":
        import torch

        tensors = [torch.tensor(p, requires_grad=True) for p in params]
        value = fn(*tensors)
        grads = torch.autograd.grad(value, tensors)
    else:
        raise NotImplementedError(f"value_and_grad does not support the {backend!r} backend")
    return float(keras.ops.convert_to_numpy(value)), [
        np.asarray(keras.ops.convert_to_numpy(g)) for g in grads
    ]
