"""Argument checks shared by the dataset loaders (split names)."""

from __future__ import annotations

import difflib
from collections.abc import Sequence

__all__ = ["check_split"]

_ALIASES = {"dev": "validation", "val": "validation", "valid": "validation", "eval": "validation"}


def check_split(dataset: str, split: object, names: Sequence[str], *, optional: bool) -> str | None:
    """Return ``split`` if it is one of ``names`` (or None when ``optional``).

    Raises:
        TypeError: ``split`` is not a string (nor None when ``optional``).
        ValueError: an unknown split name; the message suggests the closest one.
    """
    valid = ", ".join(repr(name) for name in names)
    expected = f"None or one of {valid}" if optional else f"one of {valid}"
    if split is None and optional:
        return None
    if not isinstance(split, str):
        raise TypeError(f"split must be {expected}; got {type(split).__name__} {split!r}.")
    if split not in names:
        key = split.strip().lower()
        close = [_ALIASES[key]] if _ALIASES.get(key) in names else []
        close = close or difflib.get_close_matches(key, list(names), n=1)
        hint = f" Did you mean {close[0]!r}?" if close else ""
        raise ValueError(f"Unknown split {split!r} for {dataset}.{hint} Use {expected}.")
    return split
