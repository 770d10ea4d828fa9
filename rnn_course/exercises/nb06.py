"""Self-checks for notebook 06, text generation.

Each check judges the student's function against the course's tested decoding code
(:class:`rnn_course.decoding.StatefulGenerator`, :func:`rnn_course.decoding.per_token_loss`)
run on a small language model with random weights, or by properties that any right answer has
(for nucleus sampling: the kept tokens are the most likely ones, hold at least ``p`` of the
probability, and are as few as possible). When an answer is wrong, the check tries the usual
slips on the student's own answer and names the one it finds.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Callable

import keras
import numpy as np

from rnn_course.decoding import StatefulGenerator, per_token_loss
from rnn_course.exercises import self_check
from rnn_course.models import char_language_model

_VOCAB, _EMBED, _UNITS = 12, 6, 10  # the small language model the checks use


@functools.cache
def _small_model(seed: int) -> keras.Model:
    """A char_language_model with random weights large enough for peaked distributions.

    Built once per seed and kept: the checks only read it, and building and tracing it again
    at every run of a self-check would cost more than the check itself.
    """
    model = char_language_model(_VOCAB, _EMBED, _UNITS, name=f"check_model_{seed}")
    rng = np.random.default_rng(seed)
    model.set_weights([rng.normal(scale=0.8, size=w.shape) for w in model.get_weights()])
    return model


@functools.cache
def _small_generator(seed: int) -> StatefulGenerator:
    return StatefulGenerator(_small_model(seed))


def _ids_list(values) -> list[int] | None:
    """Token ids as a list of Python ints, or None if ``values`` is not a 1-D integer array."""
    try:
        array = np.asarray(
            keras.ops.convert_to_numpy(values) if hasattr(values, "shape") else values
        )
    except (TypeError, ValueError):
        return None
    if array.ndim != 1 or (array.size and array.dtype.kind not in "iu"):
        return None
    return [int(v) for v in array]


# --- Exercise 1: greedy generation, carrying the state ---------------------------------------


class _CountingGenerator:
    """A StatefulGenerator that records how many ids each call of ``step`` reads."""

    def __init__(self, generator: StatefulGenerator):
        self._generator = generator
        self.vocab_size = generator.vocab_size
        self.calls: list[tuple[int, bool]] = []  # (ids read, whether states were passed)

    def step(self, ids, states=None):
        length = int(np.asarray(ids).shape[-1]) if np.ndim(ids) else 1
        self.calls.append((length, states is not None))
        return self._generator.step(ids, states)

    def initial_state(self, batch_size=1):
        return self._generator.initial_state(batch_size)

    def __getattr__(self, name):
        raise AttributeError(
            f"use generator.step(ids, states) only (and generator.vocab_size); "
            f"generator.{name} is not part of this exercise."
        )


def _explain_step(error: Exception) -> str | None:
    text = str(error)
    if "states must be the list returned" in text or "StatefulGenerator.step: state " in text:
        return "Pass generator.step the states it returned last time (or None at the start)."
    if "must have shape (time,)" in text or "integer token ids" in text:
        return (
            "generator.step takes integer ids of shape (time,): the prompt, then a one-element "
            "array such as np.array([token])."
        )
    return None


def check_greedy_continuation(
    greedy_continuation: Callable[[object, np.ndarray, int], np.ndarray],
) -> None:
    """Exercise 1: ``greedy_continuation(generator, prompt_ids, n)``.

    It must return the ``n`` most likely next tokens, one at a time (greedy decoding), as
    ``generator.generate(prompt_ids, n, temperature=0)`` does, by calling ``generator.step``:
    the prompt once, then only the token just chosen, with the states of the call before.
    """

    def check():
        generator = _small_generator(6)
        rng = np.random.default_rng(6)
        for length, n in ((5, 12), (1, 4), (3, 1)):
            prompt = rng.integers(0, _VOCAB, size=length).astype("int32")
            expected = [int(t) for t in generator.generate(prompt, n, temperature=0)]
            counting = _CountingGenerator(generator)
            result = greedy_continuation(counting, prompt.copy(), n)
            assert result is not None, "greedy_continuation returned None: did you forget `return`?"
            ids = _ids_list(result)
            assert ids is not None, (
                f"return the new token ids as a 1-D array of integers, got "
                f"{type(result).__name__} {np.shape(result)}."
            )
            if len(ids) == length + n and ids[length:] == expected:
                raise AssertionError(
                    "your result starts with the prompt: return only the n new tokens."
                )
            if len(ids) != n:
                raise AssertionError(f"asked for n = {n} new tokens, got {len(ids)}.")
            if ids != expected:
                raise AssertionError(_diagnose_greedy(ids, expected, counting.calls, length))
            _check_calls(counting.calls, length, n)

    self_check("Exercise 1 (greedy generation with a carried state)", check, explain=_explain_step)


def _diagnose_greedy(ids, expected, calls, prompt_length) -> str:
    first_wrong = next(i for i, (a, b) in enumerate(zip(ids, expected, strict=True)) if a != b)
    chosen, best = ids[first_wrong], expected[first_wrong]
    start = f"token {first_wrong} is {chosen}, the greedy choice is {best}."
    if calls and not any(passed for _, passed in calls[1:]) and len(calls) > 1:
        return (
            f"{start} After the first call you never passed states to generator.step, so each "
            "token was read from a zero state without the text before it: pass the states "
            "that the previous call returned."
        )
    if calls and calls[0][0] != prompt_length and calls[0][0] == prompt_length - 1:
        return f"{start} Your first call read {calls[0][0]} of the prompt's {prompt_length} ids."
    return (
        f"{start} Take the argmax of the logits that generator.step returned, feed that token "
        "back in as a one-element array, and carry the states from call to call."
    )


def _check_calls(calls, prompt_length, n) -> None:
    read = [length for length, _ in calls]
    if sum(read) > prompt_length + n:
        raise AssertionError(
            f"the tokens are right, but generator.step read {sum(read)} ids in {len(read)} "
            f"calls (lengths {read[:6]}{' ...' if len(read) > 6 else ''}) for a prompt of "
            f"{prompt_length} and {n} new tokens: you re-read the text so far at every step. "
            "Carry the states instead: after the prompt, feed only the token just chosen."
        )


# --- Exercise 2: nucleus (top-p) filtering ----------------------------------------------------


def _softmax(logits: np.ndarray) -> np.ndarray:
    z = np.exp(logits - logits.max())
    return z / z.sum()


def _explain_filter(error: Exception) -> str | None:
    if isinstance(error, (ValueError, IndexError)) and "shape" in str(error):
        return "logits has shape (vocab,): one number per token; return an array of that shape."
    return None


def check_top_p_filter(top_p_filter: Callable[[np.ndarray, float], np.ndarray]) -> None:
    """Exercise 2: ``top_p_filter(logits, p)`` keeps the nucleus and sets the rest to -inf.

    The nucleus is the smallest set of most probable tokens (probabilities
    ``softmax(logits)``) whose probabilities add up to at least ``p``. Checked by those
    properties on random logits, never against a copy of a solution.
    """

    def check():
        rng = np.random.default_rng(7)
        draws = [rng.normal(scale=scale, size=v) for scale, v in ((1.0, 20), (3.0, 65), (0.3, 8))]
        cases = [(z, p) for z in draws for p in (0.5, 0.9, 0.97)]
        cases += [(rng.normal(scale=2.0, size=30), 0.01), (rng.normal(size=10), 1.0)]
        for logits, p in cases:
            _check_one_filter(top_p_filter, logits, p)

    self_check("Exercise 2 (nucleus sampling: the top-p filter)", check, explain=_explain_filter)


def _check_one_filter(top_p_filter, logits: np.ndarray, p: float) -> None:
    given = logits.copy()
    result = top_p_filter(given, p)
    assert result is not None, "top_p_filter returned None: did you forget `return`?"
    assert np.array_equal(given, logits), (
        "top_p_filter changed the logits it was given: work on a copy (np.array(logits) or "
        "np.where(...)), so the caller's logits stay as they were."
    )
    try:
        out = np.asarray(keras.ops.convert_to_numpy(result), dtype="float64")
    except (TypeError, ValueError):
        raise AssertionError(
            f"return an array of numbers of shape {logits.shape}, got {type(result).__name__}."
        ) from None
    assert out.shape == logits.shape, (
        f"return filtered logits of the same shape as the input, {logits.shape}, got {out.shape}."
    )
    assert not np.isnan(out).any(), (
        "your filtered logits contain NaN; use -np.inf for removed tokens."
    )
    kept = np.isfinite(out)
    prob = _softmax(logits)
    assert not np.isposinf(out).any(), "removed tokens must get -np.inf, not +inf."
    changed = kept & ~np.isclose(out, logits, rtol=0, atol=1e-9)
    if changed.any():
        i = int(np.flatnonzero(changed)[0])
        zero_filled = np.isclose(out[changed], 0.0).all()
        hint = (
            " It looks like removed tokens got 0; a logit of 0 still has probability "
            "exp(0) / sum: set them to -np.inf."
            if zero_filled
            else ""
        )
        raise AssertionError(
            f"token {i}'s logit changed from {logits[i]:.4g} to {out[i]:.4g}: kept tokens keep "
            f"their logits unchanged, removed ones become -np.inf.{hint}"
        )
    if not kept.any():
        raise AssertionError(f"with p = {p} you removed every token; the most likely always stays.")
    if (~kept).any() and prob[kept].min() < prob[~kept].max():
        raise AssertionError(
            f"with p = {p} you removed a token of probability {prob[~kept].max():.3g} but kept one "
            f"of {prob[kept].min():.3g}: the nucleus is made of the *most* probable tokens "
            "(sort by probability, largest first)."
        )
    mass = float(prob[kept].sum())
    if mass < p - 1e-9:
        raise AssertionError(
            f"with p = {p} the kept tokens hold {mass:.4f} of the probability, less than p: keep "
            "tokens until their total reaches p, including the token that crosses p."
        )
    smallest = float(prob[kept].min())
    if kept.sum() > 1 and mass - smallest >= p + 1e-9:
        raise AssertionError(
            f"with p = {p} you kept {int(kept.sum())} tokens, but the {int(kept.sum()) - 1} most "
            f"probable of them already hold {mass - smallest:.4f} >= p: keep the smallest set "
            "whose total reaches p (one token too many is a common off-by-one)."
        )


# --- Exercise 3: how likely is a continuation? ------------------------------------------------


def _explain_score(error: Exception) -> str | None:
    if isinstance(error, (ValueError, IndexError, TypeError)) and any(
        w in str(error) for w in ("shape", "dimension", "index", "rank")
    ):
        return (
            "model takes ids of shape (batch, time) and returns logits (batch, time, vocab): "
            "call it on ids[None] (a batch of one) and take [0]."
        )
    return None


def check_continuation_log_prob(
    continuation_log_prob: Callable[[keras.Model, np.ndarray, np.ndarray], float],
) -> None:
    """Exercise 3: ``continuation_log_prob(model, prompt_ids, continuation_ids)``.

    The natural-log probability of the continuation given the prompt,
    ``sum_i log P(c_i | prompt, c_1 ... c_{i-1})``, compared with the per-token losses that
    :func:`rnn_course.decoding.per_token_loss` computes on the whole text.
    """

    def check():
        model = _small_model(8)
        rng = np.random.default_rng(8)
        for prompt_length, length in ((6, 4), (1, 1), (3, 9)):
            prompt = rng.integers(0, _VOCAB, size=prompt_length).astype("int32")
            continuation = rng.integers(0, _VOCAB, size=length).astype("int32")
            text = np.concatenate([prompt, continuation])
            losses = per_token_loss(model, text)  # losses[t]: -log P(text[t + 1] | text[:t + 1])
            expected = -float(losses[-length:].sum())
            value = continuation_log_prob(model, prompt.copy(), continuation.copy())
            assert value is not None, "continuation_log_prob returned None: forgot `return`?"
            try:
                value = float(np.asarray(keras.ops.convert_to_numpy(value)).reshape(()))
            except (TypeError, ValueError):
                raise AssertionError(
                    f"return one number (a float), got {type(value).__name__} {np.shape(value)}."
                ) from None
            if abs(value - expected) <= 1e-4 * max(1.0, abs(expected)):
                continue
            raise AssertionError(
                f"for a prompt of {prompt_length} and a continuation of {length} ids you "
                f"returned {value:.5g}; the log-probability is {expected:.5g}. "
                + _diagnose_score(value, expected, losses, prompt_length, length)
            )

    self_check("Exercise 3 (the log-probability of a continuation)", check, explain=_explain_score)


def _diagnose_score(value, expected, losses, prompt_length, length) -> str:
    def near(a) -> bool:
        return abs(value - a) <= 1e-4 * max(1.0, abs(a))

    if near(-expected):
        return "The sign is flipped: a log-probability is <= 0 (it is minus the loss)."
    if near(expected / length) and length > 1:
        return "That is the mean over the continuation's tokens: add them up instead."
    if near(expected / math.log(2)):
        return "That is in bits (log base 2): use the natural logarithm (nats)."
    if near(-float(losses.sum())) and prompt_length > 1:
        return "You also counted the prompt's own tokens: score only the continuation's."
    if length > 1 and near(-float(losses[-length - 1 : -1].sum())):
        return (
            "Off by one: the logits at position t score the token at t + 1, so the first "
            "continuation token is scored by the logits at the prompt's last position."
        )
    return (
        "Run the model on prompt + continuation; the logits at position t, through a "
        "log-softmax, give log P(token t + 1 | tokens 0 ... t); add up those of the "
        "continuation's tokens."
    )
