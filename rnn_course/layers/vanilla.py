"""The vanilla (Elman) RNN as a Keras cell and layer, written with ``keras.ops`` only.

The cell computes one step of

    h_t = tanh(W_xh x_t + W_hh h_{t-1} + b_h)

with the weights stored in the shapes of that equation: ``W_xh`` is ``(units, input_dim)``,
``W_hh`` is ``(units, units)``, ``b_h`` is ``(units,)``. Keras works on a batch of row vectors,
so for a batch ``X_t`` of shape ``(batch, input_dim)`` the same step reads
``H_t = tanh(X_t W_xh^T + H_{t-1} W_hh^T + b_h)``. ``keras.layers.SimpleRNN`` stores the
transposes: its ``kernel`` is ``W_xh^T`` and its ``recurrent_kernel`` is ``W_hh^T``.

The output equation ``y_t = W_hy h_t + b_y`` is an ordinary ``keras.layers.Dense`` applied to
every step of the sequence of hidden states.
"""

from __future__ import annotations

import keras
from keras import activations, initializers, ops

from rnn_course.layers._prepared import PreparedWeightsCell, PreparedWeightsRNN
from rnn_course.layers._validate import _EXPECTED, _check_input, check_units


@keras.saving.register_keras_serializable(package="rnn_course")
class VanillaRNNCell(PreparedWeightsCell, keras.layers.Layer):
    """One step of the vanilla RNN: ``h_t = tanh(W_xh x_t + W_hh h_{t-1} + b_h)``.

    Weights have the shapes of the equation: ``W_xh`` is ``(units, input_dim)``, ``W_hh`` is
    ``(units, units)`` and ``b_h`` is ``(units,)``. The step's output is ``h_t`` itself.

    Args:
        units: positive integer, the size ``n`` of the hidden state ``h_t``.
        activation: the nonlinearity; default ``"tanh"``.
        use_bias: whether to add ``b_h``; default ``True``.
        kernel_initializer: initializer for ``W_xh``; default ``"glorot_uniform"``.
        recurrent_initializer: initializer for ``W_hh``; default ``"orthogonal"``.
        bias_initializer: initializer for ``b_h``; default ``"zeros"``.
        **kwargs: base ``keras.layers.Layer`` arguments (``name``, ``dtype``, ...).

    Call arguments:
        x_t: a float tensor of shape ``(batch, input_dim)``.
        states: a list holding ``h_{t-1}``, shape ``(batch, units)``.

    Example:

    ```python
    x = np.random.random((32, 10, 8)).astype("float32")
    rnn = keras.layers.RNN(VanillaRNNCell(4), return_sequences=True)
    h = rnn(x)  # shape (32, 10, 4): h_1 ... h_10 for each sequence
    ```
    """

    def __init__(
        self,
        units,
        activation="tanh",
        use_bias=True,
        kernel_initializer="glorot_uniform",
        recurrent_initializer="orthogonal",
        bias_initializer="zeros",
        **kwargs,
    ):
        units = check_units("VanillaRNNCell", units)
        super().__init__(**kwargs)
        self.units = units
        self.activation = activations.get(activation)
        self.use_bias = use_bias
        self.kernel_initializer = initializers.get(kernel_initializer)
        self.recurrent_initializer = initializers.get(recurrent_initializer)
        self.bias_initializer = initializers.get(bias_initializer)
        self.state_size = units
        self.output_size = units

    def build(self, input_shape):
        if len(input_shape) != 2:
            raise ValueError(
                f"VanillaRNNCell expects {_EXPECTED[2]}; got shape {tuple(input_shape)}. "
                "For whole sequences, wrap the cell in keras.layers.RNN or use VanillaRNN."
            )
        input_dim = input_shape[-1]
        if input_dim is None:
            raise ValueError(
                "VanillaRNNCell needs a known number of input features (the last axis) to create "
                f"W_xh; got input shape {tuple(input_shape)}."
            )
        self.W_xh = self.add_weight(
            shape=(self.units, input_dim), initializer=self.kernel_initializer, name="W_xh"
        )
        self.W_hh = self.add_weight(
            shape=(self.units, self.units),
            initializer=self.recurrent_initializer,
            name="W_hh",
        )
        self.b_h = (
            self.add_weight(shape=(self.units,), initializer=self.bias_initializer, name="b_h")
            if self.use_bias
            else None
        )

    def prepare_weights(self):
        """W_xh^T and W_hh^T: a step multiplies a batch of row vectors by the transposes."""
        return ops.transpose(self.W_xh), ops.transpose(self.W_hh)

    def call(self, x_t, states, training=False):
        _check_input("VanillaRNNCell", x_t, 2, self.W_xh.shape[1])
        h_prev = states[0] if isinstance(states, (list, tuple)) else states
        W_xh_T, W_hh_T = self.step_weights()  # transposed once per sequence, not once per step
        z = ops.matmul(x_t, W_xh_T) + ops.matmul(h_prev, W_hh_T)
        if self.b_h is not None:
            z = z + self.b_h
        h_t = self.activation(z)
        return h_t, [h_t]

    def get_initial_state(self, batch_size=None):
        return [ops.zeros((batch_size, self.units), dtype=self.compute_dtype)]

    def get_config(self):
        config = super().get_config()
        config.update(
            {
                "units": self.units,
                "activation": activations.serialize(self.activation),
                "use_bias": self.use_bias,
                "kernel_initializer": initializers.serialize(self.kernel_initializer),
                "recurrent_initializer": initializers.serialize(self.recurrent_initializer),
                "bias_initializer": initializers.serialize(self.bias_initializer),
            }
        )
        return config


@keras.saving.register_keras_serializable(package="rnn_course")
class VanillaRNN(PreparedWeightsRNN):
    """A vanilla RNN over whole sequences: ``keras.layers.RNN`` around :class:`VanillaRNNCell`.

    Its inputs are checked before it runs (see :class:`rnn_course.layers.base.CheckedRNN`):
    sequences of shape ``(batch, time, features)`` with at least one step, an ``initial_state``
    of shape ``(batch, units)``, a mask of shape ``(batch, time)``.

    Args:
        units: positive integer, the size of the hidden state.
        activation, use_bias, kernel_initializer, recurrent_initializer, bias_initializer:
            passed to :class:`VanillaRNNCell`.
        return_sequences: return every ``h_t`` (``(batch, time, units)``) instead of the last.
        return_state: also return the last hidden state.
        go_backwards, stateful, unroll: as in ``keras.layers.RNN``.
        **kwargs: base layer arguments (``name``, ``dtype``, ...).

    Call arguments:
        sequences: a float tensor of shape ``(batch, time, features)``, ``time >= 1``.
        initial_state: optional ``h_0`` of shape ``(batch, units)`` (or a list holding it).
        mask: optional boolean ``(batch, time)``: False skips that step of that sequence.
        training: as in ``keras.layers.RNN``.

    Example:

    ```python
    x = np.random.random((32, 10, 8)).astype("float32")
    h_last = VanillaRNN(4)(x)  # shape (32, 4)
    ```
    """

    state_names = ("h_0",)
    cell_args = (
        "units",
        "activation",
        "use_bias",
        "kernel_initializer",
        "recurrent_initializer",
        "bias_initializer",
    )

    def __init__(
        self,
        units,
        activation="tanh",
        use_bias=True,
        kernel_initializer="glorot_uniform",
        recurrent_initializer="orthogonal",
        bias_initializer="zeros",
        return_sequences=False,
        return_state=False,
        go_backwards=False,
        stateful=False,
        unroll=False,
        **kwargs,
    ):
        cell = VanillaRNNCell(
            units,
            activation=activation,
            use_bias=use_bias,
            kernel_initializer=kernel_initializer,
            recurrent_initializer=recurrent_initializer,
            bias_initializer=bias_initializer,
            dtype=kwargs.get("dtype"),
            name="vanilla_rnn_cell",
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
