"""The course's dataset registry: what each dataset is, where it comes from, and its files.

The metadata lives in ``registry.json`` next to this module; the sha256 of every file lives in
``checksums/<name>.sha256`` (``sha256sum`` format, paths relative to the dataset folder). Both are
regenerated and checked against the data mirror by ``scripts/make_registry.py``.

In ``registry.json`` each dataset's ``"downloads"`` maps either a file's relpath, or a folder prefix
ending in ``/``, to the URL (or URL prefix) that serves exactly those bytes. Files with no entry
(repacked or extracted files) can only come from the course data directory or the mirror.

This module also defines the errors of :mod:`rnn_course.data`; they all subclass :class:`DataError`.
Arguments of the wrong type (a dataset name that is not a string, say) raise ``TypeError``.
"""

from __future__ import annotations

import difflib
import json
import os
from collections.abc import Mapping
from dataclasses import dataclass
from importlib import resources
from pathlib import PurePath
from types import MappingProxyType

__all__ = [
    "DATASETS",
    "ChecksumError",
    "DataError",
    "DataFile",
    "Dataset",
    "DatasetNotAvailableError",
    "DownloadError",
    "UnknownDatasetError",
    "get_dataset",
]


class DataError(Exception):
    """Base class of every error raised by :mod:`rnn_course.data`."""


class UnknownDatasetError(DataError, ValueError):
    """A dataset name that is not in the registry."""


class ChecksumError(DataError):
    """A file whose size or sha256 is not the registered one."""


class DownloadError(DataError):
    """A download that failed (network, HTTP or disk error)."""


class DatasetNotAvailableError(DataError):
    """A file that is neither in the data directory nor in a mirror, and has no download URL."""


@dataclass(frozen=True)
class DataFile:
    """One file of a dataset.

    Attributes:
        relpath: path relative to the dataset folder, with ``/`` separators.
        sha256: expected sha256, lower-case hex.
        size: expected size in bytes.
        url: canonical URL serving exactly these bytes, or None (mirror only).
    """

    relpath: str
    sha256: str
    size: int
    url: str | None


@dataclass(frozen=True)
class Dataset:
    """A registered dataset: its metadata and its files (``relpath -> DataFile``, read-only)."""

    name: str
    title: str
    description: str
    license: str
    citation: str
    upstream_url: str
    tfds_name: str | None
    files: Mapping[str, DataFile]

    @property
    def size(self) -> int:
        """Total size of the dataset's files in bytes."""
        return sum(f.size for f in self.files.values())

    def file(self, relpath: str) -> DataFile:
        """Return the registered file ``relpath``.

        Raises:
            TypeError: ``relpath`` is not a string (or path).
            DataError: the dataset has no such file (the message suggests close matches).
        """
        if isinstance(relpath, os.PathLike):
            relpath = PurePath(relpath).as_posix()
        if not isinstance(relpath, str):
            raise TypeError(
                f"relpath must be a file's path in dataset {self.name!r} as a string, e.g. "
                f"{next(iter(self.files))!r}; got {type(relpath).__name__} {relpath!r}."
            )
        try:
            return self.files[relpath]
        except KeyError:
            close = difflib.get_close_matches(relpath, list(self.files), n=3)
            hint = f" Did you mean {', '.join(map(repr, close))}?" if close else ""
            examples = ", ".join(list(self.files)[:5])
            raise DataError(
                f"Dataset {self.name!r} has no file {relpath!r}.{hint} It has {len(self.files)} "
                f"files, e.g. {examples}. Paths are relative to the dataset folder."
            ) from None


def _url_for(relpath: str, downloads: Mapping[str, str]) -> str | None:
    """Return the download URL of ``relpath``: an exact entry, else the longest folder prefix."""
    if relpath in downloads:
        return downloads[relpath]
    prefixes = [key for key in downloads if key.endswith("/") and relpath.startswith(key)]
    if not prefixes:
        return None
    prefix = max(prefixes, key=len)
    return downloads[prefix] + relpath[len(prefix) :]


def _parse_checksums(text: str, source: str) -> dict[str, str]:
    """Parse ``sha256sum`` output into relpath -> sha256."""
    result = {}
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        digest, sep, relpath = line.partition("  ")
        if not sep or len(digest) != 64:
            raise DataError(
                f"{source}, line {number}: expected '<sha256>  <relpath>', got {line!r}"
            )
        result[relpath] = digest.lower()
    return result


def _load_registry() -> dict[str, Dataset]:
    """Read ``registry.json`` and the checksum files shipped with the package."""
    package = resources.files(__package__)
    entries = json.loads(package.joinpath("registry.json").read_text(encoding="utf-8"))["datasets"]
    datasets = {}
    for name, entry in entries.items():
        checksum_name = f"checksums/{name}.sha256"
        checksums = _parse_checksums(
            package.joinpath(checksum_name).read_text(encoding="utf-8"), checksum_name
        )
        sizes = entry["sizes"]
        if set(sizes) != set(checksums):
            raise DataError(
                f"Broken package data: registry.json sizes and {checksum_name} list different "
                f"files for {name!r}. Regenerate them with scripts/make_registry.py."
            )
        files = {
            relpath: DataFile(
                relpath, checksums[relpath], sizes[relpath], _url_for(relpath, entry["downloads"])
            )
            for relpath in sorted(checksums)
        }
        datasets[name] = Dataset(
            name=name,
            title=entry["title"],
            description=entry["description"],
            license=entry["license"],
            citation=entry["citation"],
            upstream_url=entry["upstream_url"],
            tfds_name=entry["tfds_name"],
            files=MappingProxyType(files),
        )
    return datasets


DATASETS: Mapping[str, Dataset] = MappingProxyType(_load_registry())
"""Every registered dataset, by name (read-only)."""


def get_dataset(name: str) -> Dataset:
    """Return the registered dataset called ``name``.

    Raises:
        TypeError: ``name`` is not a string.
        UnknownDatasetError: no such dataset; the message lists the known names and suggests
            the closest one.
    """
    known = sorted(DATASETS)
    if not isinstance(name, str):
        raise TypeError(
            f"A dataset name must be a string, one of {', '.join(known)}; got "
            f"{type(name).__name__} {name!r}."
        )
    try:
        return DATASETS[name]
    except KeyError:
        close = difflib.get_close_matches(str(name).strip().lower(), known, n=1)
        hint = f" Did you mean {close[0]!r}?" if close else ""
        raise UnknownDatasetError(
            f"Unknown dataset {name!r}.{hint} Known datasets: {', '.join(known)}."
        ) from None
