"""Step weights prepared once per sequence instead of once per time step.

The course stores each weight in the shape of its equation: the LSTM's ``W_f`` is
``(units, units + input_dim)`` and acts on the column vector ``[h_{t-1}, x_t]``. Keras works on
a batch of *row* vectors, so one step multiplies by the transposes, and the gates' matrices,
stacked side by side, make one matrix product instead of four:

    [h_{t-1}, x_t] @ [W_f; W_i; W_C; W_o]^T       shape (batch, n + m) @ (n + m, 4n)

Written inside the cell's ``call``, that stacking and transposing runs again at every time
step: on TensorFlow without XLA (``jit_compile=False``, the default on CPU) the while loop over
time does not hoist it, and a training step takes about twice as long as with
``keras.layers.LSTM``, which stores the transposes. (XLA and ``jax.jit`` hoist it themselves.)

So a cell computes its step matrices in ``prepare_weights()`` and reads them in ``call`` through
``step_weights()``; the layer over whole sequences prepares them once before the loop over time
and drops them after it. A cell used on its own (``keras.layers.RNN(LSTMCell(n))``, or one step
at a time) prepares them at every call: the same numbers, more work.
"""

from __future__ import annotations

import contextlib

from rnn_course.layers.base import CheckedRNN


class PreparedWeightsCell:
    """Mixin for a cell whose step multiplies by matrices derived from its weights.

    A subclass implements ``prepare_weights()`` (returning a tuple of tensors computed from its
    variables with ``keras.ops``) and calls ``step_weights()`` in ``call``.
    """

    _prepared_weights = None

    def prepare_weights(self) -> tuple:
        """The matrices one step multiplies by, computed from the cell's weights."""
        raise NotImplementedError

    def step_weights(self) -> tuple:
        """The prepared matrices: those of the current sequence, or freshly computed."""
        if self._prepared_weights is not None:
            return self._prepared_weights
        return self.prepare_weights()

    @contextlib.contextmanager
    def weights_prepared_once(self):
        """Within this block every step reuses one ``prepare_weights()`` result."""
        self._prepared_weights = self.prepare_weights()
        try:
            yield
        finally:
            self._prepared_weights = None


class PreparedWeightsRNN(CheckedRNN):
    """A checked ``keras.layers.RNN`` that prepares its cell's step weights once per call.

    The preparation happens inside the layer's call, so it sees the weights of that call (also
    under ``stateless_call``, mixed-precision autocasting and ``jax.jit``) and gradients flow
    through it to the cell's variables.
    """

    def inner_loop(self, sequences, initial_state, mask, training=False):
        with self.cell.weights_prepared_once():
            return super().inner_loop(sequences, initial_state, mask, training=training)

    #: The cell's constructor arguments that the layer's config lists in place of the cell.
    cell_args: tuple[str, ...] = ()

    @property
    def units(self):
        return self.cell.units

    def get_config(self):
        """The layer's config, with the cell's arguments (``cell_args``) instead of the cell."""
        config = super().get_config()
        del config["cell"]
        cell_config = self.cell.get_config()
        config.update({key: cell_config[key] for key in self.cell_args})
        return config

    @classmethod
    def from_config(cls, config):
        return cls(**config)
