"""Batches of sequences of similar length, for ``model.fit`` on a CPU.

A recurrent layer steps through every padded position of a batch, so batches of sentences of
similar length waste little time on padding. :func:`length_batches` draws such batches;
:func:`shapes_open_from_the_start` orders them so that Keras keeps their time axes open.

Why the second function: given a ``keras.utils.PyDataset``, Keras (on TensorFlow) reads its
first two batches to fix the shapes the training function accepts. An axis that happens to
have the same length in those two batches is fixed to that length, and the first later batch
with another length stops ``fit`` with ``generator yielded an element of shape ... where an
element of shape ... was expected``. The course's datasets (``ner.SentenceBatches``,
``seq2seq.TranslationBatches``) therefore put two batches that differ in every varying axis
first.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from numbers import Integral

import numpy as np

__all__ = ["length_batches", "shapes_open_from_the_start"]


def _positive_int(function: str, name: str, value) -> int:
    if not isinstance(value, Integral) or isinstance(value, bool) or value < 1:
        raise ValueError(f"{function}: {name} must be an integer >= 1; got {value!r}.")
    return int(value)


def length_batches(
    lengths: Sequence[int],
    batch_size: int,
    rng: np.random.Generator | None = None,
    chunk_batches: int = 50,
) -> list[np.ndarray]:
    """Index batches of sequences of similar length (less padding per batch).

    With ``rng``: chunks of ``chunk_batches * batch_size`` random sequences, each sorted by
    length and cut into batches, and the batches shuffled; a new order every call. Without:
    all sequences sorted by length (for evaluation). Every index appears exactly once.
    """
    batch_size = _positive_int("length_batches", "batch_size", batch_size)
    chunk_batches = _positive_int("length_batches", "chunk_batches", chunk_batches)
    lengths = np.asarray(lengths)
    if lengths.ndim != 1 or not len(lengths):
        raise ValueError("length_batches: lengths must be a non-empty list of sequence lengths.")
    index = np.arange(len(lengths)) if rng is None else rng.permutation(len(lengths))
    size = len(index) if rng is None else chunk_batches * batch_size
    for start in range(0, len(index), size):
        part = slice(start, start + size)
        index[part] = index[part][np.argsort(lengths[index[part]], kind="stable")]
    batches = [index[i : i + batch_size] for i in range(0, len(index), batch_size)]
    if rng is not None:
        batches = [batches[i] for i in rng.permutation(len(batches))]
    return batches


def shapes_open_from_the_start(batches: list, shape_of: Callable) -> list:
    """``batches`` reordered so that the first two differ in every axis whose length varies.

    Args:
        batches: the batches in their drawn order (anything ``shape_of`` reads).
        shape_of: a batch -> the tuple of its padded axis lengths (e.g. ``(source length,
            target length)``); an axis that is the same in every batch may stay fixed.

    Returns:
        The same batches in the same order when the first two already differ (or nothing
        varies); otherwise with the first batch that differs from batch 0 in every varying axis
        moved to position 1 (or, failing that, the first such pair moved to the front). Order
        is otherwise kept, and the list is new.
    """
    batches = list(batches)
    if len(batches) < 2:
        return batches
    shapes = [tuple(shape_of(b)) for b in batches]
    varying = [k for k in range(len(shapes[0])) if len({s[k] for s in shapes}) > 1]

    def differ(i: int, j: int) -> bool:
        return all(shapes[i][k] != shapes[j][k] for k in varying)

    if not varying or differ(0, 1):
        return batches
    for j in range(2, len(batches)):
        if differ(0, j):
            batches[1], batches[j] = batches[j], batches[1]
            return batches
    for i in range(1, len(batches)):
        for j in range(i + 1, len(batches)):
            if differ(i, j):
                rest = [b for k, b in enumerate(batches) if k not in (i, j)]
                return [batches[i], batches[j], *rest]
    return batches  # no two batches differ in every varying axis: nothing to do
