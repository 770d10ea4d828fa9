"""The course's recurrent cells and layers, one module a cell, as Keras itself does.

- :mod:`rnn_course.layers.vanilla`: the vanilla (Elman) RNN, ``VanillaRNNCell`` / ``VanillaRNN``.
"""

from rnn_course.layers.vanilla import VanillaRNN, VanillaRNNCell

__all__ = ["VanillaRNN", "VanillaRNNCell"]
