"""Sentiment datasets: IMDb reviews, rt-polarity snippets and GLUE SST-2.

Every loader returns ``(texts, labels)``: a list of ``str`` and an ``int64`` NumPy array with
0 = negative and 1 = positive, in a fixed, documented order (shuffle before training).
"""

from __future__ import annotations

import gzip
import json

import numpy as np

from ._splits import check_split
from .store import fetch_file

__all__ = [
    "RT_POLARITY_SPLIT_SEED",
    "RT_POLARITY_SPLITS",
    "load_imdb",
    "load_rt_polarity",
    "load_sst2",
]

RT_POLARITY_SPLIT_SEED = 2005
"""Seed of the permutation behind :func:`load_rt_polarity`'s splits (the dataset's year)."""

RT_POLARITY_SPLITS = {"train": (0.0, 0.8), "validation": (0.8, 0.9), "test": (0.9, 1.0)}
"""Fractions ``[start, stop)`` of each class's shuffled snippets in each split (80/10/10)."""


def load_imdb(split: str) -> tuple[list[str], np.ndarray]:
    """Return the IMDb Large Movie Review Dataset (Maas et al. 2011), one split.

    Args:
        split: ``"train"`` or ``"test"``; 25,000 reviews each, 12,500 negative and 12,500
            positive. (The 50,000 unlabelled ``unsup`` reviews are not included.)

    Returns:
        ``(texts, labels)``: the review texts exactly as upstream wrote them (with their
        ``<br />`` tags), and labels (0 = negative, rating 1-4; 1 = positive, rating 7-10).
        Order: the 12,500 negative reviews by upstream id, then the 12,500 positive ones by id.

    Raises:
        TypeError: ``split`` is not a string.
        ValueError: an unknown split name (the message suggests the closest).
        rnn_course.data.DataError: the files cannot be found, fetched or verified.
    """
    check_split("imdb", split, ["train", "test"], optional=False)
    texts: list[str] = []
    labels: list[int] = []
    for polarity in ("neg", "pos"):
        for shard in ("00", "01"):
            path = fetch_file("imdb", f"{split}_{polarity}.{shard}-of-02.jsonl.gz")
            with gzip.open(path, "rt", encoding="utf-8") as lines:
                for line in lines:
                    record = json.loads(line)
                    texts.append(record["text"])
                    labels.append(record["label"])
    return texts, np.asarray(labels, dtype=np.int64)


def load_rt_polarity(split: str | None = None) -> tuple[list[str], np.ndarray]:
    """Return the sentence polarity dataset v1.0 (Pang & Lee 2005, "MR"), whole or one split.

    The files are Windows-1252 (cp1252), not UTF-8: they are decoded as such (so 0xE9 is "é" and
    0x97 an em dash). Each snippet is stripped of surrounding whitespace (most lines end with a
    space).

    Args:
        split: ``None`` or ``"all"`` for all 10,662 snippets (5,331 negative, then 5,331 positive,
            each in file order). There is no official split: ``"train"``, ``"validation"`` and
            ``"test"`` (8,530 / 1,066 / 1,066, balanced) take 80 / 10 / 10 % of each class after a
            permutation seeded with :data:`RT_POLARITY_SPLIT_SEED`, in file order within each
            class (negatives first). The split is the same on every machine and NumPy version
            (``numpy.random.default_rng``).

    Returns:
        ``(texts, labels)`` with labels 0 = negative, 1 = positive.

    Raises:
        TypeError: ``split`` is not None or a string.
        ValueError: an unknown split name (the message suggests the closest).
        rnn_course.data.DataError: the files cannot be found, fetched or verified.
    """
    check_split("rt_polarity", split, ["all", *RT_POLARITY_SPLITS], optional=True)
    texts: list[str] = []
    labels: list[int] = []
    for label, polarity in enumerate(("neg", "pos")):
        path = fetch_file("rt_polarity", f"rt-polarity.{polarity}")
        snippets = [line.strip() for line in path.read_text(encoding="cp1252").splitlines()]
        if split is not None and split != "all":
            start, stop = RT_POLARITY_SPLITS[split]
            order = np.random.default_rng(RT_POLARITY_SPLIT_SEED).permutation(len(snippets))
            bounds = [round(fraction * len(snippets)) for fraction in (start, stop)]
            snippets = [snippets[i] for i in sorted(order[bounds[0] : bounds[1]])]
        texts += snippets
        labels += [label] * len(snippets)
    return texts, np.asarray(labels, dtype=np.int64)


def load_sst2(split: str) -> tuple[list[str], np.ndarray]:
    """Return GLUE SST-2 (binary Stanford Sentiment Treebank), one labelled split.

    Args:
        split: ``"train"`` (67,349 phrases and sentences: 29,780 negative, 37,569 positive) or
            ``"validation"`` (GLUE's ``dev.tsv``: 872 whole sentences, 428 / 444). GLUE keeps the
            test labels hidden, so ``"test"`` is refused: evaluate on ``"validation"`` or hold out
            part of ``"train"``.

    Returns:
        ``(texts, labels)`` in file order, labels 0 = negative, 1 = positive. The sentences are
        lower-cased and PTB-tokenised as GLUE ships them (``it 's``, ``n't``), without the
        trailing space GLUE leaves before the TAB.

    Raises:
        TypeError: ``split`` is not a string.
        ValueError: ``"test"`` (no labels), or an unknown split name.
        rnn_course.data.DataError: the file cannot be found, fetched or verified.
    """
    if split == "test":
        raise ValueError(
            "SST-2 has no labelled test split: GLUE keeps the test labels hidden (test.tsv holds "
            "sentences only). Use split='validation' (GLUE's dev set, 872 sentences) to "
            "evaluate, or hold out part of split='train'."
        )
    check_split("sst2", split, ["train", "validation"], optional=False)
    relpath = {"train": "train.tsv", "validation": "dev.tsv"}[split]
    lines = fetch_file("sst2", relpath).read_text(encoding="utf-8").splitlines()
    texts: list[str] = []
    labels: list[int] = []
    for line in lines[1:]:  # the header is "sentence<TAB>label"
        sentence, label = line.rsplit("\t", 1)
        texts.append(sentence.strip())
        labels.append(int(label))
    return texts, np.asarray(labels, dtype=np.int64)
