"""The layer-normalised LSTM (Ba, Kiros & Hinton 2016, "Layer normalization", section 3.1) as a
Keras cell and layer, written with ``keras.ops`` only.

The LSTM of :mod:`rnn_course.layers.lstm`, with layer normalisation applied to each gate's
pre-activation and to the cell state before the output ``tanh``. For a vector ``a`` of ``n``
numbers, with gain ``gamma`` and bias ``beta`` (each ``(n,)``) and ``eps = 1e-3`` (as in
``keras.layers.LayerNormalization``):

    LN(a; gamma, beta) = gamma * (a - mean(a)) / sqrt(var(a) + eps) + beta

where ``mean`` and ``var`` are taken over the ``n`` units of one example at one step. Then

    f_t = sigmoid(LN(W_f [h_{t-1}, x_t]; gamma_f, beta_f))       forget gate
    i_t = sigmoid(LN(W_i [h_{t-1}, x_t]; gamma_i, beta_i))       input gate
    C~_t = tanh(LN(W_C [h_{t-1}, x_t]; gamma_C, beta_C))         candidate cell state
    C_t = f_t * C_{t-1} + i_t * C~_t                             cell state (not normalised)
    o_t = sigmoid(LN(W_o [h_{t-1}, x_t]; gamma_o, beta_o))       output gate
    h_t = o_t * tanh(LN(C_t; gamma_cell, beta_cell))             hidden state

One normalisation per gate, of the whole pre-activation ``W_g [h_{t-1}, x_t]``. (The paper
normalises the ``h`` part and the ``x`` part separately, ``LN(W_h h) + LN(W_x x) + b``; with
one matrix on ``[h_{t-1}, x_t]``, as in the course's LSTM, one normalisation per gate is the
natural form, and the one ``keras.layers.LayerNormalization`` would give after the product.)
The ``beta_g`` play the role of the LSTM's biases ``b_g``, which would be redundant after a
normalisation, so there are none.

Weights, for ``n`` units and ``m`` input features: ``W_f, W_i, W_C, W_o`` of shape
``(n, n + m)``; ``gamma_f, gamma_i, gamma_C, gamma_o, gamma_cell`` and ``beta_f, beta_i,
beta_C, beta_o, beta_cell`` of shape ``(n,)``: ``4n(n + m) + 10n`` parameters.

There is no built-in equivalent in Keras: normalising inside the step needs a custom cell.
"""

from __future__ import annotations

import keras
from keras import activations, initializers, ops
from keras.src.layers.rnn.dropout_rnn_cell import DropoutRNNCell

from rnn_course.layers._gates import check_rate, keras_layout_initializer
from rnn_course.layers._prepared import PreparedWeightsCell, PreparedWeightsRNN
from rnn_course.layers._validate import _EXPECTED, check_step_input, check_units

GATES = ("f", "i", "C", "o")  # the order of W_f, W_i, W_C, W_o and of the gains and biases
_KERAS_ORDER = ("i", "f", "C", "o")  # the gates' order when drawn as keras.layers.LSTM draws
EPSILON = 1e-3


def layer_norm(a, gamma, beta, epsilon=EPSILON):
    """``gamma * (a - mean(a)) / sqrt(var(a) + epsilon) + beta``, over the last axis of ``a``."""
    mean = ops.mean(a, axis=-1, keepdims=True)
    var = ops.mean(ops.square(a - mean), axis=-1, keepdims=True)
    return gamma * (a - mean) * ops.rsqrt(var + epsilon) + beta


@keras.saving.register_keras_serializable(package="rnn_course")
class LayerNormLSTMCell(PreparedWeightsCell, keras.layers.Layer, DropoutRNNCell):
    """One step of the layer-normalised LSTM (Ba, Kiros & Hinton 2016).

    For ``n = units`` and ``m`` input features, ``[h_{t-1}, x_t]`` the concatenation (the
    hidden state first), ``*`` the elementwise product and ``LN(a; gamma, beta) = gamma *
    (a - mean(a)) / sqrt(var(a) + 1e-3) + beta`` over the ``n`` units:

        f_t = sigmoid(LN(W_f [h_{t-1}, x_t]; gamma_f, beta_f))
        i_t = sigmoid(LN(W_i [h_{t-1}, x_t]; gamma_i, beta_i))
        C~_t = tanh(LN(W_C [h_{t-1}, x_t]; gamma_C, beta_C))
        C_t = f_t * C_{t-1} + i_t * C~_t
        o_t = sigmoid(LN(W_o [h_{t-1}, x_t]; gamma_o, beta_o))
        h_t = o_t * tanh(LN(C_t; gamma_cell, beta_cell))

    ``W_f, W_i, W_C, W_o`` have shape ``(n, n + m)`` (columns ``[:, :n]`` multiply
    ``h_{t-1}``); the gains ``gamma_*`` and biases ``beta_*`` have shape ``(n,)``. The
    ``beta_g`` are the gates' biases (a bias before a normalisation would cancel out). The
    states are ``[h, C]``, ``C`` un-normalised, and the step's output is ``h_t``.

    Args:
        units: positive integer, the size ``n`` of ``h_t`` and ``C_t``.
        activation: the nonlinearity of ``C~_t`` and of the output; default ``"tanh"``.
        recurrent_activation: the gates' nonlinearity; default ``"sigmoid"``.
        kernel_initializer: initializer of the ``x_t`` columns of the ``W``; default
            ``"glorot_uniform"``.
        recurrent_initializer: initializer of the ``h_{t-1}`` columns; default
            ``"orthogonal"`` (drawn as :class:`rnn_course.layers.LSTMCell` draws them).
        gamma_initializer: initializer of the gains; default ``"ones"``.
        beta_initializer: initializer of the biases ``beta_*``; default ``"zeros"``.
        unit_forget_bias: if ``True`` (the default), ``beta_f`` starts at 1 so that the cell
            keeps its memory at first.
        epsilon: added to the variance in each normalisation; default ``1e-3``.
        dropout: fraction of the inputs ``x_t`` to drop while training, in ``[0, 1)``.
        recurrent_dropout: fraction of ``h_{t-1}`` to drop while training, in ``[0, 1)``.
        seed: random seed for the dropout masks.
        **kwargs: base ``keras.layers.Layer`` arguments (``name``, ``dtype``, ...).

    Call arguments:
        x_t: a float tensor of shape ``(batch, input_dim)``.
        states: the list ``[h_{t-1}, C_{t-1}]``, each of shape ``(batch, units)``.
        training: whether dropout applies.

    Example:

    ```python
    x = np.random.random((32, 10, 8)).astype("float32")
    rnn = keras.layers.RNN(LayerNormLSTMCell(4), return_sequences=True)
    H = rnn(x)  # shape (32, 10, 4)
    ```
    """

    def __init__(
        self,
        units,
        activation="tanh",
        recurrent_activation="sigmoid",
        kernel_initializer="glorot_uniform",
        recurrent_initializer="orthogonal",
        gamma_initializer="ones",
        beta_initializer="zeros",
        unit_forget_bias=True,
        epsilon=EPSILON,
        dropout=0.0,
        recurrent_dropout=0.0,
        seed=None,
        **kwargs,
    ):
        units = check_units("LayerNormLSTMCell", units)
        if isinstance(epsilon, bool) or not isinstance(epsilon, (int, float)) or epsilon <= 0:
            raise ValueError(
                f"LayerNormLSTMCell: epsilon must be a positive number, got {epsilon!r}."
            )
        super().__init__(**kwargs)
        self.units = units
        self.activation = activations.get(activation)
        self.recurrent_activation = activations.get(recurrent_activation)
        self.kernel_initializer = initializers.get(kernel_initializer)
        self.recurrent_initializer = initializers.get(recurrent_initializer)
        self.gamma_initializer = initializers.get(gamma_initializer)
        self.beta_initializer = initializers.get(beta_initializer)
        self.unit_forget_bias = bool(unit_forget_bias)
        self.epsilon = float(epsilon)
        self.dropout = check_rate("LayerNormLSTMCell", "dropout", dropout)
        self.recurrent_dropout = check_rate(
            "LayerNormLSTMCell", "recurrent_dropout", recurrent_dropout
        )
        self.seed = seed
        if self.dropout or self.recurrent_dropout:
            self.seed_generator = keras.random.SeedGenerator(seed=seed)
        self.state_size = [units, units]
        self.output_size = units

    def build(self, input_shape):
        if len(input_shape) != 2:
            raise ValueError(
                f"LayerNormLSTMCell expects {_EXPECTED[2]}; got shape {tuple(input_shape)}. "
                "For whole sequences, wrap the cell in keras.layers.RNN or use LayerNormLSTM."
            )
        n, m = self.units, input_shape[-1]
        if m is None:
            raise ValueError(
                "LayerNormLSTMCell needs a known number of input features (the last axis) to "
                "create W_f, W_i, W_C, W_o of shape (units, units + features); got input shape "
                f"{tuple(input_shape)}."
            )
        self.input_dim = m
        for gate in GATES:
            initializer = keras_layout_initializer(
                self.kernel_initializer, self.recurrent_initializer, n, 4, _KERAS_ORDER.index(gate)
            )
            weight = self.add_weight(shape=(n, n + m), initializer=initializer, name=f"W_{gate}")
            setattr(self, f"W_{gate}", weight)
        for part in (*GATES, "cell"):
            gamma = self.add_weight(
                shape=(n,), initializer=self.gamma_initializer, name=f"gamma_{part}"
            )
            setattr(self, f"gamma_{part}", gamma)
        for part in (*GATES, "cell"):
            initializer = (
                initializers.get("ones")
                if part == "f" and self.unit_forget_bias
                else self.beta_initializer
            )
            beta = self.add_weight(shape=(n,), initializer=initializer, name=f"beta_{part}")
            setattr(self, f"beta_{part}", beta)

    def prepare_weights(self):
        """``[W_f; W_i; W_C; W_o]^T`` ``(n + m, 4n)``, and the gates' gains and biases as
        ``(4, n)`` (one row a gate)."""
        W = ops.transpose(ops.concatenate([self.W_f, self.W_i, self.W_C, self.W_o], axis=0))
        shape = (4, self.units)
        gamma = ops.reshape(ops.concatenate([getattr(self, f"gamma_{g}") for g in GATES]), shape)
        beta = ops.reshape(ops.concatenate([getattr(self, f"beta_{g}") for g in GATES]), shape)
        return W, gamma, beta

    def call(self, x_t, states, training=False):
        check_step_input("LayerNormLSTMCell", x_t, self.input_dim)
        h_prev, C_prev = states
        if training and self.dropout:
            x_t = x_t * self.get_dropout_mask(x_t)
        if training and self.recurrent_dropout:
            h_prev = h_prev * self.get_recurrent_dropout_mask(h_prev)
        W, gamma, beta = self.step_weights()
        z = ops.matmul(ops.concatenate([h_prev, x_t], axis=-1), W)  # all four gates at once
        z = ops.reshape(z, (-1, 4, self.units))  # one row a gate, each normalised on its own
        z = layer_norm(z, gamma, beta, self.epsilon)
        z_f, z_i, z_C, z_o = (z[:, k] for k in range(4))
        f_t = self.recurrent_activation(z_f)
        i_t = self.recurrent_activation(z_i)
        C_tilde = self.activation(z_C)
        C_t = f_t * C_prev + i_t * C_tilde
        o_t = self.recurrent_activation(z_o)
        h_t = o_t * self.activation(layer_norm(C_t, self.gamma_cell, self.beta_cell, self.epsilon))
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
                "kernel_initializer": initializers.serialize(self.kernel_initializer),
                "recurrent_initializer": initializers.serialize(self.recurrent_initializer),
                "gamma_initializer": initializers.serialize(self.gamma_initializer),
                "beta_initializer": initializers.serialize(self.beta_initializer),
                "unit_forget_bias": self.unit_forget_bias,
                "epsilon": self.epsilon,
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
    "kernel_initializer",
    "recurrent_initializer",
    "gamma_initializer",
    "beta_initializer",
    "unit_forget_bias",
    "epsilon",
    "dropout",
    "recurrent_dropout",
    "seed",
)


@keras.saving.register_keras_serializable(package="rnn_course")
class LayerNormLSTM(PreparedWeightsRNN):
    """A layer-normalised LSTM over whole sequences: ``keras.layers.RNN`` around
    :class:`LayerNormLSTMCell`.

    It computes the equations of :class:`LayerNormLSTMCell` at every step; its inputs are
    checked before it runs (see :class:`rnn_course.layers.base.CheckedRNN`). With ``n`` units
    and ``m`` input features it has ``4n(n + m) + 10n`` parameters. Keras has no built-in
    equivalent.

    Args:
        units: positive integer, the size of ``h_t`` and ``C_t``.
        activation, recurrent_activation, kernel_initializer, recurrent_initializer,
            gamma_initializer, beta_initializer, unit_forget_bias, epsilon, dropout,
            recurrent_dropout, seed: passed to :class:`LayerNormLSTMCell`.
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
    H, h_last, C_last = LayerNormLSTM(4, return_sequences=True, return_state=True)(x)
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
        kernel_initializer="glorot_uniform",
        recurrent_initializer="orthogonal",
        gamma_initializer="ones",
        beta_initializer="zeros",
        unit_forget_bias=True,
        epsilon=EPSILON,
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
        cell = LayerNormLSTMCell(
            units,
            activation=activation,
            recurrent_activation=recurrent_activation,
            kernel_initializer=kernel_initializer,
            recurrent_initializer=recurrent_initializer,
            gamma_initializer=gamma_initializer,
            beta_initializer=beta_initializer,
            unit_forget_bias=unit_forget_bias,
            epsilon=epsilon,
            dropout=dropout,
            recurrent_dropout=recurrent_dropout,
            seed=seed,
            dtype=kwargs.get("dtype"),
            trainable=kwargs.get("trainable", True),
            name="layernorm_lstm_cell",
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
