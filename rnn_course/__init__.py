"""rnn_course: the helper package of a notebook-first course on recurrent neural networks.

Notebooks start with::

    import rnn_course
    rnn_course.setup()          # seeds, run mode, one line about backend/device/versions

and read mode-dependent sizes with ``rnn_course.by_mode(full=..., fast=...)``.
"""

from rnn_course import plots
from rnn_course.checks import (
    check_close,
    check_equal,
    check_gradient,
    check_outcome,
    max_abs_diff,
    rel_error,
)
from rnn_course.layers import VanillaRNN, VanillaRNNCell
from rnn_course.runtime import by_mode, get_mode, set_seed, setup

__version__ = "0.1.0"

__all__ = [
    "VanillaRNN",
    "VanillaRNNCell",
    "by_mode",
    "check_close",
    "check_equal",
    "check_gradient",
    "check_outcome",
    "get_mode",
    "max_abs_diff",
    "plots",
    "rel_error",
    "set_seed",
    "setup",
]
