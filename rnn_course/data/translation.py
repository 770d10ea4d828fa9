"""Translation datasets: the Tatoeba English-Spanish pairs of the TensorFlow / Keras tutorials."""

from __future__ import annotations

import zipfile

from .store import fetch_file

__all__ = ["load_spa_eng"]

_SPA_TXT = "spa-eng/spa.txt"


def load_spa_eng() -> list[tuple[str, str]]:
    """Return the 118,964 English-Spanish sentence pairs of ``spa-eng.zip`` (Tatoeba, 2018-05-13).

    This is the file the TensorFlow "NMT with attention" tutorial and the Keras English-to-Spanish
    Transformer example download. It is read from the registered ``spa-eng.zip`` (data
    directory, mirror, or its download URL), member ``spa-eng/spa.txt``; the mirror's
    ``spa.txt.part1`` + ``part2`` hold the same text.

    Returns:
        ``(english, spanish)`` pairs in file order, roughly from short to long; all pairs are
        distinct, but one English sentence often has several translations ("Go." -> "Ve.",
        "Vete.", "Vaya."). There is no official split: shuffle with a seed and split yourself.

    Raises:
        rnn_course.data.DataError: the zip cannot be found, fetched or verified.
    """
    path = fetch_file("spa_eng", "spa-eng.zip")
    with zipfile.ZipFile(path) as archive:
        text = archive.read(_SPA_TXT).decode("utf-8")
    pairs = [line.split("\t") for line in text.splitlines()]
    return [(english, spanish) for english, spanish in pairs]
