"""Sequence-to-sequence translation: text to ids, encoder-decoder models, decoding, BLEU.

The pieces of notebook 09, in the order it uses them:

- text: :func:`tokenize` (lower case, words and punctuation), :func:`detokenize`, a
  :class:`Vocabulary` with ids 0 = padding, 1 = ``[UNK]``, 2 = ``[START]``, 3 = ``[END]``;
  :func:`split_by_source` (a seeded split in which no source sentence is in two splits);
- batches: :func:`teacher_forcing` (decoder input ``[START] + y``, labels ``y + [END]``) and
  :class:`TranslationBatches` (batches of similar length, for ``model.fit``);
- models: :func:`translation_model` (GRU encoder-decoder, with or without
  :class:`rnn_course.attention.BahdanauAttention`) and :class:`Translator` (its encoder and
  one-step decoder, sharing the trained layers, for decoding with
  :func:`rnn_course.decoding.greedy_search` / :func:`rnn_course.decoding.beam_search`);
- training for a wall-clock budget (:class:`TimeBudget`), and scores: :func:`corpus_bleu`,
  :func:`bleu_by_length` (sacrebleu).
"""

from __future__ import annotations

import math
import re
import time
import unicodedata
from collections import Counter
from collections.abc import Callable, Sequence
from numbers import Integral, Real

import keras
import numpy as np
from keras import ops

from rnn_course.attention import BahdanauAttention
from rnn_course.batching import length_batches, shapes_open_from_the_start
from rnn_course.decoding import beam_search, greedy_search
from rnn_course.layers._validate import check_units

__all__ = [
    "END",
    "PAD",
    "START",
    "UNK",
    "TimeBudget",
    "TranslationBatches",
    "Translator",
    "Vocabulary",
    "bleu_by_length",
    "corpus_bleu",
    "detokenize",
    "masked_loss",
    "pad",
    "split_by_source",
    "teacher_forcing",
    "tokenize",
    "translation_model",
]

PAD, UNK, START, END = "", "[UNK]", "[START]", "[END]"
_SPECIALS = (PAD, UNK, START, END)
_TOKEN = re.compile(r"[\w']+|[^\w\s]")
_NO_SPACE_BEFORE = {".", ",", "?", "!", ";", ":", ")", "%"}
_NO_SPACE_AFTER = {"¿", "¡", "("}


# --- text -------------------------------------------------------------------------------------


def tokenize(text: str) -> list[str]:
    """Lower-cased words and punctuation marks: ``"¿Dónde está?"`` -> ``['¿', 'dónde', 'está',
    '?']``.

    The text is put in Unicode NFC form first (so "á" is one character however it was typed);
    a word is a run of letters, digits, ``_`` and apostrophes (``"don't"`` stays one token);
    every other non-space character is a token of its own.
    """
    if not isinstance(text, str):
        raise TypeError(f"tokenize: text must be a string, got {type(text).__name__}.")
    text = unicodedata.normalize("NFC", text).replace("\u2019", "'").lower()
    return _TOKEN.findall(text)


def detokenize(tokens: Sequence[str]) -> str:
    """Tokens back to text: spaces between words, none before ``. , ? !`` or after ``¿ ¡``."""
    text = ""
    for token in tokens:
        if text and token not in _NO_SPACE_BEFORE and text[-1] not in _NO_SPACE_AFTER:
            text += " "
        text += token
    return text


class Vocabulary:
    """Token <-> id, with ids 0 = padding, 1 = ``[UNK]``, 2 = ``[START]``, 3 = ``[END]``.

    Args:
        tokens: the vocabulary's words, most frequent first, without the four special tokens.

    Use :meth:`from_corpus` to build one from tokenized training sentences.
    """

    pad_id, unk_id, start_id, end_id = 0, 1, 2, 3

    def __init__(self, tokens: Sequence[str]):
        tokens = list(tokens)
        bad = [t for t in tokens if not isinstance(t, str) or t in _SPECIALS]
        if bad:
            raise ValueError(
                f"Vocabulary: tokens must be strings other than the special tokens {_SPECIALS}; "
                f"got {bad[0]!r}."
            )
        if len(set(tokens)) != len(tokens):
            raise ValueError("Vocabulary: tokens must be distinct.")
        self.tokens = [*_SPECIALS, *tokens]
        self.index = {token: i for i, token in enumerate(self.tokens)}

    @classmethod
    def from_corpus(cls, sentences: Sequence[Sequence[str]], max_size: int) -> Vocabulary:
        """The ``max_size - 4`` most frequent tokens of ``sentences`` (ties: first seen first)."""
        if isinstance(max_size, bool) or not isinstance(max_size, Integral) or max_size < 5:
            raise ValueError(
                f"Vocabulary.from_corpus: max_size must be an integer >= 5 (4 special tokens "
                f"and at least one word), got {max_size!r}."
            )
        if isinstance(sentences, str) or (sentences and isinstance(sentences[0], str)):
            raise TypeError(
                "Vocabulary.from_corpus: sentences must be a list of token lists (use tokenize "
                "on each sentence), not strings."
            )
        counts = Counter(token for sentence in sentences for token in sentence)
        for special in _SPECIALS:
            counts.pop(special, None)
        return cls([token for token, _ in counts.most_common(int(max_size) - len(_SPECIALS))])

    def __len__(self) -> int:
        return len(self.tokens)

    def encode(self, tokens: Sequence[str], *, start: bool = False, end: bool = False):
        """Ids of ``tokens`` (unknown ones -> 1), optionally with ``[START]`` / ``[END]``."""
        if isinstance(tokens, str):
            raise TypeError(
                "Vocabulary.encode: tokens must be a list of tokens, not a string (use "
                "tokenize(text) first)."
            )
        ids = [self.index.get(token, self.unk_id) for token in tokens]
        ids = ([self.start_id] if start else []) + ids + ([self.end_id] if end else [])
        return np.array(ids, dtype="int32")

    def decode(self, ids) -> list[str]:
        """Tokens of ``ids``, up to the first ``[END]``, without padding and ``[START]``."""
        out = []
        for i in np.asarray(ids).reshape(-1):
            i = int(i)
            if i == self.end_id:
                break
            if i in (self.pad_id, self.start_id):
                continue
            if not 0 <= i < len(self.tokens):
                raise ValueError(f"Vocabulary.decode: id {i} is outside 0 ... {len(self) - 1}.")
            out.append(self.tokens[i])
        return out

    def coverage(self, sentences: Sequence[Sequence[str]]) -> float:
        """The share of the tokens of ``sentences`` that are in the vocabulary."""
        total = sum(len(s) for s in sentences)
        if total == 0:
            raise ValueError("Vocabulary.coverage: the sentences hold no tokens.")
        known = sum(token in self.index for s in sentences for token in s)
        return known / total


def split_by_source(examples, *, n_test, n_validation, seed, source=lambda example: example[0]):
    """A seeded train / validation / test split in which no source sentence is in two splits.

    The distinct sources (``source(example)``, e.g. the Spanish sentence) are shuffled with
    ``seed``; the first ``n_test`` go to the test split, the next ``n_validation`` to
    validation, the rest to training. Training keeps every example of its sources (one
    sentence may have several translations); validation and test keep the first example of
    each source (one reference each), in shuffled order; training keeps the order of
    ``examples``.

    Returns:
        ``(train, validation, test)`` lists of examples.
    """
    n_test = _non_negative("split_by_source", "n_test", n_test)
    n_validation = _non_negative("split_by_source", "n_validation", n_validation)
    groups: dict = {}
    for example in examples:
        groups.setdefault(_hashable(source(example)), []).append(example)
    keys = list(groups)
    if n_test + n_validation >= len(keys):
        raise ValueError(
            f"split_by_source: n_test + n_validation = {n_test + n_validation} leaves no "
            f"training data: there are {len(keys)} distinct sources."
        )
    order = np.random.default_rng(seed).permutation(len(keys))
    test = [groups[keys[i]][0] for i in order[:n_test]]
    validation = [groups[keys[i]][0] for i in order[n_test : n_test + n_validation]]
    held_out = {keys[i] for i in order[: n_test + n_validation]}
    train = [example for example in examples if _hashable(source(example)) not in held_out]
    return train, validation, test


def _hashable(value):
    return tuple(value) if isinstance(value, list) else value


def _non_negative(function: str, name: str, value) -> int:
    if isinstance(value, bool) or not isinstance(value, Integral) or value < 0:
        raise ValueError(f"{function}: {name} must be an integer >= 0, got {value!r}.")
    return int(value)


# --- batches ------------------------------------------------------------------------------------


def pad(sequences: Sequence, length: int | None = None) -> np.ndarray:
    """Id sequences as one int32 array, padded on the right with 0 to ``length`` (or the
    longest)."""
    length = length or max(len(s) for s in sequences)
    padded = np.zeros((len(sequences), length), dtype="int32")
    for row, ids in enumerate(sequences):
        padded[row, : len(ids)] = ids
    return padded


def teacher_forcing(targets: Sequence, *, start_id: int = 2, end_id: int = 3):
    """Decoder inputs and labels for training with teacher forcing.

    For a target ``y_1 ... y_n`` the decoder reads ``[START] y_1 ... y_n`` and must predict
    ``y_1 ... y_n [END]``: at every step it is fed the *true* previous token, not its own
    guess. Both are padded with 0 to the longest target + 1; the loss skips label 0.

    Returns:
        ``(decoder_inputs, labels)``, int32 arrays of the same shape ``(batch, n_max + 1)``.
    """
    targets = [np.asarray(t, dtype="int32") for t in targets]
    inputs = pad([np.concatenate([[start_id], t]) for t in targets])
    labels = pad([np.concatenate([t, [end_id]]) for t in targets])
    return inputs, labels


class TranslationBatches(keras.utils.PyDataset):
    """Batches of translation pairs of similar length, for ``model.fit``.

    Each item is ``((source, decoder_inputs), labels)``: the source ids padded to the batch's
    longest source, and :func:`teacher_forcing` of the targets. Pairs are grouped by length so
    that a batch holds little padding (a recurrent layer on a CPU steps through the padding
    too): with a seed, each pass draws a new random order, sorts chunks of ``50 * batch_size``
    pairs by length, cuts them into batches and shuffles the batches
    (:func:`rnn_course.batching.length_batches`); without one, the pairs are sorted by length
    once (for evaluation). Within each epoch the first two batches differ in both lengths, so
    that Keras keeps both time axes open (:func:`rnn_course.batching.shapes_open_from_the_start`).

    Args:
        sources, targets: lists of id arrays (sources with their ``[END]``, targets without
            start or end tokens).
        batch_size: pairs per batch.
        steps: with a seed, the number of batches one "epoch" of ``model.fit`` takes (the
            batches continue where the last epoch stopped, over passes through the data);
            ``None``: one pass through the data. Without a seed: always one pass.
        seed: an int for random batches, ``None`` for fixed, length-sorted ones.
    """

    def __init__(self, sources, targets, batch_size, *, steps=None, seed=None):
        super().__init__()
        if len(sources) != len(targets) or not len(sources):
            raise ValueError(
                f"TranslationBatches: sources and targets must be non-empty and of the same "
                f"length; got {len(sources)} and {len(targets)}."
            )
        if steps is not None and (
            isinstance(steps, bool) or not isinstance(steps, Integral) or steps < 1
        ):
            raise ValueError(
                f"TranslationBatches: steps must be None or an integer >= 1, got {steps!r}."
            )
        self.sources, self.targets = list(sources), list(targets)
        self.batch_size = int(batch_size)
        self.rng = None if seed is None else np.random.default_rng(seed)
        self.lengths = np.array([len(s) + len(t) for s, t in zip(sources, targets, strict=True)])
        self.source_lengths = np.array([len(s) for s in self.sources])
        self.target_lengths = np.array([len(t) for t in self.targets])
        self._stream: list[np.ndarray] = []  # this epoch's batches first, then what follows
        if self.rng is None:  # evaluation: every pair once
            self.steps = math.ceil(len(self.sources) / self.batch_size)
        else:
            self.steps = steps if steps is not None else math.ceil(len(self.sources) / batch_size)
        self._open_epoch()

    def _shape(self, rows) -> tuple[int, int]:
        """The padded (source, decoder) lengths of the batch of pairs ``rows``."""
        return int(self.source_lengths[rows].max()), int(self.target_lengths[rows].max()) + 1

    def _open_epoch(self) -> None:
        while len(self._stream) < self.steps:  # a new pass through the data when needed
            self._stream += length_batches(self.lengths, self.batch_size, self.rng)
        epoch = shapes_open_from_the_start(self._stream[: self.steps], self._shape)
        self._stream[: self.steps] = epoch

    def on_epoch_end(self):
        if self.rng is not None:  # the next epoch continues the stream of batches
            del self._stream[: self.steps]
            self._open_epoch()

    def __len__(self) -> int:
        return self.steps

    def __getitem__(self, i):
        if not 0 <= i < self.steps:
            raise IndexError(f"TranslationBatches: batch {i} of {self.steps}.")
        return self.batch(self._stream[i])

    def batch(self, rows):
        """The arrays of the pairs ``rows``: ``((source, decoder_inputs), labels)``."""
        source = pad([self.sources[r] for r in rows])
        decoder_inputs, labels = teacher_forcing([self.targets[r] for r in rows])
        return (source, decoder_inputs), labels


# --- models -----------------------------------------------------------------------------------


def translation_model(
    source_vocab_size: int,
    target_vocab_size: int,
    *,
    embedding_dim: int = 256,
    units: int = 256,
    attention: bool = True,
    name: str | None = None,
) -> keras.Model:
    """A GRU encoder-decoder for translation, trained with teacher forcing.

    Encoder: ``Embedding(mask_zero=True)`` -> ``GRU(units)``, giving outputs ``h_1 ... h_S``
    and the final state ``h_S``. Decoder: a ``GRU(units)`` over the embedded previous tokens,
    started from ``s_0 = h_S``, giving ``s_1 ... s_T``. Then, at every target position ``t``:

    ```
    without attention:  o_t = LayerNorm(s_t)                 the source only through h_S
    with attention:     c_t, alpha_t = BahdanauAttention(s_t, h)
                        o_t = LayerNorm(s_t + W_c c_t)       the context, added to the state
    logits_t = W_o o_t + b_o
    ```

    The attention reads the decoder's state after its step, ``s_t`` (where Luong et al. 2015
    put it; Bahdanau et al. 2015 scored ``s_{t-1}`` and fed ``c_t`` into the GRU). So the
    decoder GRU runs over the whole target at once, and the attention for all ``t`` is one
    batched computation; ``benchmarks/translation_output_paths.py`` measures what this layout
    and the layer normalization buy.

    Inputs ``[source_ids (batch, S), decoder_inputs (batch, T)]`` (0 = padding), output logits
    ``(batch, T, target_vocab_size)``. The layers are named (``source_embedding``,
    ``encoder``, ``target_embedding``, ``decoder``, with attention ``attention`` and
    ``context_projection``, then ``output_norm`` and ``logits``) so that :class:`Translator`
    can rebuild the encoder and the one-step decoder from them, also after loading.

    Args:
        source_vocab_size, target_vocab_size: vocabulary sizes (ids), each >= 5.
        embedding_dim: the width of both embeddings.
        units: the GRU state size of encoder and decoder (and the attention's score layer).
        attention: with (``True``) or without additive attention.
        name: the model's name (default ``translation_attention`` / ``translation_plain``).

    Example:

    ```python
    model = translation_model(2_000, 1_500, embedding_dim=32, units=64)
    logits = model([np.array([[7, 8, 3]]), np.array([[2, 9]])])   # (1, 2, 1500)
    ```
    """
    for what, size in (
        ("source_vocab_size", source_vocab_size),
        ("target_vocab_size", target_vocab_size),
    ):
        if isinstance(size, bool) or not isinstance(size, Integral) or size < 5:
            raise ValueError(
                f"translation_model: {what} must be an integer >= 5 (4 special tokens and at "
                f"least one word), got {size!r}."
            )
    embedding_dim = check_units("translation_model embedding", embedding_dim)
    units = check_units("translation_model", units)
    source = keras.Input((None,), dtype="int32", name="source")
    decoder_inputs = keras.Input((None,), dtype="int32", name="decoder_inputs")
    embedded = keras.layers.Embedding(
        source_vocab_size, embedding_dim, mask_zero=True, name="source_embedding"
    )(source)
    h, h_S = keras.layers.GRU(units, return_sequences=True, return_state=True, name="encoder")(
        embedded
    )
    x = keras.layers.Embedding(target_vocab_size, embedding_dim, name="target_embedding")(
        decoder_inputs
    )
    s = keras.layers.GRU(units, return_sequences=True, name="decoder")(x, initial_state=h_S)
    if attention:
        c, _ = BahdanauAttention(units, name="attention")(
            s, h, values_mask=ops.not_equal(source, 0)
        )
        s = keras.layers.Add(name="state_plus_context")(
            [s, keras.layers.Dense(units, name="context_projection")(c)]
        )
    o = keras.layers.LayerNormalization(name="output_norm")(s)
    logits = keras.layers.Dense(target_vocab_size, name="logits")(o)
    default = "translation_attention" if attention else "translation_plain"
    return keras.Model([source, decoder_inputs], logits, name=name or default)


class Translator:
    """The encoder and the one-step decoder of a :func:`translation_model`, for decoding.

    Both are Keras models built from the training model's own layers (shared weights, not
    copies):

    - :attr:`encoder`: ``source_ids -> [h (batch, S, units), h_S (batch, units)]``;
    - :attr:`step_model`: ``[previous_ids (batch,), s_{t-1}, h, source_mask] -> [logits,
      s_t, alpha_t]`` with attention, ``[previous_ids, s_{t-1}] -> [logits, s_t]`` without.

    :meth:`translate`, :meth:`translate_ids` and :meth:`beam_ids` run the encoder once and
    then the decoder one token at a time, carrying its state, for a whole batch of sentences.

    Args:
        model: a model from :func:`translation_model` (trained, or loaded from a ``.keras``
            file).
        source_vocab, target_vocab: the :class:`Vocabulary` objects of its inputs and outputs.
    """

    def __init__(self, model, source_vocab: Vocabulary, target_vocab: Vocabulary):
        names = {layer.name for layer in getattr(model, "layers", [])}
        needed = {
            "source_embedding",
            "encoder",
            "target_embedding",
            "decoder",
            "output_norm",
            "logits",
        }
        if {"attention", "context_projection"} & names:
            needed |= {"attention", "context_projection"}
        if not isinstance(model, keras.Model) or not needed <= names:
            missing = sorted(needed - names) if isinstance(model, keras.Model) else sorted(needed)
            raise TypeError(
                "Translator: model must come from rnn_course.seq2seq.translation_model; "
                f"it lacks the layers {missing}."
            )
        logits, norm = model.get_layer("logits"), model.get_layer("output_norm")
        embedding = model.get_layer("target_embedding")
        if logits.units != len(target_vocab) or embedding.input_dim != len(target_vocab):
            raise ValueError(
                f"Translator: the model predicts {logits.units} target tokens but target_vocab "
                f"has {len(target_vocab)}."
            )
        if model.get_layer("source_embedding").input_dim != len(source_vocab):
            raise ValueError(
                f"Translator: the model reads {model.get_layer('source_embedding').input_dim} "
                f"source tokens but source_vocab has {len(source_vocab)}."
            )
        self.model, self.source_vocab, self.target_vocab = model, source_vocab, target_vocab
        self.attention = "attention" in names
        units = model.get_layer("encoder").units

        source = keras.Input((None,), dtype="int32", name="source")
        embedded = model.get_layer("source_embedding")(source)
        h, h_S = model.get_layer("encoder")(embedded)
        self.encoder = keras.Model(source, [h, h_S], name=f"{model.name}_encoder")

        previous = keras.Input((), dtype="int32", name="previous_ids")
        s_prev = keras.Input((units,), name="state")
        _, s_t = model.get_layer("decoder").cell(embedding(previous), [s_prev])
        s_t = s_t[0] if isinstance(s_t, (list, tuple)) else s_t
        if self.attention:
            h = keras.Input((None, units), name="encoder_outputs")
            mask = keras.Input((None,), dtype="bool", name="source_mask")
            c_t, alpha_t = model.get_layer("attention")(s_t, h, values_mask=mask)
            o_t = norm(s_t + model.get_layer("context_projection")(c_t))
            self.step_model = keras.Model(
                [previous, s_prev, h, mask], [logits(o_t), s_t, alpha_t], name=f"{model.name}_step"
            )
        else:
            self.step_model = keras.Model(
                [previous, s_prev], [logits(norm(s_t)), s_t], name=f"{model.name}_step"
            )

    # -- the pieces -----------------------------------------------------------------------

    def encode(self, source_ids) -> list[np.ndarray]:
        """The decoder's initial states for padded source ids ``(batch, S)``: ``[h_S]``
        without attention, ``[h_S, h, source_mask]`` with it (``h`` and the mask ride along
        as constant states)."""
        source_ids = np.asarray(source_ids, dtype="int32")
        if source_ids.ndim != 2:
            raise ValueError(
                f"Translator.encode: source_ids must be padded ids (batch, S); got shape "
                f"{source_ids.shape}."
            )
        values, state = self.encoder.predict_on_batch(source_ids)
        if not self.attention:
            return [np.asarray(state)]
        return [np.asarray(state), np.asarray(values), source_ids != 0]

    def step(self, previous_ids, states):
        """One decoder step: ``(logits, new_states[, attention weights])``."""
        outputs = self.step_model.predict_on_batch([np.asarray(previous_ids, "int32"), *states])
        if self.attention:
            logits, s_t, alpha = (np.asarray(o) for o in outputs)
            return logits, [s_t, states[1], states[2]], alpha
        logits, s_t = (np.asarray(o) for o in outputs)
        return logits, [s_t]

    # -- whole sentences ------------------------------------------------------------------

    def _source(self, sentences) -> np.ndarray:
        if isinstance(sentences, str):
            sentences = [sentences]
        return pad([self.source_vocab.encode(tokenize(s), end=True) for s in sentences])

    def _parts(self, source_ids, batch_size: int):
        """Slices of ``batch_size`` sentences, each without its all-padding columns, and the
        search's fixed arguments."""
        source_ids = np.asarray(source_ids, dtype="int32")
        ends = {"start_id": self.target_vocab.start_id, "end_id": self.target_vocab.end_id}
        for start in range(0, len(source_ids), batch_size):
            part = source_ids[start : start + batch_size]
            yield self.encode(part[:, : max(1, int((part != 0).sum(axis=1).max()))]), ends

    def translate_ids(self, source_ids, *, max_length=20, batch_size=512, return_weights=False):
        """Greedy decoding of padded source ids; token-id lists (and attention weights)."""
        results, weights = [], []
        for states, ends in self._parts(source_ids, batch_size):
            ids, extra = greedy_search(
                self.step, states, max_length=max_length, return_extra=True, **ends
            )
            results += ids
            weights += [] if extra is None else list(extra)
        return (results, weights) if return_weights else results

    def beam_ids(self, source_ids, *, beam_width=4, alpha=1.0, max_length=20, batch_size=128):
        """Beam-search decoding of padded source ids; token-id lists."""
        results = []
        for states, ends in self._parts(source_ids, batch_size):
            results += beam_search(
                self.step, states, max_length=max_length, beam_width=beam_width, alpha=alpha, **ends
            )
        return results

    def translate(self, sentences, **kwargs) -> list[str]:
        """Greedy translations of source sentences (strings), as detokenized text."""
        ids = self.translate_ids(self._source(sentences), **kwargs)
        return [detokenize(self.target_vocab.decode(row)) for row in ids]


# --- training for a budget, and scores ---------------------------------------------------------


class TimeBudget(keras.callbacks.Callback):
    """Stop ``model.fit`` when the next epoch would overrun a wall-clock training budget.

    Time spent on validation is not counted, nor the first epoch's first batch (tracing). The
    callback records, after every epoch: ``steps`` (training steps so far), ``seconds``
    (training time so far) and ``val_loss`` (if there is validation data).

    Args:
        seconds: the training budget, > 0.
        max_steps: optional; also stop at the end of the epoch in which this many steps are
            done (for a run whose length must not depend on the machine's speed).
    """

    def __init__(self, seconds: float, max_steps: int | None = None):
        super().__init__()
        if isinstance(seconds, bool) or not isinstance(seconds, Real) or not seconds > 0:
            raise ValueError(f"TimeBudget: seconds must be a positive number, got {seconds!r}.")
        if max_steps is not None and (
            isinstance(max_steps, bool) or not isinstance(max_steps, Integral) or max_steps < 1
        ):
            raise ValueError(
                f"TimeBudget: max_steps must be None or an integer >= 1, got {max_steps!r}."
            )
        self.budget = float(seconds)
        self.max_steps = max_steps
        self.steps: list[int] = []
        self.seconds: list[float] = []
        self.val_loss: list[float] = []
        self.trace_seconds = math.nan

    def on_train_begin(self, logs=None):
        self._used, self._step, self._last = 0.0, 0, 0.0
        self._started = None
        self._fit_start = time.perf_counter()

    def on_train_batch_end(self, batch, logs=None):
        self._step += 1
        if self._started is None:  # the first step traces the function: not counted
            self._started = time.perf_counter()
            self.trace_seconds = self._started - self._fit_start

    def on_epoch_begin(self, epoch, logs=None):
        self._epoch_start = time.perf_counter()

    def on_test_begin(self, logs=None):
        self._test_start = time.perf_counter()

    def on_test_end(self, logs=None):
        self._test_seconds = time.perf_counter() - self._test_start

    def on_epoch_end(self, epoch, logs=None):
        spent = time.perf_counter() - max(self._epoch_start, self._started or 0.0)
        spent -= getattr(self, "_test_seconds", 0.0)
        self._test_seconds = 0.0
        self._used += spent
        self.steps.append(self._step)
        self.seconds.append(self._used)
        if logs and "val_loss" in logs:
            self.val_loss.append(float(logs["val_loss"]))
        if self._used + spent > self.budget:
            self.model.stop_training = True
        if self.max_steps is not None and self._step >= self.max_steps:
            self.model.stop_training = True


def corpus_bleu(hypotheses: Sequence[str], references: Sequence[str]) -> float:
    """Corpus BLEU (0-100) of detokenized, lower-cased text, one reference per sentence.

    ``sacrebleu.corpus_bleu(hypotheses, [references])`` with its default ``13a`` tokenizer,
    which splits punctuation off words.
    """
    import sacrebleu

    hypotheses, references = _texts("corpus_bleu", hypotheses, references)
    return float(sacrebleu.corpus_bleu(hypotheses, [references]).score)


def _texts(function: str, hypotheses, references) -> tuple[list[str], list[str]]:
    if isinstance(hypotheses, str) or isinstance(references, str):
        raise TypeError(f"{function}: hypotheses and references must be lists of strings.")
    hypotheses, references = list(hypotheses), list(references)
    if len(hypotheses) != len(references) or not hypotheses:
        raise ValueError(
            f"{function}: one reference per hypothesis, and at least one; got "
            f"{len(hypotheses)} hypotheses and {len(references)} references."
        )
    for name, texts in (("hypotheses", hypotheses), ("references", references)):
        bad = [t for t in texts if not isinstance(t, str)]
        if bad:
            raise TypeError(
                f"{function}: {name} must be strings (detokenized text); got "
                f"{type(bad[0]).__name__}."
            )
    return hypotheses, references


def bleu_by_length(
    hypotheses: Sequence[str],
    references: Sequence[str],
    lengths: Sequence[int],
    buckets: Sequence[tuple[int, int]] = ((1, 5), (6, 10), (11, 15)),
) -> dict[tuple[int, int], tuple[float, int]]:
    """Corpus BLEU of the sentences in each bucket of source length (inclusive bounds).

    Returns:
        ``{(low, high): (bleu, number of sentences)}``; BLEU is NaN for an empty bucket.
    """
    hypotheses, references = _texts("bleu_by_length", hypotheses, references)
    lengths = np.asarray(lengths)
    if lengths.shape != (len(hypotheses),):
        raise ValueError(
            f"bleu_by_length: one source length per hypothesis; got {lengths.size} lengths "
            f"for {len(hypotheses)} hypotheses."
        )
    result = {}
    for low, high in buckets:
        keep = np.flatnonzero((lengths >= low) & (lengths <= high))
        bleu = (
            corpus_bleu([hypotheses[i] for i in keep], [references[i] for i in keep])
            if keep.size
            else math.nan
        )
        result[(low, high)] = (bleu, int(keep.size))
    return result


def masked_loss() -> Callable:
    """Cross-entropy over the target tokens, skipping padding (label 0)."""
    return keras.losses.SparseCategoricalCrossentropy(from_logits=True, ignore_class=0)
