"""Named-entity recognition with a BiLSTM tagger: vocabularies, encoding, the model, decoding.

A sentence is a list of tokens with one IOB2 tag each (``B-PER``, ``I-PER``, ``O``, ...). The
tagger of notebook 08 reads three views of every token:

- its **word id**: the token lower-cased, with every digit written as ``0``
  (:func:`word_key`), looked up in a vocabulary built from the training sentences; id 0 is
  padding and id 1 the unknown word ``<unk>`` (:func:`build_vocabulary`);
- its **characters**: ids of up to ``max_word_length`` characters (0 = padding, 1 = unknown
  character), so that a word never seen in training still carries its spelling;
- its **casing class** (:func:`casing_class`): all lower, all upper, title case, numeric,
  containing a digit, or other, which the lower-cased word id has lost.

:func:`encode` turns sentences into padded arrays of these ids, :func:`ner_tagger` builds the
Keras model (word embedding with ``mask_zero=True``, a character CNN per word
(:class:`CharCNN`), a casing embedding, dropout, a (bi)LSTM and a softmax over the tags per
token), and :func:`decode` maps its outputs back to tag strings with the padding removed.
:func:`entity_spans` reads entities from IOB2 tags as the CoNLL evaluation (and ``seqeval``'s
default mode) does, for showing gold and predicted entities side by side.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from numbers import Integral

import keras
import numpy as np
from keras import ops

from rnn_course.batching import _positive_int as _check_positive_int
from rnn_course.batching import length_batches, shapes_open_from_the_start

__all__ = [
    "CASING_CLASSES",
    "PAD",
    "UNK",
    "WNUT_TO_CONLL",
    "CharCNN",
    "SentenceBatches",
    "TokenFeatures",
    "build_vocabulary",
    "casing_class",
    "decode",
    "encode",
    "entity_spans",
    "length_batches",
    "map_entity_types",
    "ner_tagger",
    "oov_rate",
    "word_key",
]

PAD = "<pad>"
UNK = "<unk>"
CASING_CLASSES = ("<pad>", "lower", "upper", "title", "numeric", "has_digit", "other")
"""Casing classes by id: 0 is padding, so the casing of a real token is never 0."""

WNUT_TO_CONLL = {
    "person": "PER",
    "location": "LOC",
    "corporation": "ORG",
    "group": "ORG",
    "product": "MISC",
    "creative-work": "MISC",
}
"""WNUT-17's six entity types mapped to CoNLL-2003's four (groups such as bands and sports
teams are organisations in CoNLL; products and creative works are miscellaneous names)."""


# --- checks at the boundary -------------------------------------------------------------------


def _check_sentences(function: str, sentences) -> list[list[str]]:
    if isinstance(sentences, str) or not isinstance(sentences, Sequence):
        raise TypeError(
            f"{function}: expected a list of sentences, each a list of token strings; got "
            f"{type(sentences).__name__}."
        )
    result = []
    for index, sentence in enumerate(sentences):
        if isinstance(sentence, str) or not isinstance(sentence, Sequence):
            raise TypeError(
                f"{function}: sentence {index} must be a list of token strings, got "
                f"{type(sentence).__name__} {sentence!r:.60}. (Pass the tokens, not (tokens, tags)"
                " pairs, and not a single sentence.)"
            )
        for token in sentence:
            if not isinstance(token, str):
                raise TypeError(
                    f"{function}: sentence {index} holds {type(token).__name__} {token!r}; "
                    "tokens must be strings."
                )
        result.append(list(sentence))
    return result


def _check_vocabulary(function: str, name: str, vocabulary) -> Mapping[str, int]:
    if not isinstance(vocabulary, Mapping) or vocabulary.get(UNK) != 1 or vocabulary.get(PAD) != 0:
        raise TypeError(
            f"{function}: {name} must be a dict from build_vocabulary (token -> id, with "
            f"{PAD!r} -> 0 and {UNK!r} -> 1); got {type(vocabulary).__name__}."
        )
    return vocabulary


# --- features of a token ----------------------------------------------------------------------


def word_key(token: str) -> str:
    """The form of ``token`` the word vocabulary uses: lower-cased, every digit as ``0``.

    ``"Germany"`` and ``"GERMANY"`` share one embedding, and so do ``"1996"`` and ``"2003"``;
    the casing that lower-casing loses is given to the model by :func:`casing_class`.
    """
    if not isinstance(token, str):
        raise TypeError(f"word_key: token must be a string, got {type(token).__name__}.")
    return "".join("0" if c.isdigit() else c for c in token.lower())


def casing_class(token: str) -> int:
    """The casing class of ``token``, an index into :data:`CASING_CLASSES` (never 0).

    ``lower`` (``"the"``), ``upper`` (``"EU"``), ``title`` (``"Germany"``), ``numeric``
    (only digits, e.g. ``"1996"``), ``has_digit`` (a digit among other characters, ``"3-1"``),
    ``other`` (everything else: punctuation, ``"McDonald"``, ``"iPhone"``).
    """
    if not isinstance(token, str) or not token:
        raise (TypeError if not isinstance(token, str) else ValueError)(
            f"casing_class: token must be a non-empty string, got {token!r}."
        )
    if token.isdigit():
        name = "numeric"
    elif any(c.isdigit() for c in token):
        name = "has_digit"
    elif token.islower():
        name = "lower"
    elif token.isupper():
        name = "upper"
    elif token[0].isupper() and (len(token) == 1 or token[1:].islower()):
        name = "title"
    else:
        name = "other"
    return CASING_CLASSES.index(name)


def build_vocabulary(sequences: Iterable[Iterable[str]], *, min_count: int = 1) -> dict[str, int]:
    """A vocabulary: ``{PAD: 0, UNK: 1}`` then every item seen ``min_count`` times or more.

    Items are ordered by falling count (ties in order of first appearance). Use it for words
    (pass the :func:`word_key` of each token) and for characters (pass the tokens themselves:
    each string is a sequence of characters).
    """
    min_count = _check_positive_int("build_vocabulary", "min_count", min_count)
    if isinstance(sequences, str):
        raise TypeError("build_vocabulary: expected a list of sequences, got one string.")
    counts: Counter[str] = Counter()
    for sequence in sequences:
        if isinstance(sequence, str):
            counts.update(sequence)
            continue
        for item in sequence:
            if not isinstance(item, str):
                raise TypeError(
                    f"build_vocabulary: items must be strings, got {type(item).__name__} {item!r}."
                )
            counts[item] += 1
    vocabulary = {PAD: 0, UNK: 1}
    for item, count in sorted(counts.items(), key=lambda kv: -kv[1]):
        if count >= min_count and item not in vocabulary:
            vocabulary[item] = len(vocabulary)
    return vocabulary


def oov_rate(sentences, vocabulary: Mapping[str, int]) -> float:
    """The share of tokens whose :func:`word_key` is not in ``vocabulary``."""
    sentences = _check_sentences("oov_rate", sentences)
    vocabulary = _check_vocabulary("oov_rate", "vocabulary", vocabulary)
    keys = [word_key(t) for s in sentences for t in s]
    if not keys:
        raise ValueError("oov_rate: the sentences hold no tokens.")
    return float(np.mean([k not in vocabulary for k in keys]))


# --- encoding and decoding --------------------------------------------------------------------


def encode(
    sentences,
    words: Mapping[str, int],
    chars: Mapping[str, int],
    *,
    tags=None,
    tag_ids: Mapping[str, int] | None = None,
    max_word_length: int = 20,
    length: int | None = None,
    word_dropout: float = 0.0,
    rng: np.random.Generator | None = None,
) -> tuple[dict[str, np.ndarray], np.ndarray | None]:
    """Padded arrays of word, character and casing ids for a batch of sentences.

    Args:
        sentences: a list of sentences, each a list of token strings.
        words: the word vocabulary (:func:`build_vocabulary` over :func:`word_key` forms).
        chars: the character vocabulary.
        tags: optional, the tag strings of each sentence (same lengths as the sentences).
        tag_ids: the tag vocabulary, tag -> id (needed with ``tags``).
        max_word_length: characters kept per word (its first ones).
        length: the padded length T; default the longest sentence. Longer sentences are an
            error, not cut.
        word_dropout: the probability of replacing a known word id by ``<unk>`` (for
            training, so the unknown word's embedding learns): one number for every word, or
            an array with one probability per word id (e.g. higher for rare words); 0 for
            evaluation.
        rng: the generator for word dropout.

    Returns:
        ``(x, y)``: ``x`` is a dict with ``"words"`` ``(N, T)``, ``"chars"`` ``(N, T,
        max_word_length)`` and ``"casing"`` ``(N, T)``, all int32 with 0 at padded positions;
        ``y`` is the ``(N, T)`` int32 array of tag ids (0 at padded positions, which the mask
        hides) or None without ``tags``.
    """
    sentences = _check_sentences("encode", sentences)
    words = _check_vocabulary("encode", "words", words)
    chars = _check_vocabulary("encode", "chars", chars)
    max_word_length = _check_positive_int("encode", "max_word_length", max_word_length)
    if not sentences:
        raise ValueError("encode: no sentences to encode.")
    if any(len(s) == 0 for s in sentences):
        raise ValueError("encode: a sentence is empty; every sentence needs at least one token.")
    longest = max(len(s) for s in sentences)
    if length is None:
        length = longest
    length = _check_positive_int("encode", "length", length)
    if length < longest:
        raise ValueError(
            f"encode: length={length} is shorter than the longest sentence ({longest})."
        )
    rates = np.asarray(word_dropout, dtype=float)
    if rates.ndim > 1 or (rates.ndim == 1 and len(rates) != len(words)):
        raise ValueError(
            f"encode: word_dropout must be one number or one per word id ({len(words)}); got "
            f"shape {rates.shape}."
        )
    if not ((rates >= 0) & (rates < 1)).all():
        raise ValueError(f"encode: word_dropout must be in [0, 1), got {word_dropout!r:.60}.")
    if rates.any() and rng is None:
        raise ValueError("encode: word_dropout needs rng, a numpy.random.Generator.")

    n = len(sentences)
    x = {
        "words": np.zeros((n, length), "int32"),
        "chars": np.zeros((n, length, max_word_length), "int32"),
        "casing": np.zeros((n, length), "int32"),
    }
    for i, sentence in enumerate(sentences):
        for t, token in enumerate(sentence):
            x["words"][i, t] = words.get(word_key(token), 1)
            x["casing"][i, t] = casing_class(token) if token else CASING_CLASSES.index("other")
            ids = [chars.get(c, 1) for c in token[:max_word_length]]
            x["chars"][i, t, : len(ids)] = ids
    if rates.any():
        threshold = rates[x["words"]] if rates.ndim else rates
        drop = (rng.random(x["words"].shape) < threshold) & (x["words"] > 1)
        x["words"][drop] = 1
    y = None
    if tags is not None:
        if tag_ids is None:
            raise ValueError("encode: tags need tag_ids, the tag vocabulary (tag -> id).")
        if len(tags) != n:
            raise ValueError(f"encode: {len(tags)} tag sequences for {n} sentences.")
        y = np.zeros((n, length), "int32")
        for i, (sentence, sequence) in enumerate(zip(sentences, tags, strict=True)):
            if len(sequence) != len(sentence):
                raise ValueError(
                    f"encode: sentence {i} has {len(sentence)} tokens but {len(sequence)} tags."
                )
            for t, tag in enumerate(sequence):
                if tag not in tag_ids:
                    raise ValueError(f"encode: unknown tag {tag!r} in sentence {i}.")
                y[i, t] = tag_ids[tag]
    return x, y


def decode(outputs, lengths: Sequence[int], tag_names: Sequence[str]) -> list[list[str]]:
    """Tag strings from the tagger's outputs, padding removed.

    Args:
        outputs: ``(N, T, n_tags)`` probabilities or logits (the arg-max is taken), or
            ``(N, T)`` tag ids.
        lengths: the true length of each sentence (the number of its tokens).
        tag_names: tag id -> tag string.

    Returns:
        One list of ``lengths[i]`` tag strings per sentence.
    """
    outputs = np.asarray(keras.ops.convert_to_numpy(outputs))
    if outputs.ndim == 3:
        outputs = outputs.argmax(axis=-1)
    if outputs.ndim != 2:
        raise ValueError(
            f"decode: outputs must be (N, T, n_tags) scores or (N, T) ids; got shape "
            f"{outputs.shape}."
        )
    lengths = list(lengths)
    if len(lengths) != len(outputs):
        raise ValueError(f"decode: {len(lengths)} lengths for {len(outputs)} sentences.")
    if any(not 0 <= n <= outputs.shape[1] for n in lengths):
        raise ValueError(f"decode: lengths must lie in [0, T={outputs.shape[1]}].")
    if outputs.size and outputs.max() >= len(tag_names):
        raise ValueError(f"decode: a tag id {outputs.max()} has no name among {len(tag_names)}.")
    return [[tag_names[k] for k in row[:n]] for row, n in zip(outputs, lengths, strict=True)]


def entity_spans(tags: Sequence[str]) -> list[tuple[str, int, int]]:
    """The entities in one sentence's IOB tags, as ``(type, start, stop)`` (``stop`` exclusive).

    The CoNLL evaluation's reading (conlleval, and ``seqeval``'s default mode): an entity
    starts at ``B-X``, or at ``I-X`` that does not continue an entity of type ``X``, and runs
    while ``I-X`` follows. So ``O I-PER`` is a PER entity and ``B-PER I-LOC`` two entities.
    """
    if isinstance(tags, str):
        raise TypeError("entity_spans: expected one sentence's list of tags, got one string.")
    spans: list[tuple[str, int, int]] = []
    current: list = []  # [type, start]
    for t, tag in enumerate([*tags, "O"]):
        if not isinstance(tag, str):
            raise TypeError(f"entity_spans: tags must be strings, got {tag!r}.")
        prefix, _, kind = tag.partition("-")
        if tag == "O" or prefix not in ("B", "I") or not kind:
            if tag != "O" and t < len(tags):
                raise ValueError(f"entity_spans: {tag!r} is not an IOB tag (O, B-X or I-X).")
            if current:
                spans.append((current[0], current[1], t))
                current = []
            continue
        if prefix == "B" or not current or current[0] != kind:
            if current:
                spans.append((current[0], current[1], t))
            current = [kind, t]
    return spans


def map_entity_types(tags: Sequence[str], mapping: Mapping[str, str | None]) -> list[str]:
    """Tags with entity types renamed by ``mapping`` (``B-person`` -> ``B-PER``); a type
    mapped to None becomes ``O``. An unmapped type is an error."""
    result = []
    for tag in tags:
        if tag == "O":
            result.append(tag)
            continue
        prefix, _, kind = tag.partition("-")
        if kind not in mapping:
            raise ValueError(f"map_entity_types: no mapping for entity type {kind!r} ({tag!r}).")
        result.append("O" if mapping[kind] is None else f"{prefix}-{mapping[kind]}")
    return result


# --- the model --------------------------------------------------------------------------------


@keras.saving.register_keras_serializable(package="rnn_course")
class CharCNN(keras.layers.Layer):
    """Character features of every word: embed its characters, convolve, max-pool over them.

    For the characters ``c_1 ... c_L`` of one word (ids, 0 = padding),

        e_j = C[c_j],   g_j = tanh(W [e_{j-1}; e_j; e_{j+1}] + b),   f = max_j g_j

    with the maximum over the word's real characters only (Ma and Hovy 2016). A word never
    seen in training still gets features from its spelling: capitals, suffixes such as
    ``-burg`` or ``-ski``, digits and hyphens.

    Args:
        n_chars: the character vocabulary's size (id 0 is padding).
        char_dim: the size of a character embedding.
        filters: the number of features per word.
        width: the convolution's window in characters (odd).

    Input ``(batch, words, chars)`` int ids; output ``(batch, words, filters)``, zeros for a
    word without characters (a padded word).

    Example:
        >>> layer = CharCNN(n_chars=80, char_dim=25, filters=30)
        >>> layer(np.ones((2, 7, 12), "int32")).shape
        (2, 7, 30)
    """

    def __init__(self, n_chars, char_dim=30, filters=50, width=3, **kwargs):
        super().__init__(**kwargs)
        for name, value in (("n_chars", n_chars), ("char_dim", char_dim), ("filters", filters)):
            _check_positive_int("CharCNN", name, value)
        if not isinstance(width, Integral) or width < 1 or width % 2 == 0:
            raise ValueError(f"CharCNN: width must be an odd integer >= 1; got {width!r}.")
        self.n_chars, self.char_dim, self.filters, self.width = n_chars, char_dim, filters, width
        self.embedding = keras.layers.Embedding(
            n_chars, char_dim, name="char_embedding", dtype=self.dtype_policy
        )
        self.conv = keras.layers.Conv1D(
            filters, width, padding="same", name="char_conv", dtype=self.dtype_policy
        )

    def build(self, input_shape):
        if len(input_shape) != 3:
            raise ValueError(
                f"CharCNN expects character ids of shape (batch, words, chars); got "
                f"{tuple(input_shape)}."
            )
        self.embedding.build((None, input_shape[-1]))
        self.conv.build((None, input_shape[-1], self.char_dim))

    def call(self, inputs):
        inputs = ops.cast(inputs, "int32")
        shape = ops.shape(inputs)
        flat = ops.reshape(inputs, (-1, shape[2]))  # (batch * words, chars)
        present = ops.expand_dims(ops.cast(ops.not_equal(flat, 0), self.compute_dtype), -1)
        features = ops.tanh(self.conv(self.embedding(flat) * present))
        features = features * present - (1.0 - present) * 1e4  # padding never wins the max
        word_present = ops.cast(ops.any(ops.not_equal(flat, 0), axis=1), self.compute_dtype)
        pooled = ops.max(features, axis=1) * word_present[:, None]
        return ops.reshape(pooled, (shape[0], shape[1], self.filters))

    def compute_output_shape(self, input_shape):
        return (*input_shape[:2], self.filters)

    def compute_mask(self, inputs, mask=None):
        return None

    def get_config(self):
        config = super().get_config()
        config.update(
            n_chars=self.n_chars, char_dim=self.char_dim, filters=self.filters, width=self.width
        )
        return config


@keras.saving.register_keras_serializable(package="rnn_course")
class TokenFeatures(keras.layers.Layer):
    """Every token's features: ``[E[w_t]; CharCNN(c_t); K[k_t]]``, masked where ``w_t = 0``.

    One layer for the three views of a token (word id, character ids, casing class), so that
    the mask comes from the word ids alone. (Keras's ``Concatenate`` would combine the masks of
    its inputs with a logical *or*, treating an input without a mask as all present: a masked
    word embedding concatenated with unmasked character features would lose its mask.)

    Args:
        n_words, word_dim: the word vocabulary's size (0 = padding) and embedding size.
        n_chars: the character vocabulary's size, or None for no character features.
        char_dim, char_filters, char_width: the :class:`CharCNN`'s sizes.
        casing_dim: the casing embedding's size, or None for no casing feature.

    Input: a dict with ``"words"`` ``(batch, T)``, and ``"chars"`` ``(batch, T, L)`` /
    ``"casing"`` ``(batch, T)`` when used. Output ``(batch, T, features)`` with the mask
    ``words != 0``.
    """

    def __init__(
        self,
        n_words,
        word_dim=100,
        n_chars=None,
        char_dim=30,
        char_filters=50,
        char_width=3,
        casing_dim=8,
        **kwargs,
    ):
        super().__init__(**kwargs)
        _check_positive_int("TokenFeatures", "n_words", n_words)
        _check_positive_int("TokenFeatures", "word_dim", word_dim)
        if casing_dim is not None:
            _check_positive_int("TokenFeatures", "casing_dim", casing_dim)
        self.n_words, self.word_dim, self.n_chars = n_words, word_dim, n_chars
        self.char_dim, self.char_filters, self.char_width = char_dim, char_filters, char_width
        self.casing_dim = casing_dim
        self.word_embedding = keras.layers.Embedding(
            n_words, word_dim, name="word_embedding", dtype=self.dtype_policy
        )
        self.char_cnn = None
        if n_chars is not None:
            self.char_cnn = CharCNN(
                n_chars,
                char_dim,
                char_filters,
                char_width,
                name="char_cnn",
                dtype=self.dtype_policy,
            )
        self.casing_embedding = None
        if casing_dim is not None:
            self.casing_embedding = keras.layers.Embedding(
                len(CASING_CLASSES), casing_dim, name="casing_embedding", dtype=self.dtype_policy
            )
        self.supports_masking = True

    @property
    def input_names(self) -> tuple[str, ...]:
        names = ["words"]
        if self.char_cnn is not None:
            names.append("chars")
        if self.casing_embedding is not None:
            names.append("casing")
        return tuple(names)

    def _check(self, inputs):
        if not isinstance(inputs, Mapping) or set(inputs) != set(self.input_names):
            got = sorted(inputs) if isinstance(inputs, Mapping) else type(inputs).__name__
            raise ValueError(
                f"TokenFeatures expects a dict with keys {list(self.input_names)}; got {got}."
            )

    def build(self, input_shape):
        self._check(input_shape)
        self.word_embedding.build(input_shape["words"])
        if self.char_cnn is not None:
            self.char_cnn.build(input_shape["chars"])
        if self.casing_embedding is not None:
            self.casing_embedding.build(input_shape["casing"])

    def call(self, inputs):
        self._check(inputs)
        features = [self.word_embedding(inputs["words"])]
        if self.char_cnn is not None:
            features.append(self.char_cnn(inputs["chars"]))
        if self.casing_embedding is not None:
            features.append(self.casing_embedding(inputs["casing"]))
        return ops.concatenate(features, axis=-1) if len(features) > 1 else features[0]

    def compute_mask(self, inputs, mask=None):
        return ops.not_equal(inputs["words"], 0)

    @property
    def output_size(self) -> int:
        return (
            self.word_dim
            + (self.char_filters if self.char_cnn is not None else 0)
            + (self.casing_dim if self.casing_embedding is not None else 0)
        )

    def compute_output_shape(self, input_shape):
        return (*tuple(input_shape["words"]), self.output_size)

    def get_config(self):
        config = super().get_config()
        config.update(
            n_words=self.n_words,
            word_dim=self.word_dim,
            n_chars=self.n_chars,
            char_dim=self.char_dim,
            char_filters=self.char_filters,
            char_width=self.char_width,
            casing_dim=self.casing_dim,
        )
        return config


def ner_tagger(
    n_words: int,
    n_tags: int,
    *,
    n_chars: int | None = None,
    word_dim: int = 100,
    char_dim: int = 30,
    char_filters: int = 50,
    casing: bool = True,
    casing_dim: int = 8,
    units: int = 100,
    bidirectional: bool = True,
    dropout: float = 0.5,
    name: str = "ner_tagger",
) -> keras.Model:
    """The BiLSTM tagger: word (+ character, + casing) features -> (bi)LSTM -> tag per token.

    For token t with word id w_t, character ids c_t and casing class k_t:

        x_t = dropout([E[w_t]; CharCNN(c_t); K[k_t]])
        h_t = [LSTM_fwd(x_1..x_t); LSTM_bwd(x_T..x_t)]      (one direction if not bidirectional)
        p(tag_t | sentence) = softmax(W dropout(h_t) + b)

    Padded positions (word id 0) are masked (:class:`TokenFeatures`): the LSTM skips them and
    they count neither in the loss nor in the metrics.

    Args:
        n_words: the word vocabulary's size (0 = padding, 1 = unknown).
        n_tags: the number of tags.
        n_chars: the character vocabulary's size, or None for no character features.
        casing: whether to add the casing embedding (input ``"casing"``).
        bidirectional: a bidirectional LSTM (``units`` per direction) or a forward one.
        dropout: the rate on the token features and on the LSTM's outputs.

    Returns:
        An uncompiled ``keras.Model`` whose inputs are a dict with ``"words"`` ``(batch, T)``
        and, if used, ``"chars"`` ``(batch, T, max_word_length)`` and ``"casing"``
        ``(batch, T)`` (as :func:`encode` returns them); output ``(batch, T, n_tags)``
        probabilities.
    """
    for arg, value in (
        ("n_words", n_words),
        ("n_tags", n_tags),
        ("word_dim", word_dim),
        ("units", units),
    ):
        _check_positive_int("ner_tagger", arg, value)
    if n_words < 3:
        raise ValueError("ner_tagger: n_words must count padding, <unk> and at least one word.")
    if n_chars is not None:
        _check_positive_int("ner_tagger", "n_chars", n_chars)
    if not 0.0 <= dropout < 1.0:
        raise ValueError(f"ner_tagger: dropout must be in [0, 1), got {dropout!r}.")
    features = TokenFeatures(
        n_words,
        word_dim,
        n_chars=n_chars,
        char_dim=char_dim,
        char_filters=char_filters,
        casing_dim=casing_dim if casing else None,
        name="token_features",
    )
    shapes = {"words": (None,), "chars": (None, None), "casing": (None,)}
    inputs = {k: keras.Input(shapes[k], dtype="int32", name=k) for k in features.input_names}
    x = keras.layers.Dropout(dropout, name="dropout_in")(features(inputs))
    lstm = keras.layers.LSTM(units, return_sequences=True, name="lstm")
    if bidirectional:
        lstm = keras.layers.Bidirectional(lstm, name="bilstm")
    x = keras.layers.Dropout(dropout, name="dropout_out")(lstm(x))
    outputs = keras.layers.Dense(n_tags, activation="softmax", name="tags")(x)
    return keras.Model(inputs, outputs, name=name)


class SentenceBatches(keras.utils.PyDataset):
    """Length-bucketed training (or evaluation) batches for ``model.fit`` / ``predict``.

    Each batch is :func:`encode` of sentences of similar length (:func:`length_batches`),
    padded to the batch's longest sentence; with ``rng`` the batches are drawn anew (and words
    dropped to ``<unk>`` anew) every epoch. Without ``rng`` the order is fixed, sorted by
    length: :attr:`order` maps the outputs of ``predict`` back to the sentences. With
    ``length_multiple`` > 1 each batch is padded up to a multiple of it, so that a compiled
    function sees only a few different shapes (fewer retracings when predicting).
    """

    def __init__(
        self,
        sentences,
        words,
        chars,
        *,
        tags=None,
        tag_ids=None,
        batch_size=32,
        rng=None,
        word_dropout=0.0,
        inputs=("words", "chars", "casing"),
        max_word_length=20,
        length_multiple=1,
    ):
        super().__init__()
        self.sentences = _check_sentences("SentenceBatches", sentences)
        self.tags, self.tag_ids, self.words, self.chars = tags, tag_ids, words, chars
        self.batch_size, self.rng, self.word_dropout = batch_size, rng, word_dropout
        self.inputs, self.max_word_length = tuple(inputs), max_word_length
        self.length_multiple = _check_positive_int(
            "SentenceBatches", "length_multiple", length_multiple
        )
        self.lengths = np.array([len(s) for s in self.sentences])
        self.on_epoch_end()
        self.order = np.concatenate(self.batches)

    def on_epoch_end(self):
        batches = length_batches(self.lengths, self.batch_size, self.rng)
        self.batches = shapes_open_from_the_start(batches, lambda rows: (self._width(rows),))

    def _width(self, rows) -> int:
        """The padded length of the batch of sentences ``rows``."""
        multiple = self.length_multiple
        return -(-int(self.lengths[rows].max()) // multiple) * multiple

    def __len__(self):
        return len(self.batches)

    def __getitem__(self, index):
        chosen = self.batches[index]
        x, y = encode(
            [self.sentences[i] for i in chosen],
            self.words,
            self.chars,
            tags=None if self.tags is None else [self.tags[i] for i in chosen],
            tag_ids=self.tag_ids,
            max_word_length=self.max_word_length,
            length=self._width(chosen),
            word_dropout=self.word_dropout,
            rng=self.rng,
        )
        x = {name: x[name] for name in self.inputs}
        return (x,) if y is None else (x, y)
