"""The course's dataset registry: what each dataset is, where it comes from, and its files.

The metadata lives in ``registry.json`` next to this module; the sha256 of every file lives in
``checksums/<name>.sha256`` (``sha256sum`` format, paths relative to the dataset folder). Both are
regenerated and checked against the data mirror by ``scripts/make_registry.py``.

In ``registry.json`` each dataset's ``"downloads"`` maps either a file's relpath, or a folder prefix
ending in ``/``, to the URL (or URL prefix) that serves exactly those bytes.

A dataset may also declare an upstream ``"archive"`` (:class:`Archive`): the published tar.gz or zip
its files were extracted or repacked from, with the archive's own published sha256 (and where that
checksum was published). Files the archive covers are unpacked (or rebuilt by a named repacker)
from it into the data directory, then verified against their own registered sha256 like any other
file. A dataset without one says why in ``"archive_note"``. Files with neither a download URL nor
an archive can only come from the course data directory or the mirror.

This module also defines the errors of :mod:`rnn_course.data`; they all subclass :class:`DataError`.
Arguments of the wrong type (a dataset name that is not a string, say) raise ``TypeError``.
"""

from __future__ import annotations

import difflib
import fnmatch
import json
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from importlib import resources
from pathlib import PurePath
from types import MappingProxyType

__all__ = [
    "ARCHIVE_FORMATS",
    "DATASETS",
    "Archive",
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


ARCHIVE_FORMATS = ("tar.gz", "zip")
"""The archive formats :class:`Archive` supports."""


@dataclass(frozen=True)
class Archive:
    """A dataset's published upstream archive, and how its members become the dataset's files.

    Attributes:
        url: where the archive is published.
        filename: its name (the download is kept under this name only while it is unpacked).
        format: ``"tar.gz"`` or ``"zip"``.
        size: its published size in bytes.
        sha256: its published sha256, lower-case hex.
        checksum_source: where that size and sha256 were published.
        members: relpath -> member name, copied byte for byte; a key ending in ``/`` maps a folder
            prefix of relpaths to a member-name prefix.
        missing: glob patterns (``fnmatch``) of relpaths under ``members`` that the archive does not
            hold (they fall back to their own download URL).
        repack_with: name of the repacker (in :mod:`rnn_course.data.archive`) that builds the files
            matching ``repack_files`` from the archive's members, or None.
        repack_files: glob pattern of the relpaths the repacker writes, or None.
        content_sha256: relpath -> sha256 of the *decompressed* content of each gzip file the
            repacker writes. Two gzip compressors may write different bytes for the same text
            (GNU gzip and zlib do), so such a file is accepted if either its own sha256 or that of
            its content is the registered one.
    """

    url: str
    filename: str
    format: str
    size: int
    sha256: str
    checksum_source: str
    members: Mapping[str, str]
    missing: tuple[str, ...] = ()
    repack_with: str | None = None
    repack_files: str | None = None
    content_sha256: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}))

    def relpath_of(self, member: str) -> str | None:
        """The relpath a member is copied to, or None if it is not copied (it may be repacked)."""
        for key, value in self.members.items():
            if key.endswith("/") and value.endswith("/") and member.startswith(value):
                relpath = key + member[len(value) :]
                break
            if member == value:
                relpath = key
                break
        else:
            return None
        return relpath if self.covers(relpath) else None

    def covers(self, relpath: str) -> bool:
        """Whether the archive provides the file ``relpath`` (copied or repacked)."""
        if self.repack_files is not None and fnmatch.fnmatchcase(relpath, self.repack_files):
            return True
        if any(fnmatch.fnmatchcase(relpath, pattern) for pattern in self.missing):
            return False
        return any(
            relpath == key or (key.endswith("/") and relpath.startswith(key))
            for key in self.members
        )


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
    archive: Archive | None = None
    archive_note: str = ""

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


def _archive_of(entry: Mapping | None) -> Archive | None:
    """Build an :class:`Archive` from its ``registry.json`` entry (None stays None)."""
    if entry is None:
        return None
    repack = entry.get("repack") or {}
    return Archive(
        url=entry["url"],
        filename=entry["filename"],
        format=entry["format"],
        size=entry["size"],
        sha256=entry["sha256"].lower(),
        checksum_source=entry["checksum_source"],
        members=MappingProxyType(dict(entry.get("members", {}))),
        missing=tuple(entry.get("missing", ())),
        repack_with=repack.get("with"),
        repack_files=repack.get("files"),
        content_sha256=MappingProxyType(dict(repack.get("content_sha256", {}))),
    )


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
            archive=_archive_of(entry.get("archive")),
            archive_note=entry.get("archive_note", ""),
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
