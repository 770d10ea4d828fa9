"""rnn_course: the helper package of a notebook-first course on recurrent neural networks.

Notebooks start with::

    import rnn_course
    MODE = rnn_course.setup()   # seeds, run mode, one line about backend/device/versions

and read mode-dependent sizes with ``rnn_course.by_mode(full=..., fast=...)``.

Names are loaded on first use (PEP 562), so ``import rnn_course`` is instant and a file tool
such as ``python -m rnn_course.student`` never loads Keras or TensorFlow.
"""

from __future__ import annotations

import importlib

__version__ = "0.1.0"

# public name -> the module that defines it
_EXPORTS = {
    "by_mode": "rnn_course.runtime",
    "get_mode": "rnn_course.runtime",
    "set_seed": "rnn_course.runtime",
    "setup": "rnn_course.runtime",
    "check_close": "rnn_course.checks",
    "check_equal": "rnn_course.checks",
    "check_gradient": "rnn_course.checks",
    "check_outcome": "rnn_course.checks",
    "max_abs_diff": "rnn_course.checks",
    "rel_error": "rnn_course.checks",
    "VanillaRNN": "rnn_course.layers",
    "VanillaRNNCell": "rnn_course.layers",
    "LSTM": "rnn_course.layers",
    "LSTMCell": "rnn_course.layers",
    "GRU": "rnn_course.layers",
    "GRUCell": "rnn_course.layers",
    "lstm_weights_from_keras": "rnn_course.layers",
    "lstm_weights_to_keras": "rnn_course.layers",
    "gru_weights_from_keras": "rnn_course.layers",
    "gru_weights_to_keras": "rnn_course.layers",
    "LayerNormLSTM": "rnn_course.layers",
    "LayerNormLSTMCell": "rnn_course.layers",
    "StackedRNN": "rnn_course.layers",
    "stacked_rnn": "rnn_course.layers",
    "train_for_time": "rnn_course.training",
    "lstm_classifier": "rnn_course.models",
    "char_language_model": "rnn_course.models",
    "StatefulGenerator": "rnn_course.decoding",
    "sample_next": "rnn_course.decoding",
    "greedy": "rnn_course.decoding",
    "per_token_loss": "rnn_course.decoding",
    "ner_tagger": "rnn_course.ner",
    "greedy_search": "rnn_course.decoding",
    "beam_search": "rnn_course.decoding",
    "BahdanauAttention": "rnn_course.attention",
    "translation_model": "rnn_course.seq2seq",
    "Translator": "rnn_course.seq2seq",
}
# subpackages and modules reachable as attributes: rnn_course.plots, rnn_course.data, ...
_MODULES = (
    "attention",
    "audio",
    "autodiff",
    "checks",
    "data",
    "decoding",
    "exercises",
    "gradients",
    "layers",
    "models",
    "ner",
    "plots",
    "profiling",
    "runtime",
    "seq2seq",
    "student",
    "tasks",
    "training",
)

__all__ = sorted(_EXPORTS) + list(_MODULES)


def __getattr__(name: str):
    if name in _EXPORTS:
        value = getattr(importlib.import_module(_EXPORTS[name]), name)
    elif name in _MODULES:
        value = importlib.import_module(f"rnn_course.{name}")
    else:
        raise AttributeError(f"module 'rnn_course' has no attribute {name!r}")
    globals()[name] = value  # later look-ups skip this function
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
