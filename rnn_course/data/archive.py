"""Read a verified upstream archive and turn its members into a dataset's registered files.

:func:`unpack` reads a tar.gz or zip archive once, in member order, and returns the bytes of every
registered file the archive provides: members copied byte for byte (the archive's ``members``
mapping) and files rebuilt by a *repacker* (the archive's ``repack_with``). It does not verify or
write anything: :func:`rnn_course.data.store.fetch_file` does, against each file's own sha256.
Output paths come from the registry, never from member names, so an archive cannot write
outside the dataset folder.

Repackers rebuild files the course stores in another layout than upstream:

* ``imdb_jsonl``: ``aclImdb/{train,test}/{pos,neg}/<id>_<rating>.txt`` (one review a file) ->
  ``{split}_{pos,neg}.{00,01}-of-02.jsonl.gz``, one JSON object ``{"id", "rating", "label",
  "text"}`` a line, sorted by id, ids below 6,250 in shard 00, compressed like ``gzip -9 -n``.
  The JSON text is identical to the mirror's; the gzip bytes usually are too, and where zlib
  and GNU gzip choose different deflate blocks the file is verified by its decompressed content
  (``content_sha256`` in the registry).
"""

from __future__ import annotations

import json
import re
import struct
import tarfile
import zipfile
import zlib
from collections.abc import Callable, Iterator
from pathlib import Path

from .registry import Archive, DataError

__all__ = ["REPACKERS", "gzip_n9", "imdb_jsonl_shards", "unpack"]


def _members(path: Path, fmt: str) -> Iterator[tuple[str, Callable[[], bytes]]]:
    """Yield ``(name, read)`` for each regular-file member, streaming through the archive once."""
    if fmt == "tar.gz":
        with tarfile.open(path, mode="r|gz") as tar:
            for member in tar:
                if member.isfile():
                    yield member.name, lambda member=member: tar.extractfile(member).read()
    elif fmt == "zip":
        with zipfile.ZipFile(path) as archive:
            for info in archive.infolist():
                if not info.is_dir():
                    yield info.filename, lambda info=info: archive.read(info)
    else:
        raise DataError(f"Unsupported archive format {fmt!r}; expected 'tar.gz' or 'zip'.")


def unpack(path: Path, archive: Archive, relpaths: set[str]) -> dict[str, bytes]:
    """Return relpath -> bytes of every file in ``relpaths`` that the archive at ``path`` provides.

    Raises:
        DataError: the archive cannot be read (not a tar.gz / zip, truncated), or names an
            unknown repacker.
    """
    wants: Callable[[str], bool] | None = None
    picked: dict[str, bytes] = {}
    if archive.repack_with is not None:
        if archive.repack_with not in REPACKERS:
            raise DataError(
                f"Unknown repacker {archive.repack_with!r} for {archive.filename}; known: "
                f"{', '.join(sorted(REPACKERS))}."
            )
        wants, build = REPACKERS[archive.repack_with]
    files: dict[str, bytes] = {}
    try:
        for name, read in _members(path, archive.format):
            relpath = archive.relpath_of(name)
            if relpath is not None and relpath in relpaths:
                files[relpath] = read()
            elif wants is not None and wants(name):
                picked[name] = read()
    except (tarfile.TarError, zipfile.BadZipFile, EOFError, zlib.error) as error:
        raise DataError(
            f"Could not read the archive {path} as {archive.format}: {error}."
        ) from error
    if wants is not None:
        built = build(picked)
        files.update({relpath: data for relpath, data in built.items() if relpath in relpaths})
    return files


def gzip_n9(data: bytes) -> bytes:
    """Compress ``data`` as ``gzip -9 -n`` does (no name, no timestamp, OS = Unix).

    zlib at level 9 with ``memLevel=9`` gives GNU gzip's header and, for most inputs, its deflate
    stream too (5 of the 8 IMDb shards); Python's :func:`gzip.compress` differs more often.
    """
    compressor = zlib.compressobj(9, zlib.DEFLATED, -zlib.MAX_WBITS, 9)
    body = compressor.compress(data) + compressor.flush()
    header = b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x02\x03"
    return header + body + struct.pack("<II", zlib.crc32(data), len(data) & 0xFFFFFFFF)


_IMDB_MEMBER = re.compile(r"aclImdb/(train|test)/(pos|neg)/(\d+)_(\d+)\.txt")
_IMDB_SHARD_SIZE = 6_250


def _imdb_wants(name: str) -> bool:
    return _IMDB_MEMBER.fullmatch(name) is not None


def imdb_jsonl_shards(records: dict[tuple[str, str], list[dict]]) -> dict[str, bytes]:
    """Write ``(split, "pos"/"neg") -> records`` as the mirror's gzipped JSONL shards."""
    files = {}
    for (split, polarity), rows in sorted(records.items()):
        rows = sorted(rows, key=lambda row: row["id"])
        for shard in (0, 1):
            lines = [
                json.dumps(row, ensure_ascii=False) + "\n"
                for row in rows
                if (row["id"] >= _IMDB_SHARD_SIZE) == bool(shard)
            ]
            relpath = f"{split}_{polarity}.{shard:02d}-of-02.jsonl.gz"
            files[relpath] = gzip_n9("".join(lines).encode("utf-8"))
    return files


def _imdb_build(picked: dict[str, bytes]) -> dict[str, bytes]:
    records: dict[tuple[str, str], list[dict]] = {}
    for name, data in picked.items():
        split, polarity, review_id, rating = _IMDB_MEMBER.fullmatch(name).groups()
        row = {
            "id": int(review_id),
            "rating": int(rating),
            "label": int(polarity == "pos"),
            "text": data.decode("utf-8"),
        }
        records.setdefault((split, polarity), []).append(row)
    return imdb_jsonl_shards(records)


REPACKERS: dict[str, tuple[Callable[[str], bool], Callable[[dict[str, bytes]], dict[str, bytes]]]]
REPACKERS = {"imdb_jsonl": (_imdb_wants, _imdb_build)}
"""name -> (which members it reads, how it builds relpath -> bytes from them)."""
