"""Turning a model's logits into tokens: sampling, greedy decoding, stateful generation.

- :func:`softmax`, :func:`sample_next`, :func:`greedy`: one next token from logits, in NumPy.
  ``temperature`` divides the logits before the softmax (below 1: sharper, above 1: flatter;
  0: always the most likely token); ``top_k`` keeps only the ``k`` most likely tokens.
- :class:`StatefulGenerator`: text from a trained
  :func:`rnn_course.models.char_language_model`, carrying the recurrent state from one token
  to the next instead of running the model again over the whole text so far.
- :func:`per_token_loss`: the cross-entropy of each token of a held-out passage, in nats
  (which characters the model finds hard).
- :func:`greedy_search`, :func:`beam_search`: whole output sequences from any one-step model
  ``step(previous_ids, states) -> (logits, states)`` (a decoder), carrying its states from one
  token to the next, for a batch of inputs at once; :func:`length_normalized` is the score beam
  search ranks its finished hypotheses by.
"""

from __future__ import annotations

import math
from numbers import Integral, Real

import keras
import numpy as np

from rnn_course.tasks import _generator, _positive_int

__all__ = [
    "StatefulGenerator",
    "beam_search",
    "greedy",
    "greedy_search",
    "length_normalized",
    "per_token_loss",
    "sample_next",
    "softmax",
]


# --- one token from logits ------------------------------------------------------------------


def _check_temperature(function: str, temperature) -> float:
    if isinstance(temperature, (bool, np.bool_)) or not isinstance(temperature, Real):
        raise TypeError(
            f"{function}: temperature must be a number >= 0 (0 = greedy), got {temperature!r}."
        )
    if not (math.isfinite(temperature) and temperature >= 0):
        raise ValueError(
            f"{function}: temperature must be a finite number >= 0 (0 = greedy), got "
            f"{temperature!r}."
        )
    return float(temperature)


def _check_top_k(function: str, top_k) -> int | None:
    if top_k is None:
        return None
    return _positive_int(function, "top_k", top_k, 1)


def _check_logits(function: str, logits) -> np.ndarray:
    """Logits as a float64 array of shape (vocab,) or (batch, vocab)."""
    try:
        array = np.asarray(keras.ops.convert_to_numpy(logits))
    except (TypeError, ValueError):
        array = None
    if array is None or array.dtype.kind not in "fiu" or array.dtype == bool:
        described = type(logits).__name__ if array is None else f"dtype {array.dtype}"
        raise TypeError(
            f"{function}: logits must be an array of numbers of shape (vocab,) or "
            f"(batch, vocab), got {described}."
        )
    if array.ndim not in (1, 2) or array.shape[-1] == 0:
        raise ValueError(
            f"{function}: logits must have shape (vocab,) or (batch, vocab) with vocab >= 1, "
            f"got shape {array.shape}."
        )
    array = array.astype("float64")
    if np.isnan(array).any() or np.isposinf(array).any():
        raise ValueError(
            f"{function}: logits hold NaN or +inf values, so they give no distribution "
            "(did training diverge?)."
        )
    if np.isneginf(array).all(axis=-1).any():
        raise ValueError(f"{function}: every logit of a row is -inf, so no token can be chosen.")
    return array


def _rng(function: str, rng) -> np.random.Generator:
    if isinstance(rng, np.random.Generator):
        return rng
    if isinstance(rng, (bool, np.bool_)) or not isinstance(rng, Integral) or rng < 0:
        raise TypeError(
            f"{function}: rng must be a numpy.random.Generator (or a non-negative int seed), "
            f"got {rng!r}."
        )
    return np.random.default_rng(int(rng))


def _softmax(logits: np.ndarray, temperature: float) -> np.ndarray:
    z = logits / temperature
    z = z - z.max(axis=-1, keepdims=True)  # the largest is exp(0) = 1: nothing overflows
    p = np.exp(z)
    return p / p.sum(axis=-1, keepdims=True)


def _keep_top_k(logits: np.ndarray, k: int) -> np.ndarray:
    """Logits with all but the ``k`` largest of each row set to -inf (ties: lower ids first)."""
    if k >= logits.shape[-1]:
        return logits
    order = np.argsort(-logits, axis=-1, kind="stable")
    kept = np.full_like(logits, -np.inf)
    rows = np.arange(logits.shape[0])[:, None]
    kept[rows, order[:, :k]] = logits[rows, order[:, :k]]
    return kept


def softmax(logits, *, temperature=1.0) -> np.ndarray:
    """``exp(z_i / T) / sum_j exp(z_j / T)`` over the last axis, computed without overflow.

    Args:
        logits: shape ``(vocab,)`` or ``(batch, vocab)``.
        temperature: ``T > 0``.

    Returns:
        float64 probabilities of the same shape, each row summing to 1.
    """
    array = _check_logits("softmax", logits)
    temperature = _check_temperature("softmax", temperature)
    if temperature == 0:
        raise ValueError(
            "softmax: temperature must be > 0; at 0 the distribution is all on the largest "
            "logit (use greedy)."
        )
    return _softmax(array, temperature)


def sample_next(logits, *, temperature=1.0, top_k=None, rng=None):
    """Draw the next token from ``softmax(logits / temperature)``, optionally from the top ``k``.

    Args:
        logits: the model's logits for the next token, shape ``(vocab,)`` or
            ``(batch, vocab)`` (NumPy or a backend tensor).
        temperature: a number ``>= 0``. ``0`` is greedy decoding: the most likely token (the
            lowest id among equals), with no randomness.
        top_k: ``None`` (every token) or a positive integer: sample only among the ``k``
            largest logits (``top_k=1`` is greedy).
        rng: a ``numpy.random.Generator`` (or an int seed), needed when sampling.

    Returns:
        An ``int`` for logits of shape ``(vocab,)``, an int64 array ``(batch,)`` otherwise.

    Example:

    ```python
    rng = np.random.default_rng(0)
    sample_next([2.0, 1.0, 0.1], temperature=0.5, rng=rng)  # mostly 0
    sample_next([2.0, 1.0, 0.1], temperature=0)             # 0: greedy
    ```
    """
    function = "sample_next"
    array = _check_logits(function, logits)
    temperature = _check_temperature(function, temperature)
    top_k = _check_top_k(function, top_k)
    rows = array.reshape(-1, array.shape[-1])
    if temperature == 0 or top_k == 1:
        chosen = np.argmax(rows, axis=-1)
    else:
        if rng is None:
            raise TypeError(
                f"{function}: sampling (temperature > 0) needs rng, a numpy.random.Generator "
                "such as np.random.default_rng(0); got None."
            )
        rng = _rng(function, rng)
        if top_k is not None:
            rows = _keep_top_k(rows, top_k)
        p = _softmax(rows, temperature)
        cdf = np.cumsum(p, axis=-1)
        u = 1.0 - rng.random(len(rows))  # in (0, 1]: a token of probability 0 is never drawn
        chosen = np.sum(cdf < u[:, None] * cdf[:, -1:], axis=-1)
        chosen = np.minimum(chosen, rows.shape[-1] - 1)
    chosen = chosen.astype("int64")
    return int(chosen[0]) if array.ndim == 1 else chosen


def greedy(logits):
    """The most likely next token: ``sample_next(logits, temperature=0)``."""
    return sample_next(logits, temperature=0)


# --- stateful generation ----------------------------------------------------------------------


def _check_ids(function: str, name: str, ids, vocab_size: int, min_length: int) -> np.ndarray:
    """Token ids as an int32 array of shape (time,) or (batch, time)."""
    try:
        array = np.asarray(keras.ops.convert_to_numpy(ids) if hasattr(ids, "shape") else ids)
    except (TypeError, ValueError):  # a ragged list, or no array at all
        array = np.asarray(None)
    if array.dtype.kind not in "iu" and not (array.size == 0 and array.dtype.kind == "f"):
        raise TypeError(
            f"{function}: {name} must be integer token ids of shape (time,) or (batch, time), "
            f"got dtype {array.dtype}."
        )
    if array.ndim not in (1, 2) or array.shape[-1] < min_length:
        raise ValueError(
            f"{function}: {name} must have shape (time,) or (batch, time) with at least "
            f"{min_length} token(s), got shape {array.shape}."
        )
    if array.size and (array.min() < 0 or array.max() >= vocab_size):
        bad = array[(array < 0) | (array >= vocab_size)].flat[0]
        raise ValueError(
            f"{function}: {name} must be ids in 0 ... {vocab_size - 1} (the model's vocab_size "
            f"is {vocab_size}), got {int(bad)}."
        )
    return array.astype("int32")


def _recurrent_layers(model) -> tuple:
    """The embedding, recurrent layers and output layer of a char_language_model."""
    expected = (
        "a model built by rnn_course.char_language_model (Embedding, GRU or LSTM layers with "
        "return_sequences=True, optional Dropout, a final Dense)"
    )
    if not isinstance(model, keras.Model):
        raise TypeError(f"StatefulGenerator: model must be {expected}; got {type(model).__name__}.")
    layers = [layer for layer in model.layers if not isinstance(layer, keras.layers.InputLayer)]
    kinds = (keras.layers.GRU, keras.layers.LSTM, keras.layers.SimpleRNN)
    body = [layer for layer in layers[1:-1] if not isinstance(layer, keras.layers.Dropout)]
    problem = None
    bidirectional = [x.name for x in layers if isinstance(x, keras.layers.Bidirectional)]
    if bidirectional:
        problem = (
            f"its layer {bidirectional[0]} is Bidirectional, and a bidirectional layer cannot "
            "generate: it reads the text that is still to come"
        )
    elif len(layers) < 3 or not isinstance(layers[0], keras.layers.Embedding):
        problem = "its first layer is not an Embedding"
    elif not isinstance(layers[-1], keras.layers.Dense):
        problem = f"its last layer, {layers[-1].name}, is not a Dense"
    elif not body:
        problem = "it has no recurrent layer"
    else:
        for layer in body:
            if not isinstance(layer, kinds):
                problem = f"its layer {layer.name} is a {type(layer).__name__}"
                break
            if not layer.return_sequences or layer.return_state or layer.go_backwards:
                problem = f"its layer {layer.name} does not return its output sequence forwards"
                break
    if problem is not None:
        raise ValueError(f"StatefulGenerator: model must be {expected}; {problem}.")
    if not model.built:
        raise ValueError("StatefulGenerator: build or train the model first.")
    return layers[0], body, layers[-1]


class StatefulGenerator:
    """Generate tokens from a trained language model, one step per token.

    A model trained on whole sequences starts from a zero state at every call, so sampling
    with it directly means running it over the whole text so far for every new token. This
    class builds a second model, :attr:`step_model`, from the *same layers and weights* (the
    embedding and output layers themselves, and each recurrent layer's cell), that also takes
    the recurrent states and returns the new ones::

        step_model([ids, *states]) -> [logits of the last position, *new_states]

    so generation feeds the prompt once and then one token at a time. Dropout is left out (it
    is off at inference anyway). Training the model further updates the generator too.

    The states are one ``(batch, units)`` array per GRU layer and two (``h`` and ``c``) per
    LSTM layer, in layer order; :attr:`state_names` names them.

    Args:
        model: a built ``keras.Model`` from :func:`rnn_course.models.char_language_model` (or
            of the same structure: Embedding, then ``keras.layers.GRU``/``LSTM``/``SimpleRNN``
            layers with ``return_sequences=True`` and optional Dropout, then a Dense giving
            logits).

    Example:

    ```python
    generator = StatefulGenerator(model)
    ids = generator.generate(encode("ROMEO:"), 300, temperature=0.8, seed=0)
    print(decode(ids))
    generator.next_distribution(encode("ROMEO"))  # P(next character), shape (vocab,)
    ```
    """

    def __init__(self, model):
        embedding, recurrent, dense = _recurrent_layers(model)
        self.model = model
        self.vocab_size = int(dense.units)
        ids = keras.Input((None,), dtype="int32", name="token_ids")
        x = embedding(ids)
        state_inputs, state_outputs, names, sizes = [], [], [], []
        for index, layer in enumerate(recurrent):
            layer_sizes = [int(s) for s in keras.tree.flatten(layer.cell.state_size)]
            labels = ("h", "c") if len(layer_sizes) == 2 else ("h",) * len(layer_sizes)
            inputs = [
                keras.Input((size,), name=f"{layer.name}_{label}")
                for label, size in zip(labels, layer_sizes, strict=True)
            ]
            step = keras.layers.RNN(
                layer.cell,  # the trained cell itself: its weights are shared, not copied
                return_sequences=index < len(recurrent) - 1,
                return_state=True,
                name=f"{layer.name}_step",
            )
            x, *states = step(x, initial_state=inputs)
            state_inputs += inputs
            state_outputs += states
            names += [f"{layer.name}.{label}" for label in labels]
            sizes += layer_sizes
        logits = dense(x)
        self.step_model = keras.Model(
            [ids, *state_inputs], [logits, *state_outputs], name=f"{model.name}_step"
        )
        self.state_names = tuple(names)
        self.state_sizes = tuple(sizes)

    def initial_state(self, batch_size=1) -> list[np.ndarray]:
        """Zero states for ``batch_size`` sequences, as the training model starts from."""
        batch_size = _positive_int("StatefulGenerator.initial_state", "batch_size", batch_size, 1)
        return [np.zeros((batch_size, size), "float32") for size in self.state_sizes]

    def step(self, ids, states=None):
        """Run the model over ``ids`` from ``states``; return the last logits and new states.

        Args:
            ids: token ids of shape ``(time,)`` (one sequence) or ``(batch, time)``; the
                prompt, or the one token just chosen.
            states: the states returned by the previous call, or ``None`` for zero states.

        Returns:
            ``(logits, states)``: NumPy logits of the token after ``ids``, shape ``(vocab,)``
            for one sequence and ``(batch, vocab)`` otherwise, and the list of new states.
        """
        array = _check_ids("StatefulGenerator.step", "ids", ids, self.vocab_size, 1)
        batch = array.reshape(-1, array.shape[-1])
        if states is None:
            states = self.initial_state(len(batch))
        states = self._check_states(states, len(batch))
        logits, new_states = self._run(batch, states)
        return (logits[0] if array.ndim == 1 else logits), new_states

    def next_distribution(self, prompt_ids, *, temperature=1.0) -> np.ndarray:
        """``P(next token | prompt)``: the softmax of the logits after the prompt.

        The prompt is read once from zero states. Shape ``(vocab,)`` for a prompt of shape
        ``(time,)``, ``(batch, vocab)`` for ``(batch, time)``; float64, rows summing to 1.
        """
        logits, _ = self.step(prompt_ids)
        return softmax(logits, temperature=temperature)

    def generate(self, prompt_ids, n, *, temperature=1.0, top_k=None, seed=None) -> np.ndarray:
        """The next ``n`` tokens after the prompt, drawn one at a time with :func:`sample_next`.

        The prompt runs through the model once; after that each chosen token runs one step
        from the carried states.

        Args:
            prompt_ids: at least one token id, shape ``(time,)`` or ``(batch, time)``.
            n: how many tokens to generate, an integer ``>= 0``.
            temperature, top_k: as in :func:`sample_next` (``temperature=0``: greedy).
            seed: an int (the same text every time), a ``numpy.random.Generator``, or ``None``
                (fresh randomness).

        Returns:
            int64 ids, shape ``(n,)`` for one prompt, ``(batch, n)`` for a batch of prompts:
            the new tokens only, without the prompt.
        """
        function = "StatefulGenerator.generate"
        n = _positive_int(function, "n", n, 0)
        temperature = _check_temperature(function, temperature)
        top_k = _check_top_k(function, top_k)
        rng = np.random.default_rng() if seed is None else _generator(function, seed)
        prompt = _check_ids(function, "prompt_ids", prompt_ids, self.vocab_size, 1)
        batch = prompt.reshape(-1, prompt.shape[-1])
        tokens = np.zeros((len(batch), n), "int64")
        if n:
            logits, states = self._run(batch, self.initial_state(len(batch)))
            for t in range(n):
                tokens[:, t] = sample_next(logits, temperature=temperature, top_k=top_k, rng=rng)
                if t + 1 < n:
                    logits, states = self._run(tokens[:, t : t + 1].astype("int32"), states)
        return tokens[0] if prompt.ndim == 1 else tokens

    def _run(self, ids: np.ndarray, states: list) -> tuple[np.ndarray, list[np.ndarray]]:
        """One call of the step model: ``ids`` (batch, time) int32 from ``states``.

        ``predict_on_batch`` runs a compiled function (``tf.function`` / ``jax.jit``): about
        2 ms a token on a CPU, where an eager call of the functional model takes 10 or more.
        """
        logits, *new_states = self.step_model.predict_on_batch([ids, *states])
        return np.asarray(logits), [np.asarray(s) for s in new_states]

    def _check_states(self, states, batch: int) -> list:
        function = "StatefulGenerator.step"
        wanted = ", ".join(
            f"{name} ({batch}, {size})"
            for name, size in zip(self.state_names, self.state_sizes, strict=True)
        )
        if not isinstance(states, (list, tuple)) or len(states) != len(self.state_sizes):
            got = (
                f"{len(states)} state(s)"
                if isinstance(states, (list, tuple))
                else type(states).__name__
            )
            raise ValueError(
                f"{function}: states must be the list returned by the previous step: "
                f"{len(self.state_sizes)} array(s), {wanted}; got {got}."
            )
        checked = []
        for name, size, state in zip(self.state_names, self.state_sizes, states, strict=True):
            shape = tuple(getattr(state, "shape", np.shape(state)))
            if shape != (batch, size):
                raise ValueError(
                    f"{function}: state {name} must have shape ({batch}, {size}), one row per "
                    f"sequence of ids; got shape {shape}."
                )
            checked.append(state)
        return checked


# --- how hard each token is ---------------------------------------------------------------------


def per_token_loss(model, ids) -> np.ndarray:
    """The cross-entropy, in nats, of each token of a passage given the tokens before it.

    Runs ``model`` (inference mode) on ``ids[..., :-1]``; entry ``t`` of the result is
    ``-log P(ids[t + 1] | ids[0 ... t])``. Its mean is the passage's loss, as
    ``SparseCategoricalCrossentropy(from_logits=True)`` computes it; ``exp`` of the mean is the
    perplexity.

    Args:
        model: a language model returning logits ``(batch, time, vocab)``, such as
            :func:`rnn_course.models.char_language_model`.
        ids: at least two token ids, shape ``(time,)`` or ``(batch, time)``.

    Returns:
        float64 losses of shape ``(time - 1,)`` or ``(batch, time - 1)``: one for each token
        after the first.
    """
    function = "per_token_loss"
    if not callable(model) or not isinstance(model, keras.Layer):
        raise TypeError(
            f"{function}: model must be a Keras model returning logits (batch, time, vocab), "
            f"got {type(model).__name__}."
        )
    shape = getattr(model, "output_shape", None)
    if shape is not None and len(shape) != 3:
        raise ValueError(
            f"{function}: model must return logits of shape (batch, time, vocab), one row per "
            f"position, as a language model does; this one returns shape {tuple(shape)}."
        )
    vocab = shape[-1] if shape is not None and isinstance(shape[-1], Integral) else 2**31 - 1
    array = _check_ids(function, "ids", ids, vocab, 2)
    batch = array.reshape(-1, array.shape[-1])
    logits = np.asarray(keras.ops.convert_to_numpy(model(batch[:, :-1], training=False)))
    if logits.ndim != 3 or logits.shape[:2] != batch[:, :-1].shape:
        raise ValueError(
            f"{function}: model must return logits of shape (batch, time, vocab), one row per "
            f"position; for ids of shape {batch[:, :-1].shape} it returned shape {logits.shape}."
        )
    targets = batch[:, 1:]
    if targets.max() >= logits.shape[-1]:
        raise ValueError(
            f"{function}: ids must be below the model's vocab size {logits.shape[-1]}, got "
            f"{int(targets.max())}."
        )
    z = logits.astype("float64")
    z = z - z.max(axis=-1, keepdims=True)
    log_p = z - np.log(np.exp(z).sum(axis=-1, keepdims=True))
    losses = -np.take_along_axis(log_p, targets[..., None], axis=-1)[..., 0]
    return losses[0] if array.ndim == 1 else losses


# --- whole sequences from a one-step decoder ------------------------------------------------


def _check_search_args(function, step, states, start_id, end_id, max_length) -> tuple:
    if not callable(step):
        raise TypeError(
            f"{function}: step must be a function step(previous_ids, states) -> (logits, "
            f"states); got {type(step).__name__}."
        )
    if not isinstance(states, (list, tuple)) or not states:
        raise TypeError(
            f"{function}: states must be a non-empty list of arrays, one row per sequence (the "
            f"decoder's initial states); got {type(states).__name__}."
        )
    states = [np.asarray(keras.ops.convert_to_numpy(s)) for s in states]
    batch = states[0].shape[0] if states[0].ndim else 0
    for index, state in enumerate(states):
        if state.ndim == 0 or state.shape[0] != batch:
            raise ValueError(
                f"{function}: every state must have one row per sequence ({batch} rows, as the "
                f"first); state {index} has shape {state.shape}."
            )
    if batch == 0:
        raise ValueError(f"{function}: states hold no sequence (batch size 0).")
    start_id = _positive_int(function, "start_id", start_id, 0)
    end_id = _positive_int(function, "end_id", end_id, 0)
    max_length = _positive_int(function, "max_length", max_length, 1)
    return states, batch, start_id, end_id, max_length


def _step_logits(function, step, ids, states, batch) -> tuple[np.ndarray, list, object]:
    result = step(ids, states)
    if not isinstance(result, (tuple, list)) or len(result) not in (2, 3):
        raise TypeError(
            f"{function}: step must return (logits, states) or (logits, states, extra); got "
            f"{type(result).__name__}."
        )
    logits, new_states, *extra = result
    logits = _check_logits(function, logits)
    if logits.ndim != 2 or logits.shape[0] != batch:
        raise ValueError(
            f"{function}: step must return logits of shape (batch, vocab) = ({batch}, vocab); "
            f"got shape {logits.shape}."
        )
    return logits, [np.asarray(keras.ops.convert_to_numpy(s)) for s in new_states], extra


def _trim(tokens: np.ndarray, end_id: int) -> list[list[int]]:
    """Each row up to (not including) its first ``end_id``."""
    out = []
    for row in tokens:
        ends = np.flatnonzero(row == end_id)
        out.append([int(t) for t in row[: ends[0] if ends.size else len(row)]])
    return out


def greedy_search(step, states, *, start_id, end_id, max_length, return_extra=False):
    """The most likely token at every step, for a batch of sequences, one step at a time.

    Starting from ``start_id`` and the given states, each step feeds the tokens chosen at the
    previous step and the states the decoder returned, so the prefix is never read again. A
    sequence is finished when it emits ``end_id``; the search stops when all are finished or
    after ``max_length`` tokens.

    Args:
        step: ``step(previous_ids, states) -> (logits, new_states)`` or ``(logits,
            new_states, extra)``: ``previous_ids`` int32 ``(batch,)``, ``logits`` ``(batch,
            vocab)``, states a list of arrays with one row per sequence (constant inputs such
            as encoder outputs may ride along as states and come back unchanged).
        states: the initial states, a list of arrays ``(batch, ...)``.
        start_id, end_id: the ids that start and end a sequence.
        max_length: the most tokens generated per sequence (the end token counts).
        return_extra: also return ``extra`` of each step, stacked on axis 1 (for example the
            attention weights, ``(batch, steps, source_length)``).

    Returns:
        A list of token-id lists, one per sequence, without the start and end tokens (and the
        stacked extras when ``return_extra``).
    """
    function = "greedy_search"
    states, batch, start_id, end_id, max_length = _check_search_args(
        function, step, states, start_id, end_id, max_length
    )
    previous = np.full(batch, start_id, "int32")
    tokens = np.full((batch, max_length), end_id, "int64")
    finished = np.zeros(batch, bool)
    extras = []
    for t in range(max_length):
        logits, states, extra = _step_logits(function, step, previous, states, batch)
        chosen = np.where(finished, end_id, np.argmax(logits, axis=-1))
        tokens[:, t] = chosen
        if return_extra:
            extras.append(np.asarray(keras.ops.convert_to_numpy(extra[0])) if extra else None)
        finished |= chosen == end_id
        if finished.all():
            break
        previous = chosen.astype("int32")
    result = _trim(tokens, end_id)
    if not return_extra:
        return result
    stacked = None if not extras or extras[0] is None else np.stack(extras, axis=1)
    return result, stacked


def length_normalized(log_prob, length, alpha=1.0):
    """A hypothesis's score for ranking: ``log P(y) / length ** alpha``.

    A sum of log-probabilities falls with every token, so raw scores favour short outputs;
    dividing by the length (``alpha = 1``) compares the mean log-probability per token,
    ``alpha = 0`` keeps the raw sum. ``length`` counts the generated tokens, the end token
    included.
    """
    length = np.asarray(length, dtype="float64")
    if np.any(length < 1):
        raise ValueError(f"length_normalized: lengths must be >= 1, got {length.min()}.")
    return np.asarray(log_prob, dtype="float64") / length ** float(alpha)


def beam_search(
    step, states, *, start_id, end_id, max_length, beam_width=4, alpha=1.0, return_scores=False
):
    """Beam search for a batch of sequences, carrying the decoder's states step by step.

    Each sequence keeps its ``beam_width`` most probable partial outputs (by the sum of the
    log-probabilities of their tokens). At every step each is extended by every token of the
    vocabulary, and the ``beam_width`` best of the ``beam_width x vocab`` extensions survive;
    their states are the states of the beams they extend. A beam that emitted ``end_id`` is
    finished and keeps its score. At the end the beam with the best
    :func:`length_normalized` score wins. With ``beam_width=1`` this is :func:`greedy_search`.

    All ``batch x beam_width`` beams run through ``step`` together, as one batch.

    Args:
        step, states, start_id, end_id, max_length: as in :func:`greedy_search`.
        beam_width: beams per sequence, >= 1.
        alpha: the length normalisation's exponent (0: rank by the raw log-probability).
        return_scores: also return each winner's total log-probability.

    Returns:
        A list of token-id lists, one per sequence (without start and end tokens), and, with
        ``return_scores``, a float64 array of their log-probabilities.
    """
    function = "beam_search"
    states, batch, start_id, end_id, max_length = _check_search_args(
        function, step, states, start_id, end_id, max_length
    )
    k = _positive_int(function, "beam_width", beam_width, 1)
    if isinstance(alpha, bool) or not isinstance(alpha, Real) or not math.isfinite(alpha):
        raise TypeError(f"{function}: alpha must be a finite number, got {alpha!r}.")
    states = [np.repeat(s, k, axis=0) for s in states]  # row b * k + j: beam j of sequence b
    scores = np.full((batch, k), -np.inf)
    scores[:, 0] = 0.0  # all beams start equal: expand only the first
    tokens = np.zeros((batch, k, 0), "int64")
    finished = np.zeros((batch, k), bool)
    lengths = np.zeros((batch, k), "int64")
    previous = np.full(batch * k, start_id, "int32")
    rows = np.arange(batch)[:, None]
    for _ in range(max_length):
        logits, new_states, _ = _step_logits(function, step, previous, states, batch * k)
        vocab = logits.shape[-1]
        if vocab < k:
            raise ValueError(
                f"{function}: beam_width {k} is larger than the vocabulary ({vocab} tokens)."
            )
        z = logits - logits.max(axis=-1, keepdims=True)
        log_p = (z - np.log(np.exp(z).sum(axis=-1, keepdims=True))).reshape(batch, k, vocab)
        done = np.full(vocab, -np.inf)
        done[end_id] = 0.0  # a finished beam has one continuation, at no cost
        log_p = np.where(finished[..., None], done, log_p)
        candidates = (scores[..., None] + log_p).reshape(batch, k * vocab)
        best = np.argsort(-candidates, axis=-1, kind="stable")[:, :k]
        parent, token = best // vocab, best % vocab
        scores = np.take_along_axis(candidates, best, axis=-1)
        was_finished = np.take_along_axis(finished, parent, axis=-1)
        lengths = np.take_along_axis(lengths, parent, axis=-1) + ~was_finished
        tokens = np.concatenate([tokens[rows, parent], token[..., None]], axis=-1)
        finished = was_finished | (token == end_id)
        flat_parent = (rows * k + parent).reshape(-1)
        states = [s[flat_parent] for s in new_states]
        previous = token.reshape(-1).astype("int32")
        if finished.all():
            break
    ranked = np.where(np.isfinite(scores), length_normalized(scores, lengths, alpha), -np.inf)
    winner = np.argmax(ranked, axis=-1)
    result = _trim(tokens[np.arange(batch), winner], end_id)
    if return_scores:
        return result, scores[np.arange(batch), winner]
    return result
