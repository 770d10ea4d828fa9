"""Regenerate (or check) the dataset checksums and sizes from the course data mirror.

Usage::

    python scripts/make_registry.py          # write checksums/*.sha256 and registry.json sizes
    python scripts/make_registry.py --check  # verify only; exit 1 if anything differs
    python scripts/make_registry.py --mirror /path/to/shared/data

The hand-written metadata in ``rnn_course/data/registry.json`` (title, license, citation, URLs,
upstream archives ...) is kept as it is; only each dataset's ``"sizes"``, the
``"content_sha256"`` of the gzip files an archive's repacker writes (sha256 of their decompressed
content), and ``rnn_course/data/checksums/<name>.sha256`` are (re)written. An archive's
``"members"``, ``"missing"`` and ``"repack"`` patterns must each match a registered file.
Every file in the mirror is hashed and compared with the sha256 listed in its folder's
``SOURCE.md``; on any disagreement (a hash, a missing or an extra file, a dataset folder
that is not in the registry) the script prints the problems and writes nothing.
``SOURCE.md`` files document the mirror and are not registered.
"""

from __future__ import annotations

import argparse
import fnmatch
import gzip
import hashlib
import json
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
PACKAGE_DATA = REPO / "rnn_course" / "data"
REGISTRY_JSON = PACKAGE_DATA / "registry.json"
CHECKSUM_DIR = PACKAGE_DATA / "checksums"
DEFAULT_MIRROR = REPO.parent / "shared" / "data"
SOURCE_NAME = "SOURCE.md"


def sha256_of(path: Path) -> str:
    """Return the hex sha256 of a file."""
    digest = hashlib.sha256()
    with path.open("rb") as f:
        while chunk := f.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


def source_checksums(source_md: Path) -> dict[str, str]:
    """Return relpath -> sha256 from the first code block after the ``## sha256`` heading."""
    lines = source_md.read_text(encoding="utf-8").splitlines()
    start = next((i for i, line in enumerate(lines) if line.startswith("## sha256")), None)
    if start is None:
        raise ValueError(f"{source_md}: no '## sha256' section")
    fences = [i for i in range(start, len(lines)) if lines[i].startswith("```")]
    if len(fences) < 2:
        raise ValueError(f"{source_md}: the '## sha256' section has no code block")
    result = {}
    for line in lines[fences[0] + 1 : fences[1]]:
        if line.strip():
            digest, relpath = line.split(maxsplit=1)
            result[relpath.strip()] = digest.lower()
    return result


def scan(folder: Path) -> dict[str, tuple[str, int]]:
    """Return relpath -> (sha256, size) for every file under ``folder`` except SOURCE.md."""
    result = {}
    for path in sorted(folder.rglob("*")):
        if path.is_file() and path.name != SOURCE_NAME:
            relpath = path.relative_to(folder).as_posix()
            result[relpath] = (sha256_of(path), path.stat().st_size)
    return result


def compare_with_source(
    name: str, found: dict[str, tuple[str, int]], listed: dict[str, str]
) -> list[str]:
    """Return the disagreements between the mirror files and their SOURCE.md checksums."""
    problems = []
    for relpath in sorted(set(listed) - set(found)):
        problems.append(f"{name}/{relpath}: listed in SOURCE.md but missing from the mirror")
    for relpath in sorted(set(found) - set(listed)):
        problems.append(f"{name}/{relpath}: in the mirror but not listed in SOURCE.md")
    for relpath in sorted(set(found) & set(listed)):
        if found[relpath][0] != listed[relpath]:
            problems.append(
                f"{name}/{relpath}: sha256 {found[relpath][0]} does not match SOURCE.md "
                f"{listed[relpath]}"
            )
    return problems


def check_downloads(name: str, downloads: dict[str, str], relpaths: set[str]) -> list[str]:
    """Return problems with the ``downloads`` keys (each must name a file or a folder prefix)."""
    problems = []
    for key in downloads:
        if key.endswith("/"):
            if not any(relpath.startswith(key) for relpath in relpaths):
                problems.append(f"{name}: downloads prefix {key!r} matches no file")
        elif key not in relpaths:
            problems.append(f"{name}: downloads key {key!r} is not a file of the dataset")
    return problems


def check_archive(name: str, entry: dict, relpaths: set[str]) -> list[str]:
    """Return problems with a dataset's ``archive`` entry (or its missing ``archive_note``)."""
    archive = entry.get("archive")
    if archive is None:
        return [] if entry.get("archive_note") else [f"{name}: no archive and no archive_note"]
    problems = []
    if archive.get("format") not in ("tar.gz", "zip"):
        problems.append(f"{name}: archive format {archive.get('format')!r} is not tar.gz or zip")
    for key in archive.get("members", {}):
        if not any(relpath == key or relpath.startswith(key) for relpath in relpaths):
            problems.append(f"{name}: archive member key {key!r} matches no file")
    patterns = [*archive.get("missing", []), (archive.get("repack") or {}).get("files")]
    for pattern in filter(None, patterns):
        if not fnmatch.filter(relpaths, pattern):
            problems.append(f"{name}: archive pattern {pattern!r} matches no file")
    return problems


def content_checksums(folder: Path, archive: dict | None) -> dict[str, str] | None:
    """relpath -> sha256 of the decompressed content of each gzip file a repacker writes."""
    pattern = ((archive or {}).get("repack") or {}).get("files")
    if pattern is None:
        return None
    found = fnmatch.filter(
        (p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file()), pattern
    )
    return {
        relpath: hashlib.sha256(gzip.decompress((folder / relpath).read_bytes())).hexdigest()
        for relpath in sorted(found)
        if relpath.endswith(".gz")
    }


def checksum_text(found: dict[str, tuple[str, int]]) -> str:
    """Return the sha256sum-format text for a dataset (sorted by relpath)."""
    return "".join(f"{found[relpath][0]}  {relpath}\n" for relpath in sorted(found))


def main(argv: list[str] | None = None) -> int:
    """Run the script; return the process exit status."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--mirror", type=Path, default=DEFAULT_MIRROR, help="the data mirror")
    parser.add_argument("--check", action="store_true", help="verify only, write nothing")
    args = parser.parse_args(argv)

    mirror: Path = args.mirror
    if not mirror.is_dir():
        print(f"error: mirror {mirror} is not a directory", file=sys.stderr)
        return 2
    registry = json.loads(REGISTRY_JSON.read_text(encoding="utf-8"))
    datasets = registry["datasets"]

    problems = []
    folders = {p.name for p in mirror.iterdir() if p.is_dir()}
    for name in sorted(folders - set(datasets)):
        problems.append(f"{name}: folder in the mirror but not in registry.json")
    for name in sorted(set(datasets) - folders):
        problems.append(f"{name}: in registry.json but no folder in the mirror")

    scanned = {}
    for name in sorted(set(datasets) & folders):
        folder = mirror / name
        found = scan(folder)
        problems += compare_with_source(name, found, source_checksums(folder / SOURCE_NAME))
        problems += check_downloads(name, datasets[name]["downloads"], set(found))
        problems += check_archive(name, datasets[name], set(found))
        scanned[name] = found
        print(f"{name}: {len(found)} files, {sum(size for _, size in found.values()):,} bytes")

    if problems:
        print("\nRefusing to write: the mirror and the registry disagree:", file=sys.stderr)
        for problem in problems:
            print(f"  - {problem}", file=sys.stderr)
        return 1

    stale = []
    for name, found in scanned.items():
        sizes = {relpath: found[relpath][1] for relpath in sorted(found)}
        if datasets[name].get("sizes") != sizes:
            stale.append(f"registry.json sizes of {name}")
        datasets[name]["sizes"] = sizes
        contents = content_checksums(mirror / name, datasets[name].get("archive"))
        if contents is not None:
            repack = datasets[name]["archive"]["repack"]
            if repack.get("content_sha256") != contents:
                stale.append(f"registry.json content_sha256 of {name}")
            repack["content_sha256"] = contents
        checksum_file = CHECKSUM_DIR / f"{name}.sha256"
        text = checksum_text(found)
        if not checksum_file.exists() or checksum_file.read_text(encoding="utf-8") != text:
            stale.append(f"checksums/{name}.sha256")
            if not args.check:
                CHECKSUM_DIR.mkdir(parents=True, exist_ok=True)
                checksum_file.write_text(text, encoding="utf-8")

    if args.check:
        if stale:
            print("Out of date: " + ", ".join(stale), file=sys.stderr)
            return 1
        print("OK: the registry matches the mirror and its SOURCE.md checksums.")
        return 0
    REGISTRY_JSON.write_text(
        json.dumps(registry, indent=2, ensure_ascii=False) + "\n", encoding="utf-8"
    )
    print(f"Wrote {len(scanned)} checksum files and the sizes in {REGISTRY_JSON}.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
