"""Find, verify and (if needed) download the course's dataset files.

:func:`fetch_file` looks for a registered file in this order, verifying size and sha256 each time:

1. the course data directory, ``data_dir()/<name>/<relpath>`` (our cache: a bad copy there is
   deleted with a warning, and the search goes on);
2. the mirror, ``mirror_dir()/<name>/<relpath>``, used in place and never modified (a bad copy
   there raises :class:`ChecksumError`);
3. the file's canonical URL, downloaded into the data directory through a ``.part`` file that is
   renamed only once its sha256 is right. Files without a URL raise
   :class:`DatasetNotAvailableError`.

A file verified once is not hashed again in the same process unless it changes (size, mtime or
inode); :func:`clear_cache` forgets all verifications.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import urllib.request
import warnings
from pathlib import Path

from tqdm import tqdm

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
    if local.exists():
        if _is_good(local, info):
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
    if info.url is None:
        dataset = registry.get_dataset(name)
        tfds = f", TFDS name {dataset.tfds_name!r}" if dataset.tfds_name else ""
        raise DatasetNotAvailableError(
            f"{name}/{relpath} is {where}, and it cannot be downloaded on its own: it is not a "
            f"file published at a URL (upstream: {dataset.upstream_url}{tfds}). Set "
            f"{MIRROR_VARIABLE} to a copy of the course data mirror (the folder with "
            f"MANIFEST.md), or put the file at {local} (sha256 {info.sha256})."
        )
    _download(info, local, name, where)
    return local


def fetch(name: str) -> dict[str, Path]:
    """Fetch every file of a dataset, as :func:`fetch_file` does.

    Files without a download URL are looked up first, so that a dataset which cannot be
    completed fails before anything is downloaded.

    Raises:
        TypeError, UnknownDatasetError: ``name`` is not a registered dataset's name.
        DataError, ChecksumError, DownloadError, DatasetNotAvailableError: as :func:`fetch_file`.

    Returns:
        relpath -> path of a verified copy, in registry (sorted) order. Each file is resolved on
        its own, so the paths may lie in different folders (the data directory, the mirror).
    """
    dataset = registry.get_dataset(name)
    mirror_only_first = sorted(dataset.files.values(), key=lambda info: info.url is not None)
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


def _download(info: DataFile, dest: Path, name: str, where: str) -> None:
    """Download ``info.url`` to ``dest`` via ``dest.part``; verify before renaming."""
    assert info.url is not None
    label = f"{name}/{info.relpath}"
    part = dest.with_name(dest.name + ".part")
    try:
        dest.parent.mkdir(parents=True, exist_ok=True)
        digest = hashlib.sha256()
        received = 0
        with (
            urllib.request.urlopen(info.url, timeout=DOWNLOAD_TIMEOUT) as response,
            part.open("wb") as out,
            tqdm(total=info.size, unit="B", unit_scale=True, desc=label, leave=False) as bar,
        ):
            while chunk := response.read(_CHUNK):
                received += len(chunk)
                if received > info.size:
                    break
                out.write(chunk)
                digest.update(chunk)
                bar.update(len(chunk))
        if received != info.size or digest.hexdigest() != info.sha256:
            got = "more bytes" if received > info.size else f"{received:,} bytes"
            got += "" if received > info.size else f" with sha256 {digest.hexdigest()}"
            raise ChecksumError(
                f"The download of {label} from {info.url} is wrong: expected {info.size:,} bytes "
                f"with sha256 {info.sha256}, got {got}. Nothing was kept. The server may be "
                f"serving a different version; use the course data mirror ({MIRROR_VARIABLE})."
            )
        os.replace(part, dest)
        _verified[dest] = _cache_key(dest, info)
    except OSError as error:  # URLError, HTTPError, timeouts and disk errors are all OSErrors.
        raise DownloadError(
            f"Could not download {label} from {info.url}: {error}. The file is {where}. "
            + _OFFLINE_HINT
        ) from error
    finally:
        # Never let the clean-up hide the error above (e.g. a data folder that is a file).
        with contextlib.suppress(OSError):
            part.unlink(missing_ok=True)
