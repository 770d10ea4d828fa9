"""Self-checks for notebook 08, named-entity recognition.

Exercise 1's token accuracy is judged by Keras's own ``SparseCategoricalAccuracy`` with the
mask as sample weights; exercise 2's entity scores by ``seqeval`` (its default, CoNLL-style
mode). When an answer is wrong, the check tries the usual slips on it (counting the padding,
scoring tokens instead of entities, precision and recall swapped, ignoring the entity type)
and names the one that explains it.
"""

from __future__ import annotations

from collections.abc import Callable

import keras
import numpy as np
from seqeval.metrics import f1_score, precision_score, recall_score

from rnn_course.exercises import self_check
from rnn_course.ner import entity_spans

# --- Exercise 1: token accuracy that ignores padding ------------------------------------------


def _accuracy_case(seed: int):
    rng = np.random.default_rng(seed)
    n, t, k = 4, 7, 5
    lengths = np.array([7, 3, 5, 1])
    mask = np.arange(t)[None] < lengths[:, None]
    probabilities = rng.dirichlet(np.ones(k), size=(n, t))
    y_true = probabilities.argmax(-1)
    wrong = rng.random((n, t)) < 0.4
    y_true[wrong] = (y_true[wrong] + 1) % k
    y_true[~mask] = 0  # padding is labelled 0
    probabilities[~mask] = np.eye(k)[0]  # ... and the model "predicts" 0 there: always right
    return y_true, probabilities, mask


def _keras_accuracy(y_true, probabilities, mask) -> float:
    metric = keras.metrics.SparseCategoricalAccuracy()
    metric.update_state(y_true, probabilities, sample_weight=mask.astype("float32"))
    return float(metric.result())


def check_masked_token_accuracy(masked_token_accuracy: Callable) -> None:
    """Exercise 1: ``masked_token_accuracy(y_true, probabilities, mask)``.

    The share of real (unmasked) tokens whose arg-max tag is the true tag, as Keras computes
    it with the mask as sample weights.
    """

    def check():
        for seed in range(3):
            y_true, probabilities, mask = _accuracy_case(seed)
            got = masked_token_accuracy(y_true.copy(), probabilities.copy(), mask.copy())
            assert got is not None, "masked_token_accuracy returned None: forgot `return`?"
            try:
                got = float(got)
            except (TypeError, ValueError):
                raise AssertionError(
                    f"masked_token_accuracy must return one number, got {type(got).__name__}."
                ) from None
            expected = _keras_accuracy(y_true, probabilities, mask)
            if not abs(got - expected) < 1e-6:
                raise AssertionError(
                    f"for {mask.sum()} real tokens among {mask.size} positions it returned "
                    f"{got:.4f}; Keras's accuracy with the mask as sample weights gives "
                    f"{expected:.4f}. {_diagnose_accuracy(got, y_true, probabilities, mask)}"
                )

    self_check("Exercise 1 (token accuracy without the padding)", check)


def _diagnose_accuracy(got, y_true, probabilities, mask) -> str:
    right = probabilities.argmax(-1) == y_true
    if abs(got - right.mean()) < 1e-6:
        return (
            "That is the accuracy over every position, padding included: padded positions "
            "are easy to get 'right' and inflate it. Count only positions where mask is True."
        )
    if abs(got - (right & mask).sum() / mask.size) < 1e-6:
        return "The right tokens are counted over the mask, but divided by all positions."
    if abs(got - (right & mask).sum()) < 1e-6:
        return "That is a count of right tokens; divide it by the number of real tokens."
    return "Take the arg-max tag of each position, compare it with y_true, and average over mask."


# --- Exercise 2: entity-level precision, recall and F1 ----------------------------------------

_GOLD = [
    ["B-PER", "I-PER", "O", "O", "B-LOC"],
    ["B-ORG", "I-ORG", "I-ORG", "O", "B-MISC", "I-MISC"],
    ["O", "B-PER", "O", "B-LOC", "I-LOC", "O"],
    ["B-ORG", "O", "O"],
]
_PREDICTED = [
    ["B-PER", "I-PER", "O", "O", "B-ORG"],  # PER right; LOC typed as ORG
    ["B-ORG", "I-ORG", "O", "O", "B-MISC", "I-MISC"],  # ORG cut short; MISC right
    ["O", "B-PER", "O", "B-LOC", "I-LOC", "B-PER"],  # both right, one extra
    ["B-ORG", "O", "O"],  # right
]
_CASES = [
    (_GOLD, _PREDICTED),
    (_GOLD[:2], [["O"] * len(s) for s in _GOLD[:2]]),  # finds nothing
    ([["O", "B-LOC", "I-LOC"], ["B-PER"]], [["O", "I-LOC", "I-LOC"], ["B-PER"]]),
]


def _scores(gold, predicted) -> tuple[float, float, float]:
    return (
        precision_score(gold, predicted, zero_division=0),
        recall_score(gold, predicted, zero_division=0),
        f1_score(gold, predicted, zero_division=0),
    )


def _prf(true_positives, n_predicted, n_gold):
    p = true_positives / n_predicted if n_predicted else 0.0
    r = true_positives / n_gold if n_gold else 0.0
    return p, r, (2 * p * r / (p + r) if p + r else 0.0)


def _variants(gold, predicted) -> dict[str, tuple[float, float, float]]:
    flat_gold = [t for s in gold for t in s]
    flat_pred = [t for s in predicted for t in s]
    entity_gold = sum(t != "O" for t in flat_gold)
    entity_pred = sum(t != "O" for t in flat_pred)
    token_tp = sum(g == p != "O" for g, p in zip(flat_gold, flat_pred, strict=True))
    untyped_tp = 0
    for g, p in zip(gold, predicted, strict=True):
        untyped_tp += len({s[1:] for s in entity_spans(g)} & {s[1:] for s in entity_spans(p)})
    n_gold = sum(len(entity_spans(s)) for s in gold)
    n_pred = sum(len(entity_spans(s)) for s in predicted)
    p, r, f = _scores(gold, predicted)
    return {
        "tokens": _prf(token_tp, entity_pred, entity_gold),
        "untyped": _prf(untyped_tp, n_pred, n_gold),
        "swapped": (r, p, f),
    }


def check_entity_scores(entity_scores: Callable) -> None:
    """Exercise 2: ``entity_scores(gold, predicted) -> (precision, recall, f1)``.

    Entity-level scores over lists of IOB2 tag sequences, as ``seqeval`` computes them: an
    entity counts as found only if its type, first and last token all match.
    """

    def check():
        for gold, predicted in _CASES:
            got = entity_scores([list(s) for s in gold], [list(s) for s in predicted])
            assert got is not None, "entity_scores returned None: did you forget `return`?"
            try:
                got = tuple(float(v) for v in got)
            except (TypeError, ValueError):
                raise AssertionError(
                    "entity_scores must return three numbers (precision, recall, f1); got "
                    f"{got!r:.80}."
                ) from None
            assert len(got) == 3, f"entity_scores must return 3 numbers, got {len(got)}."
            expected = _scores(gold, predicted)
            if not np.allclose(got, expected, atol=1e-6):
                names = "precision, recall, f1"
                raise AssertionError(
                    f"for gold {gold} and predicted {predicted} it returned ({names}) = "
                    f"({', '.join(f'{v:.3f}' for v in got)}); seqeval gives "
                    f"({', '.join(f'{v:.3f}' for v in expected)}). "
                    f"{_diagnose_scores(got, gold, predicted)}"
                )

    self_check("Exercise 2 (entity-level precision, recall and F1)", check)


def _diagnose_scores(got, gold, predicted) -> str:
    variants = _variants(gold, predicted)
    if np.allclose(got, variants["swapped"], atol=1e-6):
        return (
            "Precision and recall are swapped: precision divides by the entities *predicted*, "
            "recall by the entities in the gold tags."
        )
    if np.allclose(got, variants["tokens"], atol=1e-6):
        return (
            "Those are token-level scores (tags compared position by position). Compare "
            "whole entities: read the spans of each sentence, gold and predicted."
        )
    if np.allclose(got, variants["untyped"], atol=1e-6):
        return "An entity found with the right words but the wrong type must not count."
    if any(v == 0 for v in (len(gold),)) or all(s == ["O"] * len(s) for s in predicted):
        return "When nothing is predicted, precision, recall and F1 are all 0 (no division by 0)."
    return (
        "A true positive is a predicted (type, start, stop) that is also a gold one; "
        "precision = TP / predicted entities, recall = TP / gold entities, F1 their harmonic mean."
    )
