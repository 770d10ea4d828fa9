"""The course's recurrent cells and layers, one module a cell, as Keras itself does.

- :mod:`rnn_course.layers.vanilla`: the vanilla (Elman) RNN, ``VanillaRNNCell`` / ``VanillaRNN``.
- :mod:`rnn_course.layers.lstm`: the LSTM, ``LSTMCell`` / ``LSTM``, and the maps between its
  weights and ``keras.layers.LSTM``'s, ``lstm_weights_from_keras`` / ``lstm_weights_to_keras``.
- :mod:`rnn_course.layers.layernorm_lstm`: the layer-normalised LSTM (Ba et al. 2016),
  ``LayerNormLSTMCell`` / ``LayerNormLSTM``.
- :mod:`rnn_course.layers.gru`: the GRU, ``GRUCell`` / ``GRU`` (``reset_after`` either way), and
  ``gru_weights_from_keras`` / ``gru_weights_to_keras``.
- :mod:`rnn_course.layers.residual`: recurrent layers stacked in depth, with optional residual
  connections, ``StackedRNN`` and its builder ``stacked_rnn``.
"""

from rnn_course.layers.gru import GRU, GRUCell, gru_weights_from_keras, gru_weights_to_keras
from rnn_course.layers.layernorm_lstm import LayerNormLSTM, LayerNormLSTMCell
from rnn_course.layers.lstm import LSTM, LSTMCell, lstm_weights_from_keras, lstm_weights_to_keras
from rnn_course.layers.residual import StackedRNN, stacked_rnn
from rnn_course.layers.vanilla import VanillaRNN, VanillaRNNCell

__all__ = [
    "GRU",
    "GRUCell",
    "LSTM",
    "LSTMCell",
    "LayerNormLSTM",
    "LayerNormLSTMCell",
    "StackedRNN",
    "VanillaRNN",
    "VanillaRNNCell",
    "gru_weights_from_keras",
    "gru_weights_to_keras",
    "lstm_weights_from_keras",
    "lstm_weights_to_keras",
    "stacked_rnn",
]
