"""Find, verify and (if needed) download the course's dataset files.

:func:`fetch_file` looks for a registered file in this order, verifying size and sha256 each time:

1. the course data directory, ``data_dir()/<name>/<relpath>`` (our cache: a bad copy there is
   deleted with a warning, and the search goes on);
2. the mirror, ``mirror_dir()/<name>/<relpath>``, used in place and never modified (a bad copy
   there raises :class:`ChecksumError`);
3. the dataset's published upstream archive, if it covers the file (:class:`~.registry.Archive`):
   downloaded once into the data directory through a ``.part`` file, checked against its published
   size and sha256 (a bad archive raises :class:`ChecksumError` and nothing is kept), unpacked or
   repacked into the data directory (every file it yields is verified against its own registered
   sha256), then deleted;
4. the file's canonical URL, downloaded into the data directory through a ``.part`` file that is
   renamed only once its sha256 is right. Files without a URL raise
   :class:`DatasetNotAvailableError`.

A file verified once is not hashed again in the same process unless it changes (size, mtime or
inode); :func:`clear_cache` forgets all verifications.
"""

from __future__ import annotations

import contextlib
import gzip
import hashlib
import os
import urllib.request
import warnings
import zlib
from pathlib import Path

from tqdm import tqdm

from . import archive as _archive
from . import registry
from .registry import ChecksumError, DataError, DataFile, DatasetNotAvailableError, DownloadError

__all__ = [
    "DATA_VARIABLE",
    "DOWNLOAD_TIMEOUT",
    "MIRROR_VARIABLE",
    "clear_cache",
    "data_dir",
    "fetch",
    "fetch_file",
    "mirror_dir",
]

DATA_VARIABLE = "RNN_COURSE_DATA"
MIRROR_VARIABLE = "RNN_COURSE_MIRROR"
DOWNLOAD_TIMEOUT = 30.0
"""Socket timeout of a download, in seconds: offline machines fail fast, no retries."""

_REPO_ROOT = Path(__file__).resolve().parents[2]
_CHUNK = 1 << 20
_OFFLINE_HINT = (
    f"Offline? Point {MIRROR_VARIABLE} at a copy of the course data mirror (the folder with "
    "MANIFEST.md), or copy the file into the data directory yourself."
)

# path -> (sha256, size, mtime_ns, inode) of files verified in this process.
_verified: dict[Path, tuple[str, int, int, int]] = {}


def clear_cache() -> None:
    """Forget which files were verified, so the next lookup hashes them again."""
    _verified.clear()


def data_dir() -> Path:
    """Return the course data directory (it may not exist yet).

    ``$RNN_COURSE_DATA`` if set and not empty; else ``<repo>/data`` when the package runs from a
    source checkout (one with ``data/README.md``); else ``~/rnn_course_data``.

    Raises:
        DataError: that path, or a folder above it, is a file, so no directory can be there.
    """
    configured = os.environ.get(DATA_VARIABLE, "")
    if configured:
        path = Path(configured).expanduser()
        source = f"{DATA_VARIABLE}={configured!r}"
        fix = f"Point {DATA_VARIABLE} at a folder (it is created if missing), or unset it."
    else:
        checkout_data = _REPO_ROOT / "data"
        if (checkout_data / "README.md").is_file():
            path = checkout_data
        else:
            path = Path.home() / "rnn_course_data"
        source = f"The course data directory {str(path)!r}"
        fix = f"Move that file away, or set {DATA_VARIABLE} to a folder for the course data."
    blocker = _non_directory_on(path)
    if blocker is not None:
        where = "is a file" if blocker == path else f"lies under {str(blocker)!r}, which is a file"
        raise DataError(f"{source} must name a directory, but it {where}, not a directory. {fix}")
    return path


def _non_directory_on(path: Path) -> Path | None:
    """The first existing path among ``path`` and its parents if it is not a directory."""
    for candidate in (path, *path.parents):
        try:
            if candidate.exists():
                return None if candidate.is_dir() else candidate
        except OSError:  # unreadable: let the file operations report it
            return None
    return None


def mirror_dir() -> Path | None:
    """Return the data mirror directory, or None if there is none.

    ``$RNN_COURSE_MIRROR`` if set (an empty value means "no mirror"); else ``<repo>/../shared/data``
    if it exists; else ``<cwd>/../shared/data`` if it exists; else None.

    Raises:
        DataError: ``$RNN_COURSE_MIRROR`` names a directory that does not exist.
    """
    configured = os.environ.get(MIRROR_VARIABLE)
    if configured is not None:
        if not configured:
            return None
        path = Path(configured).expanduser()
        if not path.is_dir():
            raise DataError(
                f"{MIRROR_VARIABLE}={configured!r}, but that directory does not exist (or is not "
                f"a directory). Point it at a copy of the course data mirror (the folder with "
                f"MANIFEST.md), or set {MIRROR_VARIABLE}= (empty) to use no mirror."
            )
        return path
    for candidate in (_REPO_ROOT.parent / "shared" / "data", Path.cwd().parent / "shared" / "data"):
        if candidate.is_dir():
            return candidate
    return None


def fetch_file(name: str, relpath: str) -> Path:
    """Return the path of a verified copy of one registered file, downloading it if needed.

    Args:
        name: dataset name, e.g. ``"tiny_shakespeare"``.
        relpath: path relative to the dataset folder, e.g. ``"input.txt"``.

    Raises:
        TypeError: ``name`` or ``relpath`` is not a string.
        UnknownDatasetError: no such dataset.
        DataError: no such file in the dataset, a bad ``$RNN_COURSE_MIRROR``, or a data directory
            that is a file.
        ChecksumError: the mirror's copy or the downloaded bytes are wrong.
        DownloadError: the download failed.
        DatasetNotAvailableError: the file is nowhere local and has no download URL.
    """
    info = registry.get_dataset(name).file(relpath)
    local = data_dir() / name / relpath
    if local.exists() and not local.is_file():
        raise DataError(
            f"{local} should be the file {name}/{relpath} of the data directory, but it is a "
            "folder (or not a regular file). Move it away; the file is then looked up again."
        )
    dataset = registry.get_dataset(name)
    if local.exists():
        if _is_good(local, info) or _has_registered_content(local, dataset, relpath):
            return local
        warnings.warn(
            f"Deleting the corrupt cached file {local} ({_mismatch(local, info)}); "
            "looking for a good copy elsewhere.",
            stacklevel=2,
        )
        local.unlink()

    mirror = mirror_dir()
    if mirror is not None:
        mirrored = mirror / name / relpath
        if mirrored.exists():
            if _is_good(mirrored, info):
                return mirrored
            raise ChecksumError(
                f"The mirror's copy of {name}/{relpath} is corrupt: {_mismatch(mirrored, info)}. "
                f"The file is {mirrored}; it was left as it is (the mirror is never modified). "
                f"Restore it as described in {mirror / name / 'SOURCE.md'}, or set "
                f"{MIRROR_VARIABLE}= (empty) to skip the mirror and download the file."
            )

    where = f"not in the data directory ({local})"
    where += f" nor in the mirror ({mirror})" if mirror is not None else " and no mirror was found"
    if dataset.archive is not None and dataset.archive.covers(relpath):
        _unpack_archive(dataset, where)
        if local.is_file():
            return local
        raise DatasetNotAvailableError(
            f"{name}/{relpath} is {where}, and the upstream archive {dataset.archive.filename} "
            f"({dataset.archive.url}), though its sha256 is right, has no member for it. Set "
            f"{MIRROR_VARIABLE} to a copy of the course data mirror, or put the file at {local} "
            f"(sha256 {info.sha256})."
        )
    if info.url is None:
        tfds = f", TFDS name {dataset.tfds_name!r}" if dataset.tfds_name else ""
        note = f" {dataset.archive_note}" if dataset.archive_note else ""
        raise DatasetNotAvailableError(
            f"{name}/{relpath} is {where}, and it cannot be downloaded on its own: it is not a "
            f"file published at a URL (upstream: {dataset.upstream_url}{tfds}).{note} Set "
            f"{MIRROR_VARIABLE} to a copy of the course data mirror (the folder with "
            f"MANIFEST.md), or put the file at {local} (sha256 {info.sha256})."
        )
    _download(info.url, info.size, info.sha256, local, f"{name}/{info.relpath}", where)
    _verified[local] = _cache_key(local, info)
    return local


def _unpack_archive(dataset: registry.Dataset, where: str) -> None:
    """Download ``dataset.archive`` into the data folder, verify it, write the files it covers.

    Files already good in the data directory are left as they are. The archive itself is deleted
    afterwards, whatever happens.

    Raises:
        ChecksumError: the archive is not the published one (nothing is kept), or a file built
            from it differs from the registered file (that file is not kept).
        DownloadError: the download failed.
        DataError: the archive cannot be read.
    """
    archive = dataset.archive
    assert archive is not None
    folder = data_dir() / dataset.name
    wanted = {
        relpath
        for relpath, info in dataset.files.items()
        if archive.covers(relpath)
        and not (
            (folder / relpath).is_file()
            and (
                _is_good(folder / relpath, info)
                or _has_registered_content(folder / relpath, dataset, relpath)
            )
        )
    }
    path = folder / archive.filename
    label = f"the upstream archive of {dataset.name} ({archive.filename})"
    try:
        _download(archive.url, archive.size, archive.sha256, path, label, where)
        files = _archive.unpack(path, archive, wanted)
    finally:
        with contextlib.suppress(OSError):
            path.unlink(missing_ok=True)
    wrong = []
    for relpath, content in sorted(files.items()):
        info = dataset.files[relpath]
        digest = hashlib.sha256(content).hexdigest()
        expected_content = archive.content_sha256.get(relpath)
        exact = len(content) == info.size and digest == info.sha256
        if not exact and (expected_content is None or _gunzip_sha256(content) != expected_content):
            wrong.append(
                f"{relpath}: expected {info.size:,} bytes with sha256 {info.sha256}, got "
                f"{len(content):,} bytes with sha256 {digest}"
            )
            continue
        dest = folder / relpath
        part = dest.with_name(dest.name + ".part")
        try:
            dest.parent.mkdir(parents=True, exist_ok=True)
            part.write_bytes(content)
            os.replace(part, dest)
        finally:
            with contextlib.suppress(OSError):
                part.unlink(missing_ok=True)
        _verified[dest] = _cache_key(dest, info) if exact else _content_key(dest, relpath, archive)
    if wrong:
        raise ChecksumError(
            f"{label} from {archive.url} has the published sha256, but {len(wrong)} of the files "
            f"built from it differ from the course's registered files, which were not kept: "
            + "; ".join(wrong[:3])
            + ("; ..." if len(wrong) > 3 else "")
            + f". Use the course data mirror ({MIRROR_VARIABLE}) instead."
        )


def fetch(name: str) -> dict[str, Path]:
    """Fetch every file of a dataset, as :func:`fetch_file` does.

    Files with neither a download URL nor an upstream archive are looked up first, so that a
    dataset which cannot be completed fails before anything is downloaded.

    Raises:
        TypeError, UnknownDatasetError: ``name`` is not a registered dataset's name.
        DataError, ChecksumError, DownloadError, DatasetNotAvailableError: as :func:`fetch_file`.

    Returns:
        relpath -> path of a verified copy, in registry (sorted) order. Each file is resolved on
        its own, so the paths may lie in different folders (the data directory, the mirror).
    """
    dataset = registry.get_dataset(name)

    def downloadable(info: DataFile) -> bool:
        return info.url is not None or (
            dataset.archive is not None and dataset.archive.covers(info.relpath)
        )

    mirror_only_first = sorted(dataset.files.values(), key=downloadable)
    paths = {info.relpath: fetch_file(name, info.relpath) for info in mirror_only_first}
    return {relpath: paths[relpath] for relpath in dataset.files}


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        while chunk := f.read(_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def _is_good(path: Path, info: DataFile) -> bool:
    """Check size, then sha256 (skipped if this exact file was verified before)."""
    key = _cache_key(path, info)
    if _verified.get(path) == key:
        return True
    if path.stat().st_size != info.size or _sha256(path) != info.sha256:
        return False
    _verified[path] = key
    return True


def _gunzip_sha256(content: bytes) -> str | None:
    """sha256 of gzip ``content`` decompressed, or None if it is not valid gzip."""
    try:
        return hashlib.sha256(gzip.decompress(content)).hexdigest()
    except (OSError, EOFError, zlib.error):
        return None


def _has_registered_content(path: Path, dataset: registry.Dataset, relpath: str) -> bool:
    """Whether ``path``, a gzip file repacked from the upstream archive, has the registered content.

    The data directory's copy of a repacked gzip file may come from another compressor than the
    mirror's; its decompressed content is then what is checked (once per process).
    """
    archive = dataset.archive
    if archive is None or relpath not in archive.content_sha256:
        return False
    key = _content_key(path, relpath, archive)
    if _verified.get(path) == key:
        return True
    if _gunzip_sha256(path.read_bytes()) != archive.content_sha256[relpath]:
        return False
    _verified[path] = key
    return True


def _content_key(path: Path, relpath: str, archive: registry.Archive) -> tuple[str, int, int, int]:
    stat = path.stat()
    return "content:" + archive.content_sha256[relpath], stat.st_size, stat.st_mtime_ns, stat.st_ino


def _cache_key(path: Path, info: DataFile) -> tuple[str, int, int, int]:
    """What must not change for a verified file to stay verified: hash, size, mtime, inode."""
    stat = path.stat()
    return info.sha256, stat.st_size, stat.st_mtime_ns, stat.st_ino


def _mismatch(path: Path, info: DataFile) -> str:
    """Describe how a file differs from the registered one."""
    return (
        f"expected {info.size:,} bytes with sha256 {info.sha256}, "
        f"found {path.stat().st_size:,} bytes with sha256 {_sha256(path)}"
    )


def _download(url: str, size: int, sha256: str, dest: Path, label: str, where: str) -> None:
    """Download ``url`` to ``dest`` via ``dest.part``; verify size and sha256 before renaming."""
    part = dest.with_name(dest.name + ".part")
    try:
        dest.parent.mkdir(parents=True, exist_ok=True)
        digest = hashlib.sha256()
        received = 0
        with (
            urllib.request.urlopen(url, timeout=DOWNLOAD_TIMEOUT) as response,
            part.open("wb") as out,
            tqdm(total=size, unit="B", unit_scale=True, desc=label, leave=False) as bar,
        ):
            while chunk := response.read(_CHUNK):
                received += len(chunk)
                if received > size:
                    break
                out.write(chunk)
                digest.update(chunk)
                bar.update(len(chunk))
        if received != size or digest.hexdigest() != sha256:
            got = "more bytes" if received > size else f"{received:,} bytes"
            got += "" if received > size else f" with sha256 {digest.hexdigest()}"
            raise ChecksumError(
                f"The download of {label} from {url} is wrong: expected {size:,} bytes "
                f"with sha256 {sha256}, got {got}. Nothing was kept. The server may be "
                f"serving a different version; use the course data mirror ({MIRROR_VARIABLE})."
            )
        os.replace(part, dest)
    except OSError as error:  # URLError, HTTPError, timeouts and disk errors are all OSErrors.
        raise DownloadError(
            f"Could not download {label} from {url}: {error}. The file is {where}. " + _OFFLINE_HINT
        ) from error
    finally:
        # Never let the clean-up hide the error above (e.g. a data folder that is a file).
        with contextlib.suppress(OSError):
            part.unlink(missing_ok=True)
