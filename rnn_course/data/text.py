"""Text datasets: the tiny Shakespeare loader and random training windows for language models."""

from __future__ import annotations

import numpy as np

from ._splits import check_split
from .store import fetch_file

__all__ = ["TINY_SHAKESPEARE_SPLITS", "load_tiny_shakespeare", "random_windows"]

TINY_SHAKESPEARE_SPLITS: dict[str, tuple[int, int | None]] = {
    "train": (0, 1_003_854),
    "validation": (1_003_854, 1_059_624),
    "test": (1_059_624, None),
}
"""Character ranges ``[start, stop)`` of the TFDS ``tiny_shakespeare`` splits (90 / 5 / 5 %)."""


def load_tiny_shakespeare(split: str | None = None) -> str:
    """Return the tiny Shakespeare text, whole or one split.

    Args:
        split: ``None`` or ``"all"`` for the whole text (1,115,394 characters); ``"train"``,
            ``"validation"`` or ``"test"`` for the TFDS split by character position: train is
            ``text[:1003854]``, validation ``text[1003854:1059624]``, test the last 55,770
            characters.

    Raises:
        TypeError: ``split`` is not None or a string.
        ValueError: an unknown split name (the message suggests the closest).
        rnn_course.data.DataError: the text file cannot be found or fetched.
    """
    check_split("tiny_shakespeare", split, ["all", *TINY_SHAKESPEARE_SPLITS], optional=True)
    text = fetch_file("tiny_shakespeare", "input.txt").read_text(encoding="utf-8")
    if split is None or split == "all":
        return text
    start, stop = TINY_SHAKESPEARE_SPLITS[split]
    return text[start:stop]


def random_windows(
    ids: np.ndarray, seq_len: int, batch_size: int, rng: np.random.Generator | int
) -> tuple[np.ndarray, np.ndarray]:
    """Sample a batch of training windows at uniformly random offsets, with next-token targets.

    Each row of ``x`` is ``ids[o : o + seq_len]`` for a random offset ``o`` drawn uniformly from
    every valid position in the whole array, and the same row of ``y`` is
    ``ids[o + 1 : o + seq_len + 1]``.
    Sampling over the whole text keeps batches representative; windows taken in text order with a
    small shuffle buffer feed the model one region at a time and make validation loss rise.

    Args:
        ids: 1-D integer array of token ids (e.g. character ids of a text).
        seq_len: length of each window (at least 1).
        batch_size: number of windows (at least 1).
        rng: a NumPy ``Generator``, or an int seed for a new one.

    Returns:
        ``(x, y)``, two arrays of shape ``(batch_size, seq_len)`` with the dtype of ``ids``.

    Raises:
        ValueError: ``ids`` is not 1-D, is too short (fewer than ``seq_len + 1`` tokens) or holds
            a negative id; ``seq_len`` / ``batch_size`` is not a positive integer; ``rng`` is a
            negative seed.
        TypeError: ``ids`` is None, a string, or does not hold integers; ``rng`` is neither a
            ``Generator`` nor an int.
    """
    if ids is None or isinstance(ids, (str, bytes)):
        given = "None" if ids is None else f"a {type(ids).__name__} (text: map it to ids first)"
        raise TypeError(f"ids must be a 1-D array of integer token ids, got {given}.")
    ids = np.asarray(ids)
    if ids.ndim != 1:
        raise ValueError(f"ids must be a 1-D array of token ids, got shape {ids.shape}.")
    if not np.issubdtype(ids.dtype, np.integer):
        raise TypeError(f"ids must hold integers (token ids), got dtype {ids.dtype}.")
    for arg_name, value in (("seq_len", seq_len), ("batch_size", batch_size)):
        if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 1:
            raise ValueError(f"{arg_name} must be a positive integer, got {value!r}.")
    if len(ids) < seq_len + 1:
        raise ValueError(
            f"ids has {len(ids)} tokens; windows of seq_len={seq_len} with next-token targets "
            f"need at least seq_len + 1 = {seq_len + 1}."
        )
    if ids.min() < 0:
        raise ValueError(
            f"ids must be non-negative token ids, got {int(ids.min())} at index "
            f"{int(np.argmin(ids))}."
        )
    if isinstance(rng, (bool, np.bool_)) or not isinstance(
        rng, (np.random.Generator, int, np.integer)
    ):
        raise TypeError(
            f"rng must be a numpy.random.Generator or an int seed, got {type(rng).__name__} "
            f"{rng!r}."
        )
    if not isinstance(rng, np.random.Generator) and rng < 0:
        raise ValueError(f"rng, an int seed, must be non-negative, got {rng!r}.")
    rng = np.random.default_rng(rng)
    offsets = rng.integers(0, len(ids) - seq_len, size=batch_size)
    windows = ids[offsets[:, None] + np.arange(seq_len + 1)]
    return windows[:, :-1], windows[:, 1:]
