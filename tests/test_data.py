"""Tests of rnn_course.data: the registry, the store's lookup order and downloads, the loaders.

Nothing here reaches the network: an autouse fixture lets ``urlopen`` open only ``file://`` URLs.
Tests that need real dataset bytes read the course data mirror (``$RNN_COURSE_MIRROR`` or
``../shared/data``) and are skipped when there is none.
"""

from __future__ import annotations

import dataclasses
import hashlib
import importlib.util
import re
import shutil
import time
import urllib.error
import urllib.request
from pathlib import Path
from types import MappingProxyType

import numpy as np
import pytest

from rnn_course import data
from rnn_course.data import registry, store

REPO = Path(__file__).resolve().parents[1]
SHAKESPEARE_SIZE = 1_115_394

try:
    REAL_MIRROR = store.mirror_dir()
except data.DataError:
    REAL_MIRROR = None
needs_mirror = pytest.mark.skipif(REAL_MIRROR is None, reason="no course data mirror found")


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _leftovers(folder: Path) -> list[Path]:
    """Files (not folders) under ``folder``."""
    return [p for p in folder.rglob("*") if p.is_file()] if folder.exists() else []


@pytest.fixture(autouse=True)
def isolated(monkeypatch, tmp_path):
    """A fresh verification cache, a temporary data dir, no mirror, and no network."""
    data.clear_cache()
    monkeypatch.setenv("RNN_COURSE_DATA", str(tmp_path / "course_data"))
    monkeypatch.setenv("RNN_COURSE_MIRROR", "")
    real_urlopen = urllib.request.urlopen

    def file_urls_only(url, *args, **kwargs):
        if not str(url).startswith("file:"):
            raise AssertionError(f"a test tried to reach the network: {url}")
        return real_urlopen(url, *args, **kwargs)

    monkeypatch.setattr(urllib.request, "urlopen", file_urls_only)
    yield
    data.clear_cache()


@pytest.fixture
def course_data(tmp_path) -> Path:
    """The data dir the ``isolated`` fixture set."""
    return tmp_path / "course_data"


@pytest.fixture
def mirror(monkeypatch, tmp_path) -> Path:
    """A temporary mirror with a copy of tiny_shakespeare only; RNN_COURSE_MIRROR points to it."""
    if REAL_MIRROR is None:
        pytest.skip("no course data mirror found")
    root = tmp_path / "mirror"
    shutil.copytree(REAL_MIRROR / "tiny_shakespeare", root / "tiny_shakespeare")
    monkeypatch.setenv("RNN_COURSE_MIRROR", str(root))
    return root


@pytest.fixture
def real_mirror(monkeypatch) -> Path:
    """Use the real (read-only) mirror."""
    if REAL_MIRROR is None:
        pytest.skip("no course data mirror found")
    monkeypatch.setenv("RNN_COURSE_MIRROR", str(REAL_MIRROR))
    return REAL_MIRROR


def set_shakespeare_url(monkeypatch, url: str | None) -> None:
    """Make the registry serve tiny_shakespeare/input.txt from ``url``."""
    dataset = registry.DATASETS["tiny_shakespeare"]
    info = dataclasses.replace(dataset.files["input.txt"], url=url)
    patched = dataclasses.replace(dataset, files=MappingProxyType({"input.txt": info}))
    datasets = {**registry.DATASETS, "tiny_shakespeare": patched}
    monkeypatch.setattr(registry, "DATASETS", MappingProxyType(datasets))


def load_script():
    spec = importlib.util.spec_from_file_location(
        "make_registry", REPO / "scripts" / "make_registry.py"
    )
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


# --- registry ---------------------------------------------------------------------------------


@needs_mirror
def test_registry_covers_every_mirror_folder_and_file():
    folders = {p.name for p in REAL_MIRROR.iterdir() if p.is_dir()}
    assert folders == set(data.DATASETS)
    for name, dataset in data.DATASETS.items():
        folder = REAL_MIRROR / name
        on_disk = {
            p.relative_to(folder).as_posix()
            for p in folder.rglob("*")
            if p.is_file() and p.name != "SOURCE.md"
        }
        assert on_disk == set(dataset.files), name


@needs_mirror
def test_registry_checksums_match_mirror_files():
    start = time.perf_counter()
    for name, dataset in data.DATASETS.items():
        for relpath, info in dataset.files.items():
            path = REAL_MIRROR / name / relpath
            assert path.stat().st_size == info.size, f"{name}/{relpath}"
            assert _sha256(path) == info.sha256, f"{name}/{relpath}"
    assert time.perf_counter() - start < 5, "hashing the whole mirror should take well under 5 s"


@needs_mirror
def test_registry_checksums_match_source_md():
    script = load_script()
    for name, dataset in data.DATASETS.items():
        listed = script.source_checksums(REAL_MIRROR / name / "SOURCE.md")
        assert listed == {relpath: f.sha256 for relpath, f in dataset.files.items()}, name


def test_registry_metadata_is_complete():
    assert len(data.DATASETS) == 9
    for name, dataset in data.DATASETS.items():
        assert dataset.name == name
        for field in ("title", "description", "license", "citation", "upstream_url"):
            value = getattr(dataset, field)
            assert isinstance(value, str) and value.strip(), f"{name}.{field} is empty"
        assert dataset.upstream_url.startswith(("http://", "https://"))
        assert dataset.tfds_name is None or dataset.tfds_name.strip()
        assert dataset.files and dataset.size > 0
        for relpath, info in dataset.files.items():
            assert info.relpath == relpath and not relpath.startswith("/") and ".." not in relpath
            assert re.fullmatch("[0-9a-f]{64}", info.sha256)
            assert info.size > 0
            assert info.url is None or info.url.startswith(("http://", "https://"))


def test_registry_download_urls():
    shakespeare = data.get_dataset("tiny_shakespeare").files["input.txt"]
    assert shakespeare.url == (
        "https://raw.githubusercontent.com/karpathy/char-rnn/master/data/tinyshakespeare/input.txt"
    )
    assert shakespeare.sha256 == "86c4e6aa9db7c042ec79f339dcb96d42b0075e16b8fc2e86bf0ca57e2dc565ed"
    assert shakespeare.size == SHAKESPEARE_SIZE
    # Repacked or extracted files have no URL of their own.
    for name in ("imdb", "rt_polarity", "sst2", "conll2003"):
        assert all(f.url is None for f in data.get_dataset(name).files.values()), name
    for name in ("wnut17", "multi30k"):
        assert all(f.url for f in data.get_dataset(name).files.values()), name
    spa = data.get_dataset("spa_eng").files
    assert spa["spa-eng.zip"].url.endswith("/spa-eng.zip") and spa["spa.txt.part1"].url is None
    digits = data.get_dataset("free_spoken_digit").files
    assert digits["speakers.tsv"].url is None
    assert digits["recordings/3_theo_7.wav"].url.endswith("/recordings/3_theo_7.wav")
    assert len(digits) == 3001


def test_checksum_files_are_in_sha256sum_format():
    checksum_dir = Path(registry.__file__).parent / "checksums"
    assert {p.stem for p in checksum_dir.glob("*.sha256")} == set(data.DATASETS)
    for name, dataset in data.DATASETS.items():
        lines = (checksum_dir / f"{name}.sha256").read_text(encoding="utf-8").splitlines()
        assert all(re.fullmatch(r"[0-9a-f]{64}  \S.*", line) for line in lines), name
        assert {line[66:] for line in lines} == set(dataset.files)


def test_registry_is_read_only():
    with pytest.raises(TypeError):
        data.DATASETS["x"] = data.DATASETS["imdb"]  # type: ignore[index]
    with pytest.raises(dataclasses.FrozenInstanceError):
        data.DATASETS["imdb"].license = "none"  # type: ignore[misc]
    with pytest.raises(TypeError):
        data.DATASETS["imdb"].files["x"] = None  # type: ignore[index]


def test_unknown_dataset_suggests_the_closest_name():
    with pytest.raises(data.UnknownDatasetError) as excinfo:
        data.get_dataset("tiny_shakespear")
    assert isinstance(excinfo.value, data.DataError) and isinstance(excinfo.value, ValueError)
    message = str(excinfo.value)
    assert "Did you mean 'tiny_shakespeare'?" in message
    assert all(name in message for name in data.DATASETS)
    with pytest.raises(data.UnknownDatasetError, match="Known datasets: conll2003"):
        data.get_dataset("no such thing")
    with pytest.raises(data.UnknownDatasetError, match="Unknown dataset"):
        data.fetch_file("imbd", "README.aclImdb.txt")


def test_unknown_file_is_a_data_error():
    with pytest.raises(data.DataError, match="Did you mean 'input.txt'"):
        data.fetch_file("tiny_shakespeare", "input.tx")


@needs_mirror
def test_make_registry_check_passes():
    assert load_script().main(["--mirror", str(REAL_MIRROR), "--check"]) == 0


@needs_mirror
def test_make_registry_refuses_to_write_on_a_mismatch(monkeypatch, tmp_path, capsys):
    script = load_script()
    package_data = Path(registry.__file__).parent
    monkeypatch.setattr(script, "REGISTRY_JSON", tmp_path / "registry.json")
    shutil.copy(package_data / "registry.json", tmp_path)
    monkeypatch.setattr(script, "CHECKSUM_DIR", tmp_path / "checksums")
    shutil.copytree(package_data / "checksums", tmp_path / "checksums")
    before = {p.name: p.read_bytes() for p in tmp_path.glob("*/*.sha256")}
    before["registry.json"] = (tmp_path / "registry.json").read_bytes()
    fake = tmp_path / "mirror"
    for name in data.DATASETS:
        (fake / name).mkdir(parents=True)
        shutil.copy(REAL_MIRROR / name / "SOURCE.md", fake / name)
    (fake / "tiny_shakespeare" / "input.txt").write_text("not Shakespeare\n")

    assert script.main(["--mirror", str(fake)]) == 1
    errors = capsys.readouterr().err
    assert "Refusing to write" in errors
    assert "tiny_shakespeare/input.txt: sha256" in errors and "does not match SOURCE.md" in errors
    after = {p.name: p.read_bytes() for p in tmp_path.glob("*/*.sha256")}
    after["registry.json"] = (tmp_path / "registry.json").read_bytes()
    assert after == before


# --- data_dir / mirror_dir ------------------------------------------------------------------


def test_data_dir(monkeypatch, tmp_path):
    monkeypatch.setenv("RNN_COURSE_DATA", str(tmp_path / "mine"))
    assert data.data_dir() == tmp_path / "mine"

    monkeypatch.delenv("RNN_COURSE_DATA")
    checkout = tmp_path / "checkout"
    (checkout / "data").mkdir(parents=True)
    monkeypatch.setattr(store, "_REPO_ROOT", checkout)
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    assert data.data_dir() == tmp_path / "home" / "rnn_course_data"  # no data/README.md
    (checkout / "data" / "README.md").write_text("course data\n")
    assert data.data_dir() == checkout / "data"


def test_mirror_dir(monkeypatch, tmp_path):
    assert data.mirror_dir() is None  # RNN_COURSE_MIRROR="" means no mirror
    monkeypatch.setenv("RNN_COURSE_MIRROR", str(tmp_path))
    assert data.mirror_dir() == tmp_path
    monkeypatch.setenv("RNN_COURSE_MIRROR", str(tmp_path / "missing"))
    with pytest.raises(data.DataError, match="does not exist"):
        data.mirror_dir()

    monkeypatch.delenv("RNN_COURSE_MIRROR")
    monkeypatch.setattr(store, "_REPO_ROOT", tmp_path / "a" / "repo")
    monkeypatch.chdir(tmp_path)
    assert data.mirror_dir() is None
    (tmp_path / "shared" / "data").mkdir(parents=True)
    (tmp_path / "b").mkdir()
    monkeypatch.chdir(tmp_path / "b")
    assert data.mirror_dir() == tmp_path / "shared" / "data"  # <cwd>/../shared/data
    (tmp_path / "a" / "shared" / "data").mkdir(parents=True)
    assert data.mirror_dir() == tmp_path / "a" / "shared" / "data"  # <repo>/../shared/data first


def test_missing_mirror_dir_is_a_data_error(monkeypatch, tmp_path):
    monkeypatch.setenv("RNN_COURSE_MIRROR", str(tmp_path / "nowhere"))
    with pytest.raises(data.DataError, match="RNN_COURSE_MIRROR"):
        data.fetch_file("tiny_shakespeare", "input.txt")


# --- lookup order ---------------------------------------------------------------------------


def test_reads_from_the_mirror_in_place(mirror, course_data):
    path = data.fetch_file("tiny_shakespeare", "input.txt")
    assert path == mirror / "tiny_shakespeare" / "input.txt"
    assert _leftovers(course_data) == []  # nothing copied


def test_fetch_returns_every_file(real_mirror):
    paths = data.fetch("wnut17")
    assert list(paths) == sorted(data.get_dataset("wnut17").files)
    assert all(path == real_mirror / "wnut17" / relpath for relpath, path in paths.items())


def test_a_good_data_dir_file_wins_over_the_mirror(mirror, course_data):
    mirrored = mirror / "tiny_shakespeare" / "input.txt"
    local = course_data / "tiny_shakespeare" / "input.txt"
    local.parent.mkdir(parents=True)
    shutil.copy(mirrored, local)
    mirrored.write_bytes(b"corrupt")  # would raise if the mirror were consulted
    assert data.fetch_file("tiny_shakespeare", "input.txt") == local


@pytest.mark.parametrize("damage", ["truncate", "flip_byte"])
def test_a_corrupt_data_dir_file_is_deleted_and_the_mirror_used(mirror, course_data, damage):
    good = (mirror / "tiny_shakespeare" / "input.txt").read_bytes()
    bad = good[:1000] if damage == "truncate" else good[:-2] + b"X\n"
    local = course_data / "tiny_shakespeare" / "input.txt"
    local.parent.mkdir(parents=True)
    local.write_bytes(bad)
    with pytest.warns(UserWarning, match="corrupt"):
        path = data.fetch_file("tiny_shakespeare", "input.txt")
    assert path == mirror / "tiny_shakespeare" / "input.txt"
    assert not local.exists()


def test_a_corrupt_mirror_file_raises_and_is_left_alone(mirror):
    mirrored = mirror / "tiny_shakespeare" / "input.txt"
    bad = mirrored.read_bytes()[:-2] + b"X\n"
    mirrored.write_bytes(bad)
    with pytest.raises(data.ChecksumError) as excinfo:
        data.fetch_file("tiny_shakespeare", "input.txt")
    message = str(excinfo.value)
    expected = data.get_dataset("tiny_shakespeare").files["input.txt"].sha256
    assert "tiny_shakespeare/input.txt" in message
    assert expected in message and hashlib.sha256(bad).hexdigest() in message
    assert "SOURCE.md" in message and "RNN_COURSE_MIRROR=" in message
    assert mirrored.read_bytes() == bad


def test_a_file_is_hashed_once_per_process(mirror, monkeypatch):
    calls = []
    real = store._sha256
    monkeypatch.setattr(store, "_sha256", lambda path: calls.append(path) or real(path))
    for _ in range(3):
        data.fetch_file("tiny_shakespeare", "input.txt")
    assert len(calls) == 1
    data.clear_cache()
    data.fetch_file("tiny_shakespeare", "input.txt")
    assert len(calls) == 2


# --- downloads ------------------------------------------------------------------------------


@pytest.fixture
def good_copy(tmp_path) -> Path:
    """A good copy of input.txt outside the mirror and the data dir."""
    if REAL_MIRROR is None:
        pytest.skip("no course data mirror found")
    return Path(shutil.copy(REAL_MIRROR / "tiny_shakespeare" / "input.txt", tmp_path / "good.txt"))


def test_download_from_a_file_url(monkeypatch, course_data, good_copy):
    set_shakespeare_url(monkeypatch, good_copy.as_uri())
    path = data.fetch_file("tiny_shakespeare", "input.txt")
    assert path == course_data / "tiny_shakespeare" / "input.txt"
    assert path.read_bytes() == good_copy.read_bytes()
    assert _leftovers(course_data) == [path]  # no .part left

    good_copy.unlink()  # the next call must not download again
    data.clear_cache()
    assert data.fetch_file("tiny_shakespeare", "input.txt") == path


@pytest.mark.parametrize("damage", ["flip_byte", "truncate", "extend"])
def test_a_wrong_download_raises_and_leaves_nothing(
    monkeypatch, tmp_path, course_data, good_copy, damage
):
    good = good_copy.read_bytes()
    bad = {"flip_byte": good[:-2] + b"X\n", "truncate": good[:5000], "extend": good + b"more"}[
        damage
    ]
    wrong = tmp_path / "wrong.txt"
    wrong.write_bytes(bad)
    set_shakespeare_url(monkeypatch, wrong.as_uri())
    with pytest.raises(data.ChecksumError, match="Nothing was kept"):
        data.fetch_file("tiny_shakespeare", "input.txt")
    assert _leftovers(course_data) == []


def test_an_unreachable_url_fails_fast_and_leaves_nothing(monkeypatch, tmp_path, course_data):
    set_shakespeare_url(monkeypatch, (tmp_path / "missing.txt").as_uri())
    start = time.perf_counter()
    with pytest.raises(data.DownloadError) as excinfo:
        data.fetch_file("tiny_shakespeare", "input.txt")
    assert time.perf_counter() - start < 5
    assert "RNN_COURSE_MIRROR" in str(excinfo.value) and "missing.txt" in str(excinfo.value)
    assert _leftovers(course_data) == []


@pytest.mark.parametrize("error", [urllib.error.URLError("no network"), TimeoutError("timed out")])
def test_network_errors_become_download_errors(monkeypatch, course_data, error):
    seen = {}

    def offline(url, *args, timeout=None, **kwargs):
        seen["timeout"] = timeout
        raise error

    monkeypatch.setattr(urllib.request, "urlopen", offline)
    with pytest.raises(data.DownloadError, match="Offline\\? Point RNN_COURSE_MIRROR"):
        data.fetch_file("tiny_shakespeare", "input.txt")  # the registered https URL
    assert seen["timeout"] is not None and seen["timeout"] <= 30
    assert _leftovers(course_data) == []


def test_an_interrupted_download_leaves_no_part_file(monkeypatch, course_data):
    class Interrupted:
        def __init__(self):
            self.calls = 0

        def __enter__(self):
            return self

        def __exit__(self, *exc):
            return False

        def read(self, size):
            self.calls += 1
            if self.calls > 1:
                raise KeyboardInterrupt
            return b"x" * 100

    monkeypatch.setattr(urllib.request, "urlopen", lambda url, **kwargs: Interrupted())
    with pytest.raises(KeyboardInterrupt):
        data.fetch_file("tiny_shakespeare", "input.txt")
    assert _leftovers(course_data) == []


def test_a_file_without_url_needs_the_mirror(course_data):
    # conll2003's upstream archive covers iob2/ only; original_iob1/ has no upstream source.
    start = time.perf_counter()
    with pytest.raises(data.DatasetNotAvailableError) as excinfo:
        data.fetch_file("conll2003", "original_iob1/eng.train")
    assert time.perf_counter() - start < 1
    message = str(excinfo.value)
    assert "no mirror was found" in message and "RNN_COURSE_MIRROR" in message
    assert "clips.uantwerpen.be/conll2003" in message and "TFDS name 'conll2003'" in message
    assert "The archive provides iob2/ only" in message
    assert _leftovers(course_data) == []


def test_fetch_fails_before_downloading_when_a_file_has_no_url(monkeypatch, course_data):
    # free_spoken_digit: 3,000 recordings with URLs, and speakers.tsv (last in order) without one.
    opened = []
    monkeypatch.setattr(urllib.request, "urlopen", lambda url, **kwargs: opened.append(url))
    with pytest.raises(data.DatasetNotAvailableError, match="speakers.tsv"):
        data.fetch("free_spoken_digit")
    assert opened == [] and _leftovers(course_data) == []


def test_a_mirror_without_the_dataset_is_passed_over(mirror):
    with pytest.raises(data.DatasetNotAvailableError, match="nor in the mirror"):
        data.fetch_file("conll2003", "original_iob1/eng.testa")


# --- tiny Shakespeare -----------------------------------------------------------------------


def test_load_tiny_shakespeare(real_mirror):
    text = data.load_tiny_shakespeare()
    assert len(text) == SHAKESPEARE_SIZE
    assert text.splitlines()[0] == "First Citizen:"
    assert len(set(text)) == 65
    assert data.load_tiny_shakespeare("all") == text
    splits = [data.load_tiny_shakespeare(s) for s in ("train", "validation", "test")]
    assert [len(s) for s in splits] == [1_003_854, 55_770, 55_770]
    assert "".join(splits) == text


def test_load_tiny_shakespeare_bad_split():
    with pytest.raises(ValueError, match="'train', 'validation', 'test'"):
        data.load_tiny_shakespeare("valid")


# --- random_windows -------------------------------------------------------------------------


def test_random_windows_shapes_and_targets():
    ids = np.arange(10_000, dtype=np.int32)
    x, y = data.random_windows(ids, seq_len=50, batch_size=2_000, rng=np.random.default_rng(0))
    assert x.shape == y.shape == (2_000, 50) and x.dtype == y.dtype == np.int32
    offsets = x[:, 0]
    np.testing.assert_array_equal(x, offsets[:, None] + np.arange(50))
    np.testing.assert_array_equal(y, x + 1)  # y is x shifted by one
    # Offsets are spread over the whole text, up to the last valid one (10_000 - 51).
    assert offsets.min() < 500 and offsets.max() > 9_000 and offsets.max() <= 9_949
    assert np.histogram(offsets, bins=10, range=(0, 9_950))[0].min() > 100


def test_random_windows_edge_cases():
    x, y = data.random_windows(np.array([5, 6, 7, 8]), seq_len=3, batch_size=4, rng=1)
    np.testing.assert_array_equal(x, [[5, 6, 7]] * 4)  # the only valid offset is 0
    np.testing.assert_array_equal(y, [[6, 7, 8]] * 4)
    ids = np.random.default_rng(0).integers(0, 65, size=1000)
    a = data.random_windows(ids, 20, 8, rng=np.random.default_rng(3))
    b = data.random_windows(ids, 20, 8, rng=np.random.default_rng(3))
    np.testing.assert_array_equal(a[0], b[0])
    np.testing.assert_array_equal(a[1][:, :-1], a[0][:, 1:])


@pytest.mark.parametrize(
    ("ids", "seq_len", "batch_size", "error", "match"),
    [
        (np.zeros((4, 10), dtype=int), 3, 2, ValueError, "1-D"),
        (np.arange(10), 10, 2, ValueError, "at least seq_len \\+ 1 = 11"),
        (np.arange(10), 0, 2, ValueError, "seq_len must be a positive integer"),
        (np.arange(10), 3, 0, ValueError, "batch_size must be a positive integer"),
        (np.arange(10), 2.5, 2, ValueError, "seq_len"),
        (np.linspace(0, 1, 10), 3, 2, TypeError, "integers"),
    ],
)
def test_random_windows_rejects_bad_input(ids, seq_len, batch_size, error, match):
    with pytest.raises(error, match=match):
        data.random_windows(ids, seq_len, batch_size, rng=0)


# --- bad arguments and a data folder that is not a directory ----------------------------------


def test_a_data_dir_that_is_a_file_is_a_clear_error(monkeypatch, tmp_path):
    a_file = tmp_path / "data.txt"
    a_file.write_text("not a folder\n")
    monkeypatch.setenv("RNN_COURSE_DATA", str(a_file))
    with pytest.raises(
        data.DataError, match=r"RNN_COURSE_DATA=.* must name a directory, but it is"
    ):
        data.fetch_file("tiny_shakespeare", "input.txt")
    monkeypatch.setenv("RNN_COURSE_DATA", str(a_file / "inside"))
    with pytest.raises(data.DataError, match=r"lies under .*data.txt', which is a file"):
        data.fetch("tiny_shakespeare")
    assert a_file.read_text() == "not a folder\n"


def test_a_default_data_dir_that_is_a_file_is_a_clear_error(monkeypatch, tmp_path):
    monkeypatch.delenv("RNN_COURSE_DATA")
    monkeypatch.setattr(store, "_REPO_ROOT", tmp_path / "checkout")
    monkeypatch.setenv("HOME", str(tmp_path))
    (tmp_path / "rnn_course_data").write_text("a file\n")
    with pytest.raises(data.DataError, match=r"The course data directory .* is a file, not a dir"):
        data.data_dir()


def test_a_failed_download_is_not_hidden_by_its_clean_up(monkeypatch, tmp_path):
    """The .part file's clean-up must not replace the real error (it used to raise
    NotADirectoryError from ``finally`` when the data folder lay under a file)."""
    a_file = tmp_path / "data.txt"
    a_file.write_text("not a folder\n")
    monkeypatch.setattr(store, "data_dir", lambda: a_file / "inside")  # past the up-front check
    with pytest.raises(data.DownloadError, match=r"Could not download tiny_shakespeare/input.txt"):
        data.fetch_file("tiny_shakespeare", "input.txt")


def test_a_folder_in_place_of_a_data_file_is_a_clear_error(course_data):
    (course_data / "tiny_shakespeare" / "input.txt").mkdir(parents=True)
    with pytest.raises(data.DataError, match=r"input.txt should be the file .* but it is a folder"):
        data.fetch_file("tiny_shakespeare", "input.txt")


def test_a_path_object_names_a_file(mirror):
    assert data.get_dataset("tiny_shakespeare").file(Path("input.txt")).relpath == "input.txt"
    assert data.fetch_file("tiny_shakespeare", Path("input.txt")) == (
        mirror / "tiny_shakespeare" / "input.txt"
    )
