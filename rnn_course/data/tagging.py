"""Sequence-tagging datasets: CoNLL-2003 and WNUT 2017 named-entity recognition.

Both loaders return a list of sentences, each ``(tokens, tags)``: two lists of ``str`` of the same
length, in file order. Tags are IOB2 (every entity starts with ``B-``).
"""

from __future__ import annotations

from ._splits import check_split
from .store import fetch_file

__all__ = ["CONLL2003_COLUMNS", "load_conll2003", "load_wnut17"]

CONLL2003_COLUMNS = {"pos": 1, "chunk": 2, "ner": 3}
"""Tag columns of the CoNLL-2003 files (column 0 is the token)."""

_CONLL2003_FILES = {
    "train": "iob2/train.txt",
    "validation": "iob2/valid.txt",
    "test": "iob2/test.txt",
}
_WNUT17_FILES = {
    "train": "wnut17train.conll",
    "validation": "emerging.dev.conll",
    "test": "emerging.test.annotated",
}


def _sentences(text: str, column: int, sep: str | None) -> list[tuple[list[str], list[str]]]:
    """Split CoNLL text (one token a line, blank lines between sentences) into sentences.

    Lines that are empty once stripped end a sentence; ``-DOCSTART-`` lines are skipped.
    """
    sentences = []
    tokens: list[str] = []
    tags: list[str] = []
    for line in [*text.splitlines(), ""]:
        if not line.strip():
            if tokens:
                sentences.append((tokens, tags))
                tokens, tags = [], []
            continue
        if line.startswith("-DOCSTART-"):
            continue
        fields = line.split(sep)
        tokens.append(fields[0])
        tags.append(fields[column])
    return sentences


def load_conll2003(split: str, tags: str = "ner") -> list[tuple[list[str], list[str]]]:
    """Return CoNLL-2003 English (Reuters newswire), one split, from the IOB2 files.

    Args:
        split: ``"train"`` (14,041 sentences, 203,621 tokens), ``"validation"`` (``valid.txt``,
            eng.testa: 3,250 sentences) or ``"test"`` (eng.testb: 3,453 sentences).
        tags: which column to return as the tags: ``"ner"`` (the 4th column: ``O``,
            ``B-PER`` / ``I-PER``, ``LOC``, ``ORG``, ``MISC``), ``"pos"`` (Penn Treebank
            part-of-speech tags) or ``"chunk"`` (IOB2 syntactic chunks).

    Returns:
        Sentences in file order, each ``(tokens, tags)``; ``-DOCSTART-`` lines are skipped.

    Raises:
        TypeError: ``split`` or ``tags`` is not a string.
        ValueError: an unknown split or tag column (the message suggests the closest).
        rnn_course.data.DataError: the file cannot be found, fetched or verified.
    """
    check_split("conll2003", split, list(_CONLL2003_FILES), optional=False)
    if not isinstance(tags, str) or tags not in CONLL2003_COLUMNS:
        raise (ValueError if isinstance(tags, str) else TypeError)(
            f"tags must be one of 'ner', 'pos', 'chunk' (the CoNLL-2003 column to return); got "
            f"{type(tags).__name__} {tags!r}."
        )
    path = fetch_file("conll2003", _CONLL2003_FILES[split])
    return _sentences(path.read_text(encoding="utf-8"), CONLL2003_COLUMNS[tags], None)


def load_wnut17(split: str) -> list[tuple[list[str], list[str]]]:
    """Return WNUT 2017 Emerging and Rare Entities (noisy social-media NER), one split.

    Args:
        split: ``"train"`` (``wnut17train.conll``: 3,394 sentences, 62,730 tokens),
            ``"validation"`` (``emerging.dev.conll``: 1,009) or ``"test"``
            (``emerging.test.annotated``, the gold test set: 1,287).

    Returns:
        Sentences in file order, each ``(tokens, tags)``, with six entity types: ``person``,
        ``location``, ``group``, ``creative-work``, ``corporation``, ``product`` (``B-person``,
        ``I-person``, ..., ``O``). Tokens keep Twitter artefacts (``@user``, URLs, emoji).

    Raises:
        TypeError: ``split`` is not a string.
        ValueError: an unknown split name (the message suggests the closest).
        rnn_course.data.DataError: the file cannot be found, fetched or verified.
    """
    check_split("wnut17", split, list(_WNUT17_FILES), optional=False)
    path = fetch_file("wnut17", _WNUT17_FILES[split])
    return _sentences(path.read_text(encoding="utf-8"), 1, "\t")
