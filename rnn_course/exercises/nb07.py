"""Self-checks for notebook 07, sentiment analysis.

Each check judges the student's function by Keras itself (``keras.utils.pad_sequences``, the
parameter count of :func:`rnn_course.models.lstm_classifier`) or by the definition applied to a
small model whose answer is known. When an answer is wrong, the check tries the usual slips on
it (padding on the wrong side, keeping the first tokens, PyTorch's second bias, the sign of the
difference, ...) and names the one that explains it.
"""

from __future__ import annotations

from collections.abc import Callable

import keras
import numpy as np

from rnn_course.exercises import self_check
from rnn_course.models import lstm_classifier

# --- Exercise 1: pad and truncate -------------------------------------------------------------

_SEQUENCES = [[5, 8, 2, 9, 4, 7, 3], [6, 1], [2, 3, 4, 5, 6], [9], [4, 4, 8, 1, 2, 7, 7, 5, 3]]


def _reference_padding(sequences, maxlen, padding):
    return keras.utils.pad_sequences(
        sequences, maxlen=maxlen, padding=padding, truncating="pre", value=0, dtype="int32"
    )


def _padding_result(function, sequences, maxlen, padding):
    result = function([list(s) for s in sequences], maxlen, padding=padding)
    assert result is not None, "pad_and_truncate returned None: did you forget `return`?"
    return np.asarray(result)


def check_pad_and_truncate(pad_and_truncate: Callable) -> None:
    """Exercise 1: ``pad_and_truncate(sequences, maxlen, padding="post")``.

    It must return an integer array ``(len(sequences), maxlen)``: each sequence's last
    ``maxlen`` ids, padded with 0 after them (``padding="post"``) or before them (``"pre"``),
    as ``keras.utils.pad_sequences(..., truncating="pre")`` does.
    """

    def check():
        for maxlen in (4, 6, 12):
            for padding in ("post", "pre"):
                result = _padding_result(pad_and_truncate, _SEQUENCES, maxlen, padding)
                expected = _reference_padding(_SEQUENCES, maxlen, padding)
                call = f"pad_and_truncate(sequences, {maxlen}, padding={padding!r})"
                if result.shape != expected.shape:
                    raise AssertionError(
                        f"{call} returned shape {result.shape}, expected "
                        f"(number of sequences, maxlen) = {expected.shape}."
                    )
                if not np.issubdtype(result.dtype, np.integer):
                    raise AssertionError(
                        f"{call} returned dtype {result.dtype}: token ids must stay integers "
                        "(an Embedding layer looks them up); build the array with dtype='int32'."
                    )
                if not np.array_equal(result, expected):
                    raise AssertionError(
                        f"{call} is not right: for {_SEQUENCES} it returned\n{result}\n"
                        f"{_diagnose_padding(result, maxlen, padding)}"
                    )

    self_check("Exercise 1 (pad and truncate)", check)


def _diagnose_padding(result, maxlen, padding) -> str:
    other = "pre" if padding == "post" else "post"
    first = [s[:maxlen] for s in _SEQUENCES]
    if np.array_equal(result, _reference_padding(_SEQUENCES, maxlen, other)):
        return f"The zeros are on the wrong side: padding={padding!r} puts them " + (
            "after the tokens (the right)." if padding == "post" else "before the tokens."
        )
    if np.array_equal(result, _reference_padding(first, maxlen, padding)):
        return (
            "A long sequence keeps its first maxlen tokens here; keep its *last* maxlen "
            "(the end of a review, where its verdict usually is)."
        )
    if np.array_equal(result, _reference_padding(first, maxlen, other)):
        return "Both are reversed: keep the last maxlen tokens, and pad on the other side."
    return (
        "Each row should hold the sequence's last maxlen ids, in their order, with zeros "
        "filling the rest of the row on the side that `padding` names."
    )


# --- Exercise 2: the classifier's parameter count ---------------------------------------------

# vocab_size, embedding_dim, hidden_dim, output_dim, n_layers, bidirectional
_CONFIGS = [
    (10_000, 100, 256, 3, 1, True),
    (20_000, 128, 64, 1, 1, False),
    (500, 16, 8, 2, 2, False),
    (500, 16, 8, 2, 2, True),
    (50, 7, 5, 4, 3, True),
]


def _keras_count(config) -> int:
    return lstm_classifier(*config).count_params()


def _lstm_params(inputs: int, hidden: int, biases: int = 1) -> int:
    return 4 * hidden * (inputs + hidden + biases)


def _variant(config, *, biases=1, wide_input=True, wide_head=True) -> int:
    vocab, embed, hidden, out, layers, bidirectional = config
    directions = 2 if bidirectional else 1
    total = vocab * embed
    for index in range(layers):
        inputs = embed if index == 0 else hidden * (directions if wide_input else 1)
        total += directions * _lstm_params(inputs, hidden, biases)
    return total + (hidden * (directions if wide_head else 1) + 1) * out


def check_parameter_count(parameter_count: Callable) -> None:
    """Exercise 2: ``parameter_count(vocab_size, embedding_dim, hidden_dim, output_dim,
    n_layers, bidirectional)`` must equal ``lstm_classifier(...).count_params()``."""

    def check():
        for config in _CONFIGS:
            got = parameter_count(*config)
            assert got is not None, "parameter_count returned None: did you forget `return`?"
            assert isinstance(got, (int, np.integer)) and not isinstance(got, bool), (
                f"parameter_count must return a whole number, got {got!r} ({type(got).__name__})."
            )
            expected = _keras_count(config)
            if got != expected:
                names = "vocab_size, embedding_dim, hidden_dim, output_dim, n_layers, bidirectional"
                raise AssertionError(
                    f"parameter_count({', '.join(map(str, config))}) returned {got:,}; Keras "
                    f"counts {expected:,} (arguments: {names}). {_diagnose_count(config, got)}"
                )

    self_check("Exercise 2 (the classifier's parameter count)", check)


def _diagnose_count(config, got) -> str:
    vocab, embed, hidden, out, layers, bidirectional = config
    if got == _variant(config, biases=2):
        return (
            "That is PyTorch's count: its LSTM has two bias vectors per gate (b_ih and b_hh), "
            "Keras's one."
        )
    if got == _variant(config, wide_input=False) and layers > 1:
        return (
            "A bidirectional layer after the first reads both directions' outputs side by "
            "side: its input has 2 * hidden_dim features."
        )
    if got == _variant(config, wide_head=False) or got == _variant(
        config, wide_input=False, wide_head=False
    ):
        return "The output layer reads [h_fwd, h_bwd]: 2 * hidden_dim features when bidirectional."
    if got == _variant(config) - vocab * embed:
        return "The embedding table has parameters too: one vector per token id."
    if got == _variant(config) - out:
        return "The output layer has a bias: one per class."
    if bidirectional and got == _variant(config[:5] + (False,)):
        return "With bidirectional=True every LSTM layer is there twice, one per direction."
    return (
        "Add up the embedding table, each LSTM (four gates, each a matrix on [h_{t-1}, x_t] "
        "and a bias) per direction and layer, and the output layer."
    )


# --- Exercise 3: occlusion ----------------------------------------------------------------------


def _toy_predict(ids) -> np.ndarray:
    """A small model whose logit depends on the tokens and their positions (0 = padding)."""
    ids = np.asarray(ids)
    if ids.ndim != 2:
        raise ValueError(
            f"predict takes a batch of sequences, shape (n, T); got shape {ids.shape}. For one "
            "sequence, pass ids[None] (a batch of one)."
        )
    weights = np.sin(np.arange(50) * 1.7)  # one weight per token id
    position = 1.0 + 0.1 * np.arange(ids.shape[1])
    present = ids != 0
    return np.tanh((weights[ids] * position * present).sum(axis=1) / 3)


def _reference_occlusion(predict, ids) -> np.ndarray:
    variants = np.repeat(ids[None], len(ids), axis=0)
    variants[np.arange(len(ids)), np.arange(len(ids))] = 0
    return predict(ids[None])[0] - predict(variants)


def check_occlusion_scores(occlusion_scores: Callable) -> None:
    """Exercise 3: ``occlusion_scores(predict, ids)`` for one sequence ``ids`` (T,).

    ``predict`` maps a batch of id sequences (n, T) to logits (n,). Score t must be
    ``predict(ids) - predict(ids with ids[t] set to 0)``: how much token t raises the logit.
    """

    def check():
        calls = []

        def predict(batch):
            calls.append(np.asarray(batch).copy())
            return _toy_predict(batch)

        for seed, length in ((7, 9), (8, 1), (9, 16)):
            ids = np.random.default_rng(seed).integers(1, 50, size=length).astype("int32")
            given = ids.copy()
            scores = occlusion_scores(predict, given)
            assert scores is not None, "occlusion_scores returned None: did you forget `return`?"
            assert np.array_equal(given, ids), (
                "occlusion_scores changed the ids it was given: occlude a copy (ids.copy())."
            )
            scores = np.asarray(scores, dtype="float64")
            if scores.shape != (length,):
                raise AssertionError(
                    f"for a sequence of {length} tokens return {length} scores, shape "
                    f"({length},); got shape {scores.shape}."
                )
            expected = _reference_occlusion(_toy_predict, ids)
            if np.max(np.abs(scores - expected)) > 1e-6:
                raise AssertionError(_diagnose_occlusion(scores, ids, expected))

    self_check("Exercise 3 (occlusion)", check)


def _diagnose_occlusion(scores, ids, expected) -> str:
    base = _toy_predict(ids[None])[0]
    if np.allclose(scores, -expected, atol=1e-6):
        return (
            "The sign is reversed: a token that raises the logit must get a positive score, "
            "predict(ids) minus predict(occluded)."
        )
    if np.allclose(scores, base - expected, atol=1e-6):
        return (
            "Those are the occluded predictions themselves; return how far each one moved "
            "from predict(ids)."
        )
    deleted = np.array(
        [
            base - _toy_predict(np.delete(ids, t)[None])[0] if len(ids) > 1 else 0
            for t in range(len(ids))
        ]
    )
    if len(ids) > 1 and np.allclose(scores, deleted, atol=1e-6):
        return (
            "You removed the token, which moves every later token one place: set its id to 0 "
            "instead (padding, which the masked model skips), keeping the length."
        )
    return "Score t is predict(ids) - predict(a copy of ids with ids[t] = 0), for every t."
