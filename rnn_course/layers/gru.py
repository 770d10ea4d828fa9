"""The gated recurrent unit (Cho et al. 2014) as a Keras cell and layer, written with
``keras.ops`` only.

The course writes the GRU in the concatenated form, with ``[h_{t-1}, x_t]`` the hidden state
followed by the input and ``*`` the elementwise product:

    z_t = sigmoid(W_z [h_{t-1}, x_t] + b_z)              update gate
    r_t = sigmoid(W_r [h_{t-1}, x_t] + b_r)              reset gate
    h~_t = tanh(W_h [r_t * h_{t-1}, x_t] + b_h)          candidate state
    h_t = (1 - z_t) * h_{t-1} + z_t * h~_t               new state, the step's output

``W_z, W_r, W_h`` have shape ``(n, n + m)`` and ``b_z, b_r, b_h`` shape ``(n,)`` for ``n``
units and ``m`` input features: ``3n(n + m + 1)`` parameters. That is ``reset_after=False``.

With ``reset_after=True`` (the default of ``keras.layers.GRU`` and of cuDNN) the reset gate
multiplies the candidate's recurrent term *after* the matrix product, and the recurrent
products carry biases of their own. ``W_h`` is then split into its ``h_{t-1}`` part ``W_hh``
``(n, n)`` and its ``x_t`` part ``W_hx`` ``(n, m)``, and ``b_hz, b_hr, b_hh`` ``(n,)`` are the
recurrent biases:

    z_t = sigmoid(W_z [h_{t-1}, x_t] + b_z + b_hz)
    r_t = sigmoid(W_r [h_{t-1}, x_t] + b_r + b_hr)
    h~_t = tanh(W_hx x_t + b_h + r_t * (W_hh h_{t-1} + b_hh))
    h_t = (1 - z_t) * h_{t-1} + z_t * h~_t

``3n(n + m + 2)`` parameters (``b_hz`` and ``b_hr`` only add to ``b_z`` and ``b_r``; Keras and
cuDNN keep them so that every recurrent product has its bias).

``keras.layers.GRU`` stores ``kernel`` ``(m, 3n)``, ``recurrent_kernel`` ``(n, 3n)`` and
``bias`` (``(3n,)``, or ``(2, 3n)``: input and recurrent biases, with ``reset_after=True``), the
gates side by side in the order z, r, h and transposed, and it writes the last equation
``h_t = z_t * h_{t-1} + (1 - z_t) * h~_t``: its ``z`` is our ``1 - z``, so its update gate's
weights and biases are ours negated (``1 - sigmoid(a) = sigmoid(-a)``).
:func:`gru_weights_from_keras` and :func:`gru_weights_to_keras` convert between the two.
"""

from __future__ import annotations

import keras
import numpy as np
from keras import activations, initializers, ops
from keras.src.layers.rnn.dropout_rnn_cell import DropoutRNNCell

from rnn_course.layers._gates import (
    check_rate,
    keras_layout_bias_initializer,
    keras_layout_initializer,
    shape_error,
    weights_as_arrays,
)
from rnn_course.layers._prepared import PreparedWeightsCell, PreparedWeightsRNN
from rnn_course.layers._validate import _EXPECTED, check_step_input, check_units

_KERAS_ORDER = ("z", "r", "h")  # the blocks of Keras's kernel, recurrent_kernel and bias


def weight_names(reset_after: bool, use_bias: bool = True) -> list[str]:
    """The names of a GRU cell's weights, in the order of ``get_weights()``."""
    names = ["W_z", "W_r", "W_hh", "W_hx"] if reset_after else ["W_z", "W_r", "W_h"]
    if use_bias:
        names += ["b_z", "b_r", "b_h"] + (["b_hz", "b_hr", "b_hh"] if reset_after else [])
    return names


@keras.saving.register_keras_serializable(package="rnn_course")
class GRUCell(PreparedWeightsCell, keras.layers.Layer, DropoutRNNCell):
    """One step of the GRU, with the weights in the shapes of its equations.

    For ``n = units``, ``m`` input features, ``[a, b]`` a concatenation and ``*`` the
    elementwise product, with ``reset_after=False`` (the default; Cho et al. 2014):

        z_t = sigmoid(W_z [h_{t-1}, x_t] + b_z)
        r_t = sigmoid(W_r [h_{t-1}, x_t] + b_r)
        h~_t = tanh(W_h [r_t * h_{t-1}, x_t] + b_h)
        h_t = (1 - z_t) * h_{t-1} + z_t * h~_t

    ``W_z, W_r, W_h`` have shape ``(n, n + m)`` (columns ``[:, :n]`` act on the state,
    ``[:, n:]`` on ``x_t``) and ``b_z, b_r, b_h`` shape ``(n,)``.

    With ``reset_after=True`` (Keras's and cuDNN's variant) ``W_h`` is split into ``W_hh``
    ``(n, n)`` and ``W_hx`` ``(n, m)``, the reset gate applies after the product with
    ``h_{t-1}``, and the recurrent products have biases ``b_hz, b_hr, b_hh`` ``(n,)``:

        z_t = sigmoid(W_z [h_{t-1}, x_t] + b_z + b_hz)
        r_t = sigmoid(W_r [h_{t-1}, x_t] + b_r + b_hr)
        h~_t = tanh(W_hx x_t + b_h + r_t * (W_hh h_{t-1} + b_hh))
        h_t = (1 - z_t) * h_{t-1} + z_t * h~_t

    Keras writes ``h_t = z * h_{t-1} + (1 - z) * h~_t``; its ``z`` is our ``1 - z_t``.

    Args:
        units: positive integer, the size ``n`` of ``h_t``.
        activation: the candidate's nonlinearity; default ``"tanh"``.
        recurrent_activation: the gates' nonlinearity; default ``"sigmoid"``.
        use_bias: whether to add the biases; default ``True``.
        kernel_initializer: initializer of the ``x_t`` columns; default ``"glorot_uniform"``.
        recurrent_initializer: initializer of the ``h_{t-1}`` columns; default
            ``"orthogonal"``. Both are drawn as ``keras.layers.GRU`` draws its ``kernel`` and
            ``recurrent_kernel`` (all gates at once) and each gate takes its block (negated for
            ``W_z``): with the same seeded initializers this layer starts as the built-in one.
        bias_initializer: initializer of the biases; default ``"zeros"``.
        reset_after: ``False`` (default): the reset gate multiplies ``h_{t-1}`` before the
            product with ``W_h``; ``True``: after it, as in ``keras.layers.GRU`` (whose default
            it is) and cuDNN.
        dropout: fraction of the inputs ``x_t`` to drop while training, in ``[0, 1)``; one
            mask per sequence.
        recurrent_dropout: fraction of ``h_{t-1}`` to drop while training (in the products
            with the weights, not in the ``(1 - z_t) * h_{t-1}`` term), in ``[0, 1)``.
        seed: random seed for the dropout masks.
        **kwargs: base ``keras.layers.Layer`` arguments (``name``, ``dtype``, ...).

    Call arguments:
        x_t: a float tensor of shape ``(batch, input_dim)``.
        states: a list holding ``h_{t-1}``, shape ``(batch, units)``.
        training: whether dropout applies.

    Example:

    ```python
    x = np.random.random((32, 10, 8)).astype("float32")
    rnn = keras.layers.RNN(GRUCell(4), return_sequences=True)
    H = rnn(x)  # shape (32, 10, 4)
    ```
    """

    def __init__(
        self,
        units,
        activation="tanh",
        recurrent_activation="sigmoid",
        use_bias=True,
        kernel_initializer="glorot_uniform",
        recurrent_initializer="orthogonal",
        bias_initializer="zeros",
        reset_after=False,
        dropout=0.0,
        recurrent_dropout=0.0,
        seed=None,
        **kwargs,
    ):
        units = check_units("GRUCell", units)
        super().__init__(**kwargs)
        self.units = units
        self.activation = activations.get(activation)
        self.recurrent_activation = activations.get(recurrent_activation)
        self.use_bias = bool(use_bias)
        self.kernel_initializer = initializers.get(kernel_initializer)
        self.recurrent_initializer = initializers.get(recurrent_initializer)
        self.bias_initializer = initializers.get(bias_initializer)
        self.reset_after = bool(reset_after)
        self.dropout = check_rate("GRUCell", "dropout", dropout)
        self.recurrent_dropout = check_rate("GRUCell", "recurrent_dropout", recurrent_dropout)
        self.seed = seed
        if self.dropout or self.recurrent_dropout:
            self.seed_generator = keras.random.SeedGenerator(seed=seed)
        self.state_size = units
        self.output_size = units

    def build(self, input_shape):
        if len(input_shape) != 2:
            raise ValueError(
                f"GRUCell expects {_EXPECTED[2]}; got shape {tuple(input_shape)}. "
                "For whole sequences, wrap the cell in keras.layers.RNN or use GRU."
            )
        n, m = self.units, input_shape[-1]
        if m is None:
            raise ValueError(
                "GRUCell needs a known number of input features (the last axis) to create "
                f"its weights of shape (units, units + features); got input shape "
                f"{tuple(input_shape)}."
            )
        self.input_dim = m

        def weight(name, shape, index, part="hx"):
            initializer = keras_layout_initializer(
                self.kernel_initializer,
                self.recurrent_initializer,
                n,
                3,
                index,
                part=part,
                negate=name == "W_z",
            )
            weight = self.add_weight(shape=shape, initializer=initializer, name=name)
            setattr(self, name, weight)

        def bias(name, index, row=None):
            initializer = keras_layout_bias_initializer(self.bias_initializer, n, 3, index, row)
            setattr(self, name, self.add_weight(shape=(n,), initializer=initializer, name=name))

        weight("W_z", (n, n + m), 0)
        weight("W_r", (n, n + m), 1)
        if self.reset_after:
            weight("W_hh", (n, n), 2, part="h")
            weight("W_hx", (n, m), 2, part="x")
        else:
            weight("W_h", (n, n + m), 2)
        if self.use_bias:
            row = 0 if self.reset_after else None
            for index, name in enumerate(("b_z", "b_r", "b_h")):
                bias(name, index, row)
            if self.reset_after:
                for index, name in enumerate(("b_hz", "b_hr", "b_hh")):
                    bias(name, index, row=1)

    def prepare_weights(self):
        """The matrices of one step on a batch of row vectors.

        ``reset_after=False``: ``[W_z; W_r]^T`` ``(n + m, 2n)``, its biases, ``W_h^T``
        ``(n + m, n)`` and ``b_h``. ``reset_after=True``: the ``x_t`` columns of the three gates
        ``(m, 3n)`` with ``[b_z, b_r, b_h]``, and the ``h_{t-1}`` columns ``(n, 3n)`` with
        ``[b_hz, b_hr, b_hh]``.
        """
        n = self.units
        if not self.reset_after:
            W_zr = ops.transpose(ops.concatenate([self.W_z, self.W_r], axis=0))
            b_zr = ops.concatenate([self.b_z, self.b_r]) if self.use_bias else None
            return W_zr, b_zr, ops.transpose(self.W_h), self.b_h if self.use_bias else None
        W_x = ops.transpose(ops.concatenate([self.W_z[:, n:], self.W_r[:, n:], self.W_hx], 0))
        W_h = ops.transpose(ops.concatenate([self.W_z[:, :n], self.W_r[:, :n], self.W_hh], 0))
        if not self.use_bias:
            return W_x, None, W_h, None
        b_x = ops.concatenate([self.b_z, self.b_r, self.b_h])
        b_h = ops.concatenate([self.b_hz, self.b_hr, self.b_hh])
        return W_x, b_x, W_h, b_h

    def call(self, x_t, states, training=False):
        check_step_input("GRUCell", x_t, self.input_dim)
        h_prev = states[0] if isinstance(states, (list, tuple)) else states
        h_in = h_prev  # h_{t-1} where it meets the weights (recurrent dropout applies there)
        if training and self.dropout:
            x_t = x_t * self.get_dropout_mask(x_t)
        if training and self.recurrent_dropout:
            h_in = h_prev * self.get_recurrent_dropout_mask(h_prev)
        if not self.reset_after:
            W_zr, b_zr, W_h, b_h = self.step_weights()
            zr = ops.matmul(ops.concatenate([h_in, x_t], axis=-1), W_zr)
            if b_zr is not None:
                zr = zr + b_zr
            z_t, r_t = ops.split(self.recurrent_activation(zr), 2, axis=-1)
            a = ops.matmul(ops.concatenate([r_t * h_in, x_t], axis=-1), W_h)
            h_tilde = self.activation(a + b_h if b_h is not None else a)
        else:
            W_x, b_x, W_h, b_h = self.step_weights()
            from_x = ops.matmul(x_t, W_x)  # the x_t columns of the three gates at once
            from_h = ops.matmul(h_in, W_h)  # the h_{t-1} columns
            if b_x is not None:
                from_x, from_h = from_x + b_x, from_h + b_h
            x_z, x_r, x_h = ops.split(from_x, 3, axis=-1)
            h_z, h_r, h_h = ops.split(from_h, 3, axis=-1)
            z_t = self.recurrent_activation(x_z + h_z)
            r_t = self.recurrent_activation(x_r + h_r)
            h_tilde = self.activation(x_h + r_t * h_h)
        h_t = (1 - z_t) * h_prev + z_t * h_tilde
        return h_t, [h_t]

    def get_initial_state(self, batch_size=None):
        return [ops.zeros((batch_size, self.units), dtype=self.compute_dtype)]

    def get_config(self):
        config = super().get_config()
        config.update(
            {
                "units": self.units,
                "activation": activations.serialize(self.activation),
                "recurrent_activation": activations.serialize(self.recurrent_activation),
                "use_bias": self.use_bias,
                "kernel_initializer": initializers.serialize(self.kernel_initializer),
                "recurrent_initializer": initializers.serialize(self.recurrent_initializer),
                "bias_initializer": initializers.serialize(self.bias_initializer),
                "reset_after": self.reset_after,
                "dropout": self.dropout,
                "recurrent_dropout": self.recurrent_dropout,
                "seed": self.seed,
            }
        )
        return config


_CELL_ARGS = (
    "units",
    "activation",
    "recurrent_activation",
    "use_bias",
    "kernel_initializer",
    "recurrent_initializer",
    "bias_initializer",
    "reset_after",
    "dropout",
    "recurrent_dropout",
    "seed",
)


@keras.saving.register_keras_serializable(package="rnn_course")
class GRU(PreparedWeightsRNN):
    """A GRU over whole sequences: ``keras.layers.RNN`` around :class:`GRUCell`.

    It computes the equations of :class:`GRUCell` at every step; with ``reset_after=True`` and
    the weights mapped by :func:`gru_weights_from_keras` it computes the same function as
    ``keras.layers.GRU()``, and with ``reset_after=False`` the same as
    ``keras.layers.GRU(reset_after=False)``. Its inputs are checked before it runs (see
    :class:`rnn_course.layers.base.CheckedRNN`).

    Args:
        units: positive integer, the size of ``h_t``.
        activation, recurrent_activation, use_bias, kernel_initializer, recurrent_initializer,
            bias_initializer, reset_after, dropout, recurrent_dropout, seed: passed to
            :class:`GRUCell` (note ``reset_after=False`` by default, the course's equations;
            Keras's default is ``True``).
        return_sequences: return every ``h_t`` (``(batch, time, units)``) instead of the last.
        return_state: also return the last state ``h_T``.
        go_backwards, stateful, unroll: as in ``keras.layers.RNN``.
        **kwargs: base layer arguments (``name``, ``dtype``, ...).

    Call arguments:
        sequences: a float tensor of shape ``(batch, time, features)``, ``time >= 1``.
        initial_state: optional ``h_0`` of shape ``(batch, units)`` (or a list holding it).
        mask: optional boolean ``(batch, time)``: False skips that step of that sequence.
        training: whether dropout applies.

    Example:

    ```python
    x = np.random.random((32, 10, 8)).astype("float32")
    h_last = GRU(4)(x)  # shape (32, 4)
    H = GRU(4, reset_after=True, return_sequences=True)(x)  # shape (32, 10, 4)
    ```
    """

    state_names = ("h_0",)
    cell_args = _CELL_ARGS

    def __init__(
        self,
        units,
        activation="tanh",
        recurrent_activation="sigmoid",
        use_bias=True,
        kernel_initializer="glorot_uniform",
        recurrent_initializer="orthogonal",
        bias_initializer="zeros",
        reset_after=False,
        dropout=0.0,
        recurrent_dropout=0.0,
        seed=None,
        return_sequences=False,
        return_state=False,
        go_backwards=False,
        stateful=False,
        unroll=False,
        **kwargs,
    ):
        cell = GRUCell(
            units,
            activation=activation,
            recurrent_activation=recurrent_activation,
            use_bias=use_bias,
            kernel_initializer=kernel_initializer,
            recurrent_initializer=recurrent_initializer,
            bias_initializer=bias_initializer,
            reset_after=reset_after,
            dropout=dropout,
            recurrent_dropout=recurrent_dropout,
            seed=seed,
            dtype=kwargs.get("dtype"),
            trainable=kwargs.get("trainable", True),
            name="gru_cell",
        )
        super().__init__(
            cell,
            return_sequences=return_sequences,
            return_state=return_state,
            go_backwards=go_backwards,
            stateful=stateful,
            unroll=unroll,
            **kwargs,
        )

    @property
    def reset_after(self):
        return self.cell.reset_after


def _is_ours(layer) -> bool:
    return isinstance(layer, GRUCell) or isinstance(getattr(layer, "cell", None), GRUCell)


def gru_weights_from_keras(layer_or_weights, reset_after=None) -> list[np.ndarray]:
    """Map the weights of Keras's ``GRU`` to ours, in the order of ``GRU(...).get_weights()``.

    Keras's gate ``g`` in {z, r, h} is block ``g`` of ``kernel`` ``(m, 3n)``,
    ``recurrent_kernel`` ``(n, 3n)`` and ``bias``; ours is ``W_g = [recurrent_kernel_g^T,
    kernel_g^T]`` (the ``h`` columns first), negated for the update gate: Keras's ``z`` is our
    ``1 - z``, and ``1 - sigmoid(a) = sigmoid(-a)`` (exact for ``recurrent_activation`` sigmoid
    and for any activation with that symmetry, such as ``hard_sigmoid``).

    - ``reset_after=False``: ``bias`` ``(3n,)`` gives ``b_z = -bias_z``, ``b_r``, ``b_h``;
      result ``[W_z, W_r, W_h, b_z, b_r, b_h]``.
    - ``reset_after=True``: the candidate's weights stay split, ``W_hh = recurrent_kernel_h^T``
      ``(n, n)``, ``W_hx = kernel_h^T`` ``(n, m)``; ``bias`` ``(2, 3n)`` is the input biases
      (row 0: ``b_z, b_r, b_h``) and the recurrent biases (row 1: ``b_hz, b_hr, b_hh``),
      ``b_z`` and ``b_hz`` negated; result ``[W_z, W_r, W_hh, W_hx, b_z, b_r, b_h, b_hz,
      b_hr, b_hh]``.

    Args:
        layer_or_weights: a built ``keras.layers.GRU``, ``keras.layers.GRUCell`` or
            ``keras.layers.RNN`` around one, or its weights ``[kernel, recurrent_kernel,
            bias]`` (``[kernel, recurrent_kernel]`` without bias).
        reset_after: the variant; read from the layer, or from the bias's shape for a list.
            Give it for a list without bias.

    Returns:
        NumPy arrays ready for ``our_gru.set_weights(...)`` (ours built with the same
        ``reset_after``); :func:`weight_names` names them.
    """
    name = "gru_weights_from_keras"
    layer = layer_or_weights
    if _is_ours(layer):
        raise TypeError(f"{name} got the course's own GRU; use gru_weights_to_keras for it.")
    if isinstance(layer, keras.layers.Layer):
        keras_cell = getattr(layer, "cell", layer)
        if not isinstance(keras_cell, keras.layers.GRUCell):
            raise TypeError(
                f"{name} takes keras.layers.GRU (or an RNN around keras.layers.GRUCell); got "
                f"{type(layer).__name__}."
            )
        if reset_after is not None and bool(reset_after) != keras_cell.reset_after:
            raise ValueError(
                f"{name}: reset_after={reset_after} contradicts the layer's "
                f"reset_after={keras_cell.reset_after}; leave it out for a layer."
            )
        reset_after = keras_cell.reset_after
    expected = "[kernel (m, 3n), recurrent_kernel (n, 3n), bias (3n,) or (2, 3n)], bias optional"
    arrays = weights_as_arrays(name, layer_or_weights, expected)
    if len(arrays) not in (2, 3) or any(a.ndim != 2 for a in arrays[:2]):
        raise shape_error(name, expected, arrays)
    kernel, recurrent = arrays[:2]
    n = recurrent.shape[0]
    if recurrent.shape != (n, 3 * n) or kernel.shape[1] != 3 * n:
        raise shape_error(name, expected, arrays)
    bias = arrays[2] if len(arrays) == 3 else None
    if bias is not None:
        if bias.shape not in ((3 * n,), (2, 3 * n)):
            raise shape_error(name, expected, arrays)
        from_shape = bias.shape == (2, 3 * n)
        if reset_after is not None and bool(reset_after) != from_shape:
            raise ValueError(
                f"{name}: a bias of shape {bias.shape} belongs to reset_after={from_shape}, "
                f"but reset_after={reset_after} was given."
            )
        reset_after = from_shape
    elif reset_after is None:
        raise ValueError(
            f"{name}: without a bias the weights do not say which variant they are; pass "
            "reset_after=True or False."
        )
    block = {g: slice(k * n, (k + 1) * n) for k, g in enumerate(_KERAS_ORDER)}
    sign = {"z": -1.0, "r": 1.0, "h": 1.0}

    def both(g):
        return sign[g] * np.concatenate([recurrent[:, block[g]].T, kernel[:, block[g]].T], 1)

    if reset_after:
        weights = [both("z"), both("r"), recurrent[:, block["h"]].T.copy()]
        weights.append(kernel[:, block["h"]].T.copy())
        if bias is not None:
            weights += [sign[g] * bias[0, block[g]] for g in _KERAS_ORDER]
            weights += [sign[g] * bias[1, block[g]] for g in _KERAS_ORDER]
    else:
        weights = [both(g) for g in _KERAS_ORDER]
        if bias is not None:
            weights += [sign[g] * bias[block[g]] for g in _KERAS_ORDER]
    return [np.asarray(w, dtype=kernel.dtype) for w in weights]


def gru_weights_to_keras(layer_or_weights) -> list[np.ndarray]:
    """Map our GRU's weights to Keras's ``GRU``: ``[kernel, recurrent_kernel, bias]``.

    The inverse of :func:`gru_weights_from_keras`; the variant is read from the layer, or from
    the list: 6 arrays (3 without bias) are ``reset_after=False``, 10 (4 without bias)
    ``reset_after=True``. Load the result into ``keras.layers.GRU(n, reset_after=...)`` of the
    same variant.

    Args:
        layer_or_weights: a built :class:`GRU`, :class:`GRUCell` or ``keras.layers.RNN``
            around one, or its arrays in the order of :func:`weight_names`.

    Returns:
        ``[kernel (m, 3n), recurrent_kernel (n, 3n), bias]`` as NumPy arrays, the bias of
        shape ``(3n,)`` or ``(2, 3n)`` (none if ours has none).
    """
    name = "gru_weights_to_keras"
    if isinstance(layer_or_weights, keras.layers.Layer) and not _is_ours(layer_or_weights):
        raise TypeError(
            f"{name} takes the course's GRU or GRUCell (use gru_weights_from_keras for "
            f"Keras's); got {type(layer_or_weights).__name__}."
        )
    expected = (
        "reset_after=False: [W_z, W_r, W_h] each (n, n + m), then [b_z, b_r, b_h] each (n,); "
        "reset_after=True: [W_z, W_r] (n, n + m), W_hh (n, n), W_hx (n, m), then "
        "[b_z, b_r, b_h, b_hz, b_hr, b_hh] each (n,)"
    )
    arrays = weights_as_arrays(name, layer_or_weights, expected)
    if len(arrays) not in (3, 4, 6, 10) or any(a.ndim != 2 for a in arrays[:2]):
        raise shape_error(name, expected, arrays)
    reset_after = len(arrays) in (4, 10)
    n, n_plus_m = arrays[0].shape
    m = n_plus_m - n
    matrices = arrays[:4] if reset_after else arrays[:3]
    biases = arrays[len(matrices) :]
    shapes = [(n, n + m)] * 2 + ([(n, n), (n, m)] if reset_after else [(n, n + m)])
    if m <= 0 or [a.shape for a in matrices] != shapes or any(b.shape != (n,) for b in biases):
        raise shape_error(name, expected, arrays)
    sign = {"z": -1.0, "r": 1.0, "h": 1.0}
    W_z, W_r = matrices[:2]
    if reset_after:
        h_part = {"z": W_z[:, :n], "r": W_r[:, :n], "h": matrices[2]}
        x_part = {"z": W_z[:, n:], "r": W_r[:, n:], "h": matrices[3]}
    else:
        W = dict(zip(_KERAS_ORDER, matrices, strict=True))
        h_part = {g: W[g][:, :n] for g in _KERAS_ORDER}
        x_part = {g: W[g][:, n:] for g in _KERAS_ORDER}
    kernel = np.concatenate([sign[g] * x_part[g].T for g in _KERAS_ORDER], axis=1)
    recurrent = np.concatenate([sign[g] * h_part[g].T for g in _KERAS_ORDER], axis=1)
    result = [kernel, recurrent]
    if biases:
        if reset_after:
            bias = np.stack([_keras_bias(biases[:3]), _keras_bias(biases[3:])])
        else:
            bias = _keras_bias(biases)
        result.append(bias)
    return [np.asarray(a, dtype=arrays[0].dtype) for a in result]


def _keras_bias(biases):
    """Our (b_z, b_r, b_h) as Keras's bias block: z negated, the three side by side."""
    b_z, b_r, b_h = biases
    return np.concatenate([-b_z, b_r, b_h])
