"""The base class of the course's recurrent layers: ``keras.layers.RNN`` that checks its inputs.

A layer over whole sequences subclasses :class:`CheckedRNN` instead of ``keras.layers.RNN``
and passes its cell to ``super().__init__``; see :mod:`rnn_course.layers._validate` for what
is checked and an example.
"""

from __future__ import annotations

import keras

from rnn_course.layers._validate import (
    _shape,
    check_initial_state,
    check_mask,
    check_sequences,
    check_sequences_shape,
)


class CheckedRNN(keras.layers.RNN):
    """``keras.layers.RNN`` whose ``build`` and ``call`` check the sequences, state and mask.

    Before the RNN runs, on every backend and in eager, traced and symbolic (functional-model)
    calls alike:

    - ``sequences``: rank 3 ``(batch, time, features)``, at least one time step when known,
      the number of features the layer was built for, a floating-point dtype;
    - ``initial_state``: one ``(batch, size)`` tensor per entry of the cell's ``state_size``
      (a list; a single tensor for a single state), batch matching the sequences;
    - ``mask``: ``(batch, time)`` matching the sequences.

    Errors are ``ValueError`` (shapes) or ``TypeError`` (dtypes, types) naming the layer, what
    was expected and what was given.

    Attributes:
        state_names: optional names of the initial states used in error messages, e.g.
            ``("h_0", "c_0")`` for an LSTM; a class attribute.
    """

    state_names: tuple[str, ...] | None = None

    def build(self, sequences_shape, initial_state_shape=None):
        check_sequences_shape(type(self).__name__, sequences_shape)
        self._checked_input_dim = sequences_shape[-1]
        super().build(sequences_shape, initial_state_shape)

    def compute_output_spec(self, sequences, initial_state=None, mask=None, **kwargs):
        # A symbolic call (keras.Input) never reaches ``call``: Keras infers the output from
        # compute_output_shape, so the same checks run here.
        self.check_call_arguments(sequences, initial_state, mask)
        if initial_state is not None:
            kwargs["initial_state"] = initial_state
        if mask is not None:
            kwargs["mask"] = mask
        return super().compute_output_spec(sequences, **kwargs)

    def call(self, sequences, initial_state=None, mask=None, training=False):
        self.check_call_arguments(sequences, initial_state, mask)
        return super().call(sequences, initial_state=initial_state, mask=mask, training=training)

    def check_call_arguments(self, sequences, initial_state=None, mask=None) -> None:
        """Check the arguments of a call; raise ``ValueError`` / ``TypeError`` if they are bad."""
        layer = type(self).__name__
        check_sequences(layer, sequences, getattr(self, "_checked_input_dim", None))
        shape = _shape(sequences)
        check_initial_state(layer, initial_state, self.state_size, shape, self.state_names)
        check_mask(layer, mask, shape)
