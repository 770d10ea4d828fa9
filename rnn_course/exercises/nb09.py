"""Self-checks for notebook 09, machine translation with attention.

Each check judges the student's function by what the field's own code computes: the course's
:class:`rnn_course.attention.BahdanauAttention` layer, a brute-force search over every
extension of every beam, and sacrebleu's brevity penalty. When an answer is wrong, the check
tries the usual slips on the student's own function and names the one it finds.
"""

from __future__ import annotations

import math
from collections.abc import Callable

import keras
import numpy as np

from rnn_course.attention import BahdanauAttention
from rnn_course.exercises import self_check

_S, _Q, _D, _U = 6, 5, 4, 7  # source positions, query size, value size, score units


# --- Exercise 1: the additive score, one step, in NumPy ---------------------------------------


def _attention_case(seed: int, n_masked: int):
    rng = np.random.default_rng(seed)
    s = rng.normal(size=_Q)
    H = rng.normal(size=(_S, _D))
    mask = np.ones(_S, bool)
    if n_masked:
        mask[-n_masked:] = False
    layer = BahdanauAttention(_U)
    layer.build((None, _Q), (None, _S, _D))
    weights = [rng.normal(scale=0.7, size=w.shape) for w in layer.get_weights()]
    layer.set_weights(weights)
    context, alpha = layer(
        s[None].astype("float32"), H[None].astype("float32"), values_mask=mask[None]
    )
    expected = (
        keras.ops.convert_to_numpy(context)[0].astype("float64"),
        keras.ops.convert_to_numpy(alpha)[0].astype("float64"),
    )
    return (s, H, *weights, mask), expected


def _explain_attention(error: Exception) -> str | None:
    text = str(error)
    if isinstance(error, ValueError) and any(w in text for w in ("shape", "align", "dimension")):
        return (
            "That is a shape mismatch. s_t has shape (query_dim,), H (S, value_dim), W_a "
            "(query_dim, units), U_a (value_dim, units), v_a (units,): s_t @ W_a is (units,), "
            "H @ U_a is (S, units), and their sum broadcasts to (S, units)."
        )
    return None


def check_additive_attention(additive_attention: Callable) -> None:
    """Exercise 1: ``additive_attention(s_t, H, W_a, U_a, v_a, mask) -> (context, alpha)``.

    For one sentence: ``s_t`` ``(query_dim,)``, ``H`` ``(S, value_dim)``, weights in the
    layer's shapes, ``mask`` boolean ``(S,)``; ``alpha`` ``(S,)`` and ``context``
    ``(value_dim,)`` must equal :class:`BahdanauAttention`'s.
    """

    def check():
        for seed, n_masked in ((0, 0), (1, 2)):
            args, (c_ref, a_ref) = _attention_case(seed, n_masked)
            copies = [a.copy() for a in args]
            result = additive_attention(*copies)
            assert result is not None, "additive_attention returned None: did you forget `return`?"
            assert isinstance(result, (tuple, list)) and len(result) == 2, (
                "return two arrays, (context, alpha): the context vector c_t and the weights."
            )
            context, alpha = (np.asarray(r, dtype="float64") for r in result)
            if alpha.shape != (_S,):
                raise AssertionError(
                    f"alpha should have one weight per source position, shape ({_S},); got "
                    f"{alpha.shape}."
                )
            if context.shape != (_D,):
                raise AssertionError(
                    f"context should be a weighted sum of the rows of H, shape ({_D},); got "
                    f"{context.shape}."
                )
            mask = args[-1]
            if n_masked and np.abs(alpha[~mask]).max() > 1e-6:
                raise AssertionError(
                    "padded source positions (mask False) got weight "
                    f"{np.abs(alpha[~mask]).max():.3g}: they must get exactly 0, and the other "
                    "weights must still sum to 1 (leave them out of the softmax)."
                )
            if abs(alpha.sum() - 1) > 1e-6:
                raise AssertionError(
                    f"the weights sum to {alpha.sum():.4g}, not 1: alpha is a softmax of the "
                    "scores e over the source positions."
                )
            diff = float(np.abs(alpha - a_ref).max())
            if diff > 1e-5:
                raise AssertionError(
                    f"alpha differs from BahdanauAttention's by {diff:.3g}. "
                    + _diagnose_attention(*args, alpha)
                )
            diff = float(np.abs(context - c_ref).max())
            if diff > 1e-5:
                raise AssertionError(
                    f"alpha is right but context differs by {diff:.3g}: c_t = sum_s alpha_s h_s, "
                    "a weighted sum of the rows of H (alpha @ H)."
                )
            if any(not np.array_equal(a, b) for a, b in zip(args, copies, strict=True)):
                raise AssertionError("your function changed its inputs; compute on copies.")

    self_check("Exercise 1 (additive attention for one step)", check, explain=_explain_attention)


def _diagnose_attention(s, H, W_a, U_a, v_a, mask, alpha) -> str:
    """Name the slip that gives the student's ``alpha``, if it is a usual one."""

    def softmax(e):
        e = np.where(mask, e, -np.inf)
        p = np.exp(e - e.max())
        return p / p.sum()

    slips = [
        (
            softmax((s @ W_a + H @ U_a) @ v_a),
            "There is no tanh in your score: e_s = v_a . tanh(W_a s + U_a h_s).",
        ),
        (
            softmax(np.tanh((s @ W_a + H @ U_a) @ v_a)),
            "The tanh goes around the sum W_a s + U_a h_s, before the dot product with v_a.",
        ),
        (
            softmax(np.tanh(H @ U_a) @ v_a + np.tanh(s @ W_a) @ v_a),
            "Add W_a s and U_a h_s first and take the tanh of the sum, not of each part.",
        ),
    ]
    for candidate, hint in slips:
        if np.allclose(candidate, alpha, atol=1e-5):
            return hint
    return (
        "Compute e_s = v_a . tanh(s_t @ W_a + H[s] @ U_a) for every source position s (the "
        "tanh of the sum, then the dot product with v_a), then alpha = softmax(e) over the "
        "unmasked positions."
    )


# --- Exercise 2: one step of beam search --------------------------------------------------------


def _beam_case(seed: int, k: int, vocab: int):
    rng = np.random.default_rng(seed)
    scores = np.sort(rng.normal(-3, 1.5, size=k))[::-1]
    logits = rng.normal(size=(k, vocab)) * 2
    log_probs = logits - np.log(np.exp(logits).sum(axis=1, keepdims=True))
    return scores, log_probs


def _brute_force(scores, log_probs, k):
    totals = [
        (scores[b] + log_probs[b, v], b, v)
        for b in range(log_probs.shape[0])
        for v in range(log_probs.shape[1])
    ]
    totals.sort(key=lambda x: -x[0])
    return totals[:k]


def check_beam_step(beam_step: Callable) -> None:
    """Exercise 2: ``beam_step(scores, log_probs, k) -> (parents, tokens, new_scores)``.

    ``scores`` ``(K,)`` are the beams' log-probabilities, ``log_probs`` ``(K, V)`` each beam's
    next-token log-probabilities; the result is the ``k`` best extensions over all ``K x V``,
    best first.
    """

    def check():
        for seed, k, vocab in ((0, 3, 7), (1, 4, 5), (2, 1, 6)):
            scores, log_probs = _beam_case(seed, k, vocab)
            copies = scores.copy(), log_probs.copy()
            result = beam_step(*copies, k)
            assert result is not None, "beam_step returned None: did you forget `return`?"
            assert isinstance(result, (tuple, list)) and len(result) == 3, (
                "return three arrays: (parents, tokens, new_scores)."
            )
            parents, tokens, new_scores = (np.asarray(r).reshape(-1) for r in result)
            expected = _brute_force(scores, log_probs, k)
            for name, got in (("parents", parents), ("tokens", tokens), ("scores", new_scores)):
                if got.shape != (k,):
                    raise AssertionError(
                        f"{name} should hold k = {k} entries, one per surviving beam; got shape "
                        f"{got.shape}."
                    )
            want = np.array([e[0] for e in expected])
            if np.allclose(new_scores, want, atol=1e-9):
                if not (
                    np.array_equal(parents, [e[1] for e in expected])
                    and np.array_equal(tokens, [e[2] for e in expected])
                ):
                    raise AssertionError(
                        "the scores are right but parents/tokens are not: for a flat index i "
                        "into the K x V candidates, the beam is i // V and the token i % V."
                    )
                continue
            raise AssertionError(_diagnose_beam(scores, log_probs, k, new_scores, want))

    self_check("Exercise 2 (one step of beam search)", check)


def _diagnose_beam(scores, log_probs, k, got, want) -> str:
    got = np.sort(np.asarray(got, dtype="float64"))[::-1]
    if np.allclose(np.sort(got), np.sort(want)):
        return "The right extensions, in the wrong order: return them best first."
    only_lp = np.sort(log_probs.reshape(-1))[::-1][:k]
    if np.allclose(got, only_lp):
        return (
            "Your scores leave out the beams' own scores: an extension's score is the beam's "
            "score plus the token's log-probability."
        )
    per_beam = np.sort(scores + log_probs.max(axis=1))[::-1][:k]
    if np.allclose(got, per_beam):
        return (
            "You kept the best token of each beam; the k best extensions may come from the same "
            "beam: choose among all K x V candidates at once."
        )
    return (
        f"Expected the scores {np.round(want, 4).tolist()}, got {np.round(got, 4).tolist()}: "
        "score every candidate as scores[:, None] + log_probs, flatten, keep the k largest."
    )


# --- Exercise 3: BLEU's brevity penalty ------------------------------------------------------


_LENGTHS = [(10, 12), (12, 10), (9, 9), (1, 20), (30, 31), (7, 100), (0, 5)]


def check_brevity_penalty(brevity_penalty: Callable) -> None:
    """Exercise 3: ``brevity_penalty(c, r)`` for ``c`` hypothesis and ``r`` reference tokens.

    Compared with sacrebleu's ``BLEU.compute_bleu`` (its ``bp``) for several lengths.
    """
    from sacrebleu.metrics import BLEU

    def reference(c, r):
        return BLEU.compute_bleu([c, c, c, c], [c, c, c, c], c, r).bp

    def check():
        for c, r in _LENGTHS:
            got = brevity_penalty(c, r)
            assert got is not None, "brevity_penalty returned None: did you forget `return`?"
            want = reference(c, r)
            try:
                got = float(got)
            except (TypeError, ValueError):
                raise AssertionError(
                    f"brevity_penalty({c}, {r}) must return a number, got {got!r}."
                ) from None
            if math.isclose(got, want, rel_tol=1e-9, abs_tol=1e-12):
                continue
            if c > r and math.isclose(got, math.exp(1 - r / c)):
                hint = (
                    "A hypothesis longer than its reference is not penalised: the penalty is 1 "
                    "when c > r (BLEU's precisions already punish extra words)."
                )
            elif c < r and math.isclose(got, math.exp(1 - c / r)):
                hint = "The ratio is the wrong way up: the penalty is exp(1 - r / c)."
            elif c == 0:
                hint = "With no output at all (c = 0) the penalty is 0: nothing was translated."
            elif c < r and got == 1:
                hint = "A hypothesis shorter than its reference must be penalised: exp(1 - r / c)."
            else:
                hint = "BP = 1 if c > r, else exp(1 - r / c)."
            raise AssertionError(
                f"brevity_penalty(c={c}, r={r}) returned {got:.6g}, expected {want:.6g}. {hint}"
            )

    def explain(error: Exception) -> str | None:
        if isinstance(error, ZeroDivisionError):
            return "With no output at all (c = 0) the penalty is 0: there is nothing to divide."
        return None

    self_check("Exercise 3 (BLEU's brevity penalty)", check, explain=explain)
