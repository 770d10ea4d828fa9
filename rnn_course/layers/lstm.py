"""The LSTM (Hochreiter & Schmidhuber 1997, with the forget gate of Gers et al. 2000) as a Keras
cell and layer, written with ``keras.ops`` only.

The cell computes one step of the equations in their concatenated form, each gate acting on
the column vector ``[h_{t-1}, x_t]`` (the hidden state first, then the input):

    f_t = sigmoid(W_f [h_{t-1}, x_t] + b_f)        forget gate
    i_t = sigmoid(W_i [h_{t-1}, x_t] + b_i)        input gate
    C~_t = tanh(W_C [h_{t-1}, x_t] + b_C)          candidate cell state
    C_t = f_t * C_{t-1} + i_t * C~_t               cell state (``*`` is elementwise)
    o_t = sigmoid(W_o [h_{t-1}, x_t] + b_o)        output gate
    h_t = o_t * tanh(C_t)                          hidden state, the step's output

with ``W_f, W_i, W_C, W_o`` of shape ``(n, n + m)`` and ``b_f, b_i, b_C, b_o`` of shape ``(n,)``
for ``n`` units and ``m`` input features: ``4n(n + m + 1)`` parameters.

``keras.layers.LSTM`` computes the same function with its weights stored differently: a
``kernel`` ``(m, 4n)`` for the input, a ``recurrent_kernel`` ``(n, 4n)`` for the state and a
``bias`` ``(4n,)``, each the four gates side by side in the order i, f, c, o, and transposed
(Keras multiplies row vectors). :func:`lstm_weights_from_keras` and :func:`lstm_weights_to_keras`
convert between the two.
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

GATES = ("f", "i", "C", "o")  # the order of our weights: W_f, W_i, W_C, W_o, then the biases
_KERAS_ORDER = ("i", "f", "C", "o")  # the order of the blocks in Keras's kernel and bias


@keras.saving.register_keras_serializable(package="rnn_course")
class LSTMCell(PreparedWeightsCell, keras.layers.Layer, DropoutRNNCell):
    """One step of the LSTM, with the weights in the shapes of its equations.

    For ``n = units`` and ``m`` input features, with ``[h_{t-1}, x_t]`` the concatenation
    (``n + m`` numbers, the hidden state first) and ``*`` the elementwise product:

        f_t = sigmoid(W_f [h_{t-1}, x_t] + b_f)
        i_t = sigmoid(W_i [h_{t-1}, x_t] + b_i)
        C~_t = tanh(W_C [h_{t-1}, x_t] + b_C)
        C_t = f_t * C_{t-1} + i_t * C~_t
        o_t = sigmoid(W_o [h_{t-1}, x_t] + b_o)
        h_t = o_t * tanh(C_t)

    ``W_f, W_i, W_C, W_o`` have shape ``(n, n + m)``: columns ``[:, :n]`` multiply
    ``h_{t-1}``, columns ``[:, n:]`` multiply ``x_t``. ``b_f, b_i, b_C, b_o`` have shape
    ``(n,)``. The states are ``[h, C]`` and the step's output is ``h_t``.

    On a batch, one step computes the four gates with one matrix product,
    ``[H_{t-1}, X_t] @ [W_f; W_i; W_C; W_o]^T``; inside :class:`LSTM` that stacked matrix is
    prepared once per sequence (see :mod:`rnn_course.layers._prepared`).

    Args:
        units: positive integer, the size ``n`` of ``h_t`` and ``C_t``.
        activation: the nonlinearity of ``C~_t`` and of ``tanh(C_t)``; default ``"tanh"``.
        recurrent_activation: the gates' nonlinearity; default ``"sigmoid"``.
        use_bias: whether to add ``b_f, b_i, b_C, b_o``; default ``True``.
        kernel_initializer: initializer of the ``x_t`` columns of the ``W``; default
            ``"glorot_uniform"``.
        recurrent_initializer: initializer of the ``h_{t-1}`` columns; default
            ``"orthogonal"``. Both are drawn as ``keras.layers.LSTM`` draws its ``kernel``
            and ``recurrent_kernel`` (all four gates at once, so the gates start different)
            and each gate takes its block: with the same seeded initializers this layer starts
            as the built-in one does.
        bias_initializer: initializer of the biases; default ``"zeros"``.
        unit_forget_bias: if ``True`` (the default, as in Keras; Jozefowicz et al. 2015),
            ``b_f`` starts at 1 so that the cell keeps its memory at first.
        dropout: fraction of the inputs ``x_t`` to drop while training, in ``[0, 1)``; one
            mask per sequence, the same at every step (Gal & Ghahramani 2016).
        recurrent_dropout: fraction of ``h_{t-1}`` to drop while training, in ``[0, 1)``; one
            mask per sequence.
        seed: random seed for the dropout masks.
        **kwargs: base ``keras.layers.Layer`` arguments (``name``, ``dtype``, ...).

    Call arguments:
        x_t: a float tensor of shape ``(batch, input_dim)``.
        states: the list ``[h_{t-1}, C_{t-1}]``, each of shape ``(batch, units)``.
        training: whether dropout applies.

    Example:

    ```python
    x = np.random.random((32, 10, 8)).astype("float32")
    rnn = keras.layers.RNN(LSTMCell(4), return_sequences=True, return_state=True)
    H, h_last, C_last = rnn(x)  # shapes (32, 10, 4), (32, 4), (32, 4)
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
        unit_forget_bias=True,
        dropout=0.0,
        recurrent_dropout=0.0,
        seed=None,
        **kwargs,
    ):
        units = check_units("LSTMCell", units)
        super().__init__(**kwargs)
        self.units = units
        self.activation = activations.get(activation)
        self.recurrent_activation = activations.get(recurrent_activation)
        self.use_bias = bool(use_bias)
        self.kernel_initializer = initializers.get(kernel_initializer)
        self.recurrent_initializer = initializers.get(recurrent_initializer)
        self.bias_initializer = initializers.get(bias_initializer)
        self.unit_forget_bias = bool(unit_forget_bias)
        self.dropout = check_rate("LSTMCell", "dropout", dropout)
        self.recurrent_dropout = check_rate("LSTMCell", "recurrent_dropout", recurrent_dropout)
        self.seed = seed
        if self.dropout or self.recurrent_dropout:
            self.seed_generator = keras.random.SeedGenerator(seed=seed)
        self.state_size = [units, units]
        self.output_size = units

    def build(self, input_shape):
        if len(input_shape) != 2:
            raise ValueError(
                f"LSTMCell expects {_EXPECTED[2]}; got shape {tuple(input_shape)}. "
                "For whole sequences, wrap the cell in keras.layers.RNN or use LSTM."
            )
        n, m = self.units, input_shape[-1]
        if m is None:
            raise ValueError(
                "LSTMCell needs a known number of input features (the last axis) to create "
                f"W_f, W_i, W_C, W_o of shape (units, units + features); got input shape "
                f"{tuple(input_shape)}."
            )
        self.input_dim = m
        for gate in GATES:
            index = _KERAS_ORDER.index(gate)
            initializer = keras_layout_initializer(
                self.kernel_initializer, self.recurrent_initializer, n, 4, index
            )
            weight = self.add_weight(shape=(n, n + m), initializer=initializer, name=f"W_{gate}")
            setattr(self, f"W_{gate}", weight)
        for gate in GATES if self.use_bias else ():
            if gate == "f" and self.unit_forget_bias:
                initializer = initializers.get("ones")
            else:
                index = _KERAS_ORDER.index(gate)
                initializer = keras_layout_bias_initializer(self.bias_initializer, n, 4, index)
            setattr(
                self,
                f"b_{gate}",
                self.add_weight(shape=(n,), initializer=initializer, name=f"b_{gate}"),
            )
        if not self.use_bias:
            self.b_f = self.b_i = self.b_C = self.b_o = None

    def prepare_weights(self):
        """``[W_f; W_i; W_C; W_o]^T`` of shape ``(n + m, 4n)`` and the biases side by side."""
        W = ops.transpose(ops.concatenate([self.W_f, self.W_i, self.W_C, self.W_o], axis=0))
        b = (
            ops.concatenate([self.b_f, self.b_i, self.b_C, self.b_o], axis=0)
            if self.use_bias
            else None
        )
        return W, b

    def call(self, x_t, states, training=False):
        check_step_input("LSTMCell", x_t, self.input_dim)
        h_prev, C_prev = states
        if training and self.dropout:
            x_t = x_t * self.get_dropout_mask(x_t)
        if training and self.recurrent_dropout:
            h_prev = h_prev * self.get_recurrent_dropout_mask(h_prev)
        W, b = self.step_weights()
        z = ops.matmul(ops.concatenate([h_prev, x_t], axis=-1), W)  # all four gates at once
        if b is not None:
            z = z + b
        z_f, z_i, z_C, z_o = ops.split(z, 4, axis=-1)
        f_t = self.recurrent_activation(z_f)
        i_t = self.recurrent_activation(z_i)
        C_tilde = self.activation(z_C)
        C_t = f_t * C_prev + i_t * C_tilde
        o_t = self.recurrent_activation(z_o)
        h_t = o_t * self.activation(C_t)
        return h_t, [h_t, C_t]

    def get_initial_state(self, batch_size=None):
        return [ops.zeros((batch_size, self.units), dtype=self.compute_dtype) for _ in range(2)]

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
                "unit_forget_bias": self.unit_forget_bias,
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
    "unit_forget_bias",
    "dropout",
    "recurrent_dropout",
    "seed",
)


@keras.saving.register_keras_serializable(package="rnn_course")
class LSTM(PreparedWeightsRNN):
    """An LSTM over whole sequences: ``keras.layers.RNN`` around :class:`LSTMCell`.

    It computes the equations of :class:`LSTMCell` at every step, and the same function as
    ``keras.layers.LSTM`` given the same weights (see :func:`lstm_weights_from_keras`). Its
    inputs are checked before it runs (see :class:`rnn_course.layers.base.CheckedRNN`).

    Args:
        units: positive integer, the size of ``h_t`` and ``C_t``.
        activation, recurrent_activation, use_bias, kernel_initializer, recurrent_initializer,
            bias_initializer, unit_forget_bias, dropout, recurrent_dropout, seed: passed to
            :class:`LSTMCell`.
        return_sequences: return every ``h_t`` (``(batch, time, units)``) instead of the last.
        return_state: also return the last states ``h_T`` and ``C_T``.
        go_backwards, stateful, unroll: as in ``keras.layers.RNN``.
        **kwargs: base layer arguments (``name``, ``dtype``, ...).

    Call arguments:
        sequences: a float tensor of shape ``(batch, time, features)``, ``time >= 1``.
        initial_state: optional ``[h_0, C_0]``, each of shape ``(batch, units)``.
        mask: optional boolean ``(batch, time)``: False skips that step of that sequence.
        training: whether dropout applies.

    Example:

    ```python
    x = np.random.random((32, 10, 8)).astype("float32")
    H, h_last, C_last = LSTM(4, return_sequences=True, return_state=True)(x)
    # shapes (32, 10, 4), (32, 4), (32, 4)
    ```
    """

    state_names = ("h_0", "C_0")
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
        unit_forget_bias=True,
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
        cell = LSTMCell(
            units,
            activation=activation,
            recurrent_activation=recurrent_activation,
            use_bias=use_bias,
            kernel_initializer=kernel_initializer,
            recurrent_initializer=recurrent_initializer,
            bias_initializer=bias_initializer,
            unit_forget_bias=unit_forget_bias,
            dropout=dropout,
            recurrent_dropout=recurrent_dropout,
            seed=seed,
            dtype=kwargs.get("dtype"),
            trainable=kwargs.get("trainable", True),
            name="lstm_cell",
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


def lstm_weights_from_keras(layer_or_weights) -> list[np.ndarray]:
    """Map the weights of Keras's ``LSTM`` to ours: ``[W_f, W_i, W_C, W_o, b_f, b_i, b_C, b_o]``.

    Keras stores ``kernel`` ``(m, 4n)``, ``recurrent_kernel`` ``(n, 4n)`` and ``bias``
    ``(4n,)``, the gates side by side in the order i, f, c, o and transposed. Our gate ``g``
    is ``W_g = [recurrent_kernel_g^T, kernel_g^T]`` (the ``h`` columns first) and
    ``b_g = bias_g``.

    Args:
        layer_or_weights: a built ``keras.layers.LSTM``, ``keras.layers.LSTMCell`` or
            ``keras.layers.RNN`` around one, or its weights ``[kernel, recurrent_kernel,
            bias]`` (``[kernel, recurrent_kernel]`` without bias).

    Returns:
        NumPy arrays in the order of ``LSTM(...).get_weights()`` (the four ``W`` then, with a
        bias, the four ``b``), ready for ``our_lstm.set_weights(...)``.

    Example:

    ```python
    theirs = keras.layers.LSTM(4)
    ours = LSTM(4)
    theirs(x), ours(x)  # build both
    ours.set_weights(lstm_weights_from_keras(theirs))  # now ours(x) equals theirs(x)
    ```
    """
    name = "lstm_weights_from_keras"
    if isinstance(layer_or_weights, (LSTM, LSTMCell)) or isinstance(
        getattr(layer_or_weights, "cell", None), LSTMCell
    ):
        raise TypeError(f"{name} got the course's own LSTM; use lstm_weights_to_keras for it.")
    if isinstance(layer_or_weights, keras.layers.Layer) and not isinstance(
        layer_or_weights, keras.layers.LSTMCell
    ):
        if not isinstance(getattr(layer_or_weights, "cell", None), keras.layers.LSTMCell):
            raise TypeError(
                f"{name} takes keras.layers.LSTM (or an RNN around keras.layers.LSTMCell); got "
                f"{type(layer_or_weights).__name__}."
            )
    expected = "[kernel (m, 4n), recurrent_kernel (n, 4n), bias (4n,)], the bias optional"
    arrays = weights_as_arrays(name, layer_or_weights, expected)
    if len(arrays) not in (2, 3) or any(a.ndim != 2 for a in arrays[:2]):
        raise shape_error(name, expected, arrays)
    kernel, recurrent = arrays[:2]
    n = recurrent.shape[0]
    bias_ok = len(arrays) == 2 or arrays[2].shape == (4 * n,)
    if recurrent.shape != (n, 4 * n) or kernel.shape[1] != 4 * n or not bias_ok:
        raise shape_error(name, expected, arrays)
    blocks = {gate: slice(k * n, (k + 1) * n) for k, gate in enumerate(_KERAS_ORDER)}
    weights = [
        np.concatenate([recurrent[:, blocks[g]].T, kernel[:, blocks[g]].T], axis=1) for g in GATES
    ]
    if len(arrays) == 3:
        weights += [arrays[2][blocks[g]].copy() for g in GATES]
    return weights


def lstm_weights_to_keras(layer_or_weights) -> list[np.ndarray]:
    """Map our LSTM's weights to Keras's ``LSTM``: ``[kernel, recurrent_kernel, bias]``.

    The inverse of :func:`lstm_weights_from_keras`.

    Args:
        layer_or_weights: a built :class:`LSTM`, :class:`LSTMCell` or ``keras.layers.RNN``
            around one, or the arrays ``[W_f, W_i, W_C, W_o, b_f, b_i, b_C, b_o]`` (without
            the biases for ``use_bias=False``).

    Returns:
        ``[kernel (m, 4n), recurrent_kernel (n, 4n), bias (4n,)]`` as NumPy arrays (no bias if
        ours has none), ready for ``keras_lstm.set_weights(...)``.
    """
    name = "lstm_weights_to_keras"
    if isinstance(layer_or_weights, keras.layers.Layer) and not (
        isinstance(layer_or_weights, LSTMCell)
        or isinstance(getattr(layer_or_weights, "cell", None), LSTMCell)
    ):
        raise TypeError(
            f"{name} takes the course's LSTM or LSTMCell (use lstm_weights_from_keras for "
            f"Keras's); got {type(layer_or_weights).__name__}."
        )
    expected = "[W_f, W_i, W_C, W_o] each (n, n + m), then [b_f, b_i, b_C, b_o] each (n,)"
    arrays = weights_as_arrays(name, layer_or_weights, expected)
    if len(arrays) not in (4, 8) or any(a.ndim != 2 for a in arrays[:4]):
        raise shape_error(name, expected, arrays)
    n, n_plus_m = arrays[0].shape
    if n_plus_m <= n or any(a.shape != (n, n_plus_m) for a in arrays[:4]):
        raise shape_error(name, expected, arrays)
    if any(a.shape != (n,) for a in arrays[4:]):
        raise shape_error(name, expected, arrays)
    W = dict(zip(GATES, arrays[:4], strict=True))
    kernel = np.concatenate([W[g][:, n:].T for g in _KERAS_ORDER], axis=1)
    recurrent = np.concatenate([W[g][:, :n].T for g in _KERAS_ORDER], axis=1)
    if len(arrays) == 4:
        return [kernel, recurrent]
    b = dict(zip(GATES, arrays[4:], strict=True))
    return [kernel, recurrent, np.concatenate([b[g] for g in _KERAS_ORDER])]
