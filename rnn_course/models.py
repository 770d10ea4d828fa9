"""The course's named models, built from Keras's own layers so that they stay fast.

- :func:`lstm_classifier`: token ids -> embedding -> (bidirectional) LSTM -> the final hidden
  state -> class logits; notebook 07 (sentiment) and the classic PyTorch ``LSTMClassifier``.
- :func:`char_language_model`: token ids -> embedding -> GRU or LSTM layers -> next-token
  logits at every position; notebook 06 (character text generation). Its trained weights
  run one token at a time in :class:`rnn_course.decoding.StatefulGenerator`.

Both are ``keras.Model`` functional models of built-in layers (``keras.layers.LSTM`` and
``keras.layers.GRU`` run on cuDNN on a GPU with the TensorFlow backend), so they compile, train,
save to ``.keras`` files and load again like any Keras model. Both return logits: train them
with a loss built with ``from_logits=True``.
"""

from __future__ import annotations

import keras

from rnn_course.layers._gates import check_rate
from rnn_course.tasks import _positive_int

__all__ = ["CELLS", "char_language_model", "lstm_classifier"]

CELLS = {"gru": keras.layers.GRU, "lstm": keras.layers.LSTM}
"""The recurrent layers :func:`char_language_model` can stack, by the name its ``cell`` takes."""


def _check_flag(function: str, name: str, value) -> bool:
    if not isinstance(value, bool):
        raise TypeError(f"{function}: {name} must be True or False, got {value!r}.")
    return value


def _check_name(function: str, name) -> str:
    if not isinstance(name, str) or not name:
        raise TypeError(f"{function}: name must be a non-empty string, got {name!r}.")
    return name


def lstm_classifier(
    vocab_size,
    embedding_dim,
    hidden_dim,
    output_dim,
    n_layers=1,
    bidirectional=False,
    dropout=0.5,
    *,
    mask_zero=True,
    name="lstm_classifier",
):
    """A sequence classifier: the final hidden state of an LSTM, read by a linear layer.

    ::

        token ids (batch, time)
          -> Embedding(vocab_size, embedding_dim)         id 0 is padding, masked
          -> LSTM(hidden_dim) x n_layers                   (bidirectional: forward and backward)
             with Dropout(dropout) between the layers
          -> h_T, the last layer's final hidden state     (batch, hidden_dim * directions)
          -> Dropout(dropout) -> Dense(output_dim)        logits (batch, output_dim)

    With ``bidirectional=True`` the features are the forward layer's state after the last
    (unpadded) token and the backward layer's state after the *first* token (it reads the
    sentence from the end), side by side: ``[h_fwd, h_bwd]``.

    It is the PyTorch ``LSTMClassifier`` of many tutorials::

        # __init__
        self.embedding = nn.Embedding(vocab_size, embedding_dim, padding_idx=0)
        self.rnn = nn.LSTM(embedding_dim, hidden_dim, num_layers=n_layers,
                           bidirectional=bidirectional, dropout=dropout, batch_first=True)
        self.fc = nn.Linear(hidden_dim * directions, output_dim)
        self.dropout = nn.Dropout(dropout)
        # forward(text, lengths)
        packed = nn.utils.rnn.pack_padded_sequence(self.embedding(text), lengths,
                                                   batch_first=True, enforce_sorted=False)
        _, (hidden, cell) = self.rnn(packed)
        hidden = torch.cat((hidden[-2], hidden[-1]), dim=1) if bidirectional else hidden[-1]
        return self.fc(self.dropout(hidden))

    Here the mask (``mask_zero=True``) does what ``pack_padded_sequence`` does there: the
    padding ids (0) after a sentence leave every state, and so the prediction, unchanged. Pad
    on the right (the cuDNN kernels need right padding). One difference in size: PyTorch's LSTM
    has two bias vectors per layer and direction (``b_ih`` and ``b_hh``), Keras's one, so this
    model has ``4 * hidden_dim`` fewer parameters per layer and direction.

    Args:
        vocab_size: number of token ids, a positive integer (ids are ``0 ... vocab_size - 1``).
        embedding_dim: size of each token's embedding vector.
        hidden_dim: ``units`` of each LSTM (per direction).
        output_dim: number of logits: the number of classes (1 for a binary classifier
            trained with ``binary_crossentropy(from_logits=True)``).
        n_layers: number of stacked (bi)LSTM layers, a positive integer.
        bidirectional: read each sentence both ways.
        dropout: the rate of the dropout between LSTM layers and before the output layer, in
            ``[0, 1)``.
        mask_zero: treat id 0 as padding (default ``True``).
        name: the model's name.

    Returns:
        A ``keras.Model`` from int token ids ``(batch, time)`` to logits
        ``(batch, output_dim)``. Its layers are named ``embedding``, ``lstm_0`` ...
        (``keras.layers.Bidirectional`` when bidirectional), ``dropout_0`` ... between them,
        ``head_dropout`` and ``logits``.

    Example:

    ```python
    model = lstm_classifier(10_000, 100, 256, 3, n_layers=2, bidirectional=True)
    ids = np.random.randint(1, 10_000, size=(5, 10))   # 5 sentences of 10 token ids
    model(ids).shape                                   # (5, 3)
    model.compile("adam", keras.losses.SparseCategoricalCrossentropy(from_logits=True))
    ```
    """
    function = "lstm_classifier"
    vocab_size = _positive_int(function, "vocab_size", vocab_size, 1)
    embedding_dim = _positive_int(function, "embedding_dim", embedding_dim, 1)
    hidden_dim = _positive_int(function, "hidden_dim", hidden_dim, 1)
    output_dim = _positive_int(function, "output_dim", output_dim, 1)
    n_layers = _positive_int(function, "n_layers", n_layers, 1)
    bidirectional = _check_flag(function, "bidirectional", bidirectional)
    dropout = check_rate(function, "dropout", dropout)
    mask_zero = _check_flag(function, "mask_zero", mask_zero)
    name = _check_name(function, name)
    if mask_zero and vocab_size < 2:
        raise ValueError(
            f"{function}: with mask_zero=True id 0 is padding, so vocab_size must be at least 2 "
            f"(padding and one token), got {vocab_size}."
        )

    ids = keras.Input((None,), dtype="int32", name="token_ids")
    x = keras.layers.Embedding(vocab_size, embedding_dim, mask_zero=mask_zero, name="embedding")(
        ids
    )
    for index in range(n_layers):
        last = index == n_layers - 1
        layer_name = f"lstm_{index}"
        lstm = keras.layers.LSTM(hidden_dim, return_sequences=not last, name=layer_name)
        if bidirectional:
            lstm = keras.layers.Bidirectional(lstm, name=layer_name)
        x = lstm(x)
        if not last:
            x = keras.layers.Dropout(dropout, name=f"dropout_{index}")(x)
    x = keras.layers.Dropout(dropout, name="head_dropout")(x)
    logits = keras.layers.Dense(output_dim, name="logits")(x)
    return keras.Model(ids, logits, name=name)


def char_language_model(
    vocab_size,
    embedding_dim,
    units,
    *,
    cell="gru",
    n_layers=1,
    dropout=0.0,
    name="char_language_model",
):
    """A language model: at every position, logits of the next token.

    ::

        token ids (batch, time)
          -> Embedding(vocab_size, embedding_dim)
          -> [GRU or LSTM(units, return_sequences=True) -> Dropout(dropout)] x n_layers
          -> Dense(vocab_size)                            logits (batch, time, vocab_size)

    Trained on ``ids[:, :-1] -> ids[:, 1:]`` with
    ``keras.losses.SparseCategoricalCrossentropy(from_logits=True)``, its logits at position
    ``t`` score the token at ``t + 1`` given the tokens ``0 ... t``. There is no padding
    mask: every id, 0 included, is a token.

    This model reads whole sequences from a zero state, as training needs. To generate text,
    :class:`rnn_course.decoding.StatefulGenerator` wraps the same layers (the same weights) in
    a model that also takes and returns the recurrent states, so that each new token costs one
    step instead of a pass over the whole text so far.

    Args:
        vocab_size: number of token ids (characters), a positive integer.
        embedding_dim: size of each token's embedding vector.
        units: ``units`` of each recurrent layer.
        cell: ``"gru"`` (``keras.layers.GRU``, the default) or ``"lstm"``
            (``keras.layers.LSTM``).
        n_layers: number of stacked recurrent layers, a positive integer.
        dropout: the rate of the dropout after each recurrent layer, in ``[0, 1)``; default 0
            (no dropout layers).
        name: the model's name.

    Returns:
        A ``keras.Model`` from int token ids ``(batch, time)`` to logits
        ``(batch, time, vocab_size)``, with layers named ``embedding``, ``rnn_0`` ...,
        ``dropout_0`` ... (when ``dropout > 0``) and ``logits``.

    Example:

    ```python
    model = char_language_model(len(vocab), 64, 256, cell="lstm", n_layers=2, dropout=0.2)
    model.compile("adam", keras.losses.SparseCategoricalCrossentropy(from_logits=True))
    model.fit(ids[:, :-1], ids[:, 1:], epochs=10)
    text_ids = StatefulGenerator(model).generate(prompt_ids, 200, temperature=0.8, seed=0)
    ```
    """
    function = "char_language_model"
    vocab_size = _positive_int(function, "vocab_size", vocab_size, 1)
    embedding_dim = _positive_int(function, "embedding_dim", embedding_dim, 1)
    units = _positive_int(function, "units", units, 1)
    n_layers = _positive_int(function, "n_layers", n_layers, 1)
    dropout = check_rate(function, "dropout", dropout)
    name = _check_name(function, name)
    if not isinstance(cell, str):
        raise TypeError(
            f"{function}: cell must be one of {sorted(CELLS)} (a string), got {cell!r}."
        )
    if cell.lower() not in CELLS:
        raise ValueError(f"{function}: cell must be one of {sorted(CELLS)}, got {cell!r}.")
    layer_class = CELLS[cell.lower()]

    ids = keras.Input((None,), dtype="int32", name="token_ids")
    x = keras.layers.Embedding(vocab_size, embedding_dim, name="embedding")(ids)
    for index in range(n_layers):
        x = layer_class(units, return_sequences=True, name=f"rnn_{index}")(x)
        if dropout:
            x = keras.layers.Dropout(dropout, name=f"dropout_{index}")(x)
    logits = keras.layers.Dense(vocab_size, name="logits")(x)
    return keras.Model(ids, logits, name=name)
