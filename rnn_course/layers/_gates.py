"""Helpers shared by the gated cells (:mod:`rnn_course.layers.lstm`, :mod:`rnn_course.layers.gru`).

- :func:`keras_layout_initializer`: an initializer for one gate's weight in the course's shape
  ``(n, n + m)`` that draws the stacked matrices as Keras's built-in layer draws its own and
  takes this gate's block, so that the gates start different from one another (a Keras
  initializer returns the same values at every call) and, with seeded initializers, our layer
  starts as the built-in one does.
- :func:`check_rate`: a dropout rate in ``[0, 1)``.
- :func:`weights_as_arrays`: the weights of a built layer, or a list of arrays, as NumPy arrays,
  for the functions that map Keras's weights to ours and back.
"""

from __future__ import annotations

import keras
import numpy as np
from keras import ops


def keras_layout_initializer(
    kernel_initializer, recurrent_initializer, units, gates, index, part="hx", negate=False
):
    """An initializer for gate ``index`` of ``gates``, drawn in Keras's layout.

    It draws ``recurrent_kernel`` ``(n, gates * n)`` and ``kernel`` ``(m, gates * n)`` as the
    built-in layer does and returns the transposes of block ``index``: ``part="hx"`` gives
    ``[R^T, K^T]`` of shape ``(n, n + m)`` (the h-part first), ``"h"`` gives ``R^T``
    ``(n, n)``, ``"x"`` gives ``K^T`` ``(n, m)``. ``negate`` flips the sign (the GRU's update
    gate, whose Keras convention is ``1 - z``).
    """

    def initializer(shape, dtype=None):
        n = units
        columns = slice(index * n, (index + 1) * n)
        blocks = []
        if "h" in part:
            recurrent = recurrent_initializer((n, gates * n), dtype=dtype)
            blocks.append(ops.transpose(recurrent[:, columns]))
        if "x" in part:
            m = shape[1] - (n if "h" in part else 0)
            kernel = kernel_initializer((m, gates * n), dtype=dtype)
            blocks.append(ops.transpose(kernel[:, columns]))
        w = blocks[0] if len(blocks) == 1 else ops.concatenate(blocks, axis=1)
        return ops.negative(w) if negate else w

    return initializer


def keras_layout_bias_initializer(bias_initializer, units, gates, index, row=None):
    """An initializer for gate ``index``'s bias: block ``index`` of a bias drawn in Keras's
    layout, ``(gates * n,)``, or row ``row`` of ``(2, gates * n)`` (the GRU with
    ``reset_after=True``)."""

    def initializer(shape, dtype=None):
        n = units
        if row is None:
            return bias_initializer((gates * n,), dtype=dtype)[index * n : (index + 1) * n]
        return bias_initializer((2, gates * n), dtype=dtype)[row, index * n : (index + 1) * n]

    return initializer


def check_rate(layer: str, name: str, rate) -> float:
    """Check a dropout rate: a number in ``[0, 1)``. Returns it as a float."""
    if isinstance(rate, (bool, np.bool_)) or not isinstance(rate, (int, float, np.number)):
        raise TypeError(f"{layer}: {name} must be a number in [0, 1), got {rate!r}.")
    if not 0.0 <= float(rate) < 1.0:
        raise ValueError(
            f"{layer}: {name} must be in [0, 1) (the fraction of units to drop), got {rate!r}."
        )
    return float(rate)


def weights_as_arrays(function: str, layer_or_weights, expected: str) -> list[np.ndarray]:
    """The weights of a built layer (``get_weights()``) or a list/tuple of arrays, as NumPy.

    Raises ``ValueError`` for an unbuilt layer or an empty list and ``TypeError`` for anything
    that is not a layer or a list of real-valued arrays; ``expected`` says what was wanted.
    """
    if isinstance(layer_or_weights, keras.layers.Layer):
        if not layer_or_weights.built or not layer_or_weights.weights:
            raise ValueError(
                f"{function}: the layer {layer_or_weights.name!r} has no weights yet; build it "
                "first (call it on a batch, or layer.build(input_shape))."
            )
        return [np.asarray(w) for w in layer_or_weights.get_weights()]
    if not isinstance(layer_or_weights, (list, tuple)):
        raise TypeError(
            f"{function} takes a layer or a list of arrays ({expected}); got "
            f"{type(layer_or_weights).__name__}."
        )
    if not layer_or_weights:
        raise ValueError(f"{function} got an empty list; expected {expected}.")
    arrays = []
    for i, w in enumerate(layer_or_weights):
        if w is None:
            raise TypeError(f"{function}: weight {i} is None; expected {expected}.")
        a = np.asarray(ops.convert_to_numpy(w) if hasattr(w, "shape") else w)
        if not (np.issubdtype(a.dtype, np.floating) or np.issubdtype(a.dtype, np.integer)):
            raise TypeError(
                f"{function}: weight {i} has dtype {a.dtype}; expected real numbers ({expected})."
            )
        arrays.append(a)
    return arrays


def shape_error(function: str, expected: str, arrays) -> ValueError:
    """A ValueError saying which shapes were expected and which were given."""
    given = ", ".join(str(tuple(a.shape)) for a in arrays)
    return ValueError(f"{function} expected {expected}; got arrays of shapes [{given}].")
