"""Speech datasets: the Free Spoken Digit Dataset (FSDD), read with the standard library."""

from __future__ import annotations

import difflib
import re
import wave
from collections.abc import Iterable
from pathlib import Path

import numpy as np

from . import registry
from ._splits import check_split
from .registry import DataError
from .store import fetch_file

__all__ = ["FSDD_SAMPLE_RATE", "FSDD_SPEAKERS", "load_free_spoken_digit"]

FSDD_SAMPLE_RATE = 8000
"""Sample rate of every FSDD recording, in Hz."""

FSDD_SPEAKERS = ("george", "jackson", "lucas", "nicolas", "theo", "yweweler")
"""The six FSDD v1.0.10 speakers (500 recordings each; ``lucas`` is new in v1.0.10)."""

_NAME = re.compile(r"recordings/(\d)_([a-z]+)_(\d+)\.wav")


def _recordings() -> list[tuple[int, str, int, str]]:
    """``(digit, speaker, index, relpath)`` of every registered recording, sorted."""
    found = []
    for relpath in registry.get_dataset("free_spoken_digit").files:
        match = _NAME.fullmatch(relpath)
        if match:
            digit, speaker, index = match.groups()
            found.append((int(digit), speaker, int(index), relpath))
    return sorted(found)


def _read_wav(path: Path) -> np.ndarray:
    """Samples of a 16-bit PCM mono WAV file as float32 in [-1, 1)."""
    with wave.open(str(path), "rb") as wav:
        layout = (wav.getnchannels(), wav.getsampwidth(), wav.getframerate())
        frames = wav.readframes(wav.getnframes())
    if layout != (1, 2, FSDD_SAMPLE_RATE):
        raise DataError(
            f"{path}: expected 16-bit mono PCM at {FSDD_SAMPLE_RATE} Hz, got {layout[0]} "
            f"channel(s), {8 * layout[1]}-bit samples at {layout[2]} Hz."
        )
    return (np.frombuffer(frames, dtype="<i2") / 32768.0).astype(np.float32)


def load_free_spoken_digit(
    split: str | None = None, speakers: str | Iterable[str] | None = None
) -> tuple[list[np.ndarray], np.ndarray, list[str], int]:
    """Return FSDD v1.0.10 recordings of spoken digits: waveforms, digits and speakers.

    3,000 recordings (6 speakers x 10 digits x 50 takes), 8 kHz mono, 0.14-2.28 s long.

    Args:
        split: ``None`` or ``"all"`` for all 3,000; ``"train"`` (take index 5-49: 2,700) or
            ``"test"`` (take index 0-4: 300), the split upstream's README defines.
        speakers: ``None`` for all speakers, or one name or several from :data:`FSDD_SPEAKERS`
            to keep only theirs (500 recordings a speaker). For a speaker-held-out split, load
            with ``speakers=["theo"]`` and with the others, or filter on the returned speakers.

    Returns:
        ``(waves, labels, speakers, sample_rate)``: a list of 1-D float32 arrays in [-1, 1)
        (lengths differ), the digits as an int64 array, each recording's speaker, and 8000.
        Sorted by digit, then speaker, then take index.

    Raises:
        TypeError: ``split`` or ``speakers`` has the wrong type.
        ValueError: an unknown split or speaker name (the message suggests the closest).
        rnn_course.data.DataError: a file cannot be found, fetched or verified.
    """
    check_split("free_spoken_digit", split, ["all", "train", "test"], optional=True)
    wanted = _check_speakers(speakers)
    waves, labels, who = [], [], []
    for digit, speaker, index, relpath in _recordings():
        if (
            speaker not in wanted
            or (split == "train" and index < 5)
            or (split == "test" and index >= 5)
        ):
            continue
        waves.append(_read_wav(fetch_file("free_spoken_digit", relpath)))
        labels.append(digit)
        who.append(speaker)
    return waves, np.asarray(labels, dtype=np.int64), who, FSDD_SAMPLE_RATE


def _check_speakers(speakers: str | Iterable[str] | None) -> set[str]:
    """The set of speakers to keep (all when None)."""
    if speakers is None:
        return set(FSDD_SPEAKERS)
    names = [speakers] if isinstance(speakers, str) else speakers
    valid = ", ".join(map(repr, FSDD_SPEAKERS))
    try:
        names = list(names)
    except TypeError:
        names = None
    if names is None or not all(isinstance(name, str) for name in names):
        raise TypeError(
            f"speakers must be None, a speaker's name or a list of names from {valid}; got "
            f"{type(speakers).__name__} {speakers!r}."
        )
    if not names:
        raise ValueError(f"speakers is empty; give at least one of {valid}, or None for all.")
    for name in names:
        if name not in FSDD_SPEAKERS:
            close = difflib.get_close_matches(name.strip().lower(), FSDD_SPEAKERS, n=1)
            hint = f" Did you mean {close[0]!r}?" if close else ""
            raise ValueError(f"Unknown FSDD speaker {name!r}.{hint} The speakers are {valid}.")
    return set(names)
