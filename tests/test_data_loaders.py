"""Tests of the dataset loaders (sentiment, tagging, translation, speech) and of the upstream
archive path that serves Colab, where there is no mirror.

Loader tests read the course data mirror (skipped without one). Archive tests build small tar.gz
and zip archives in a temporary folder, serve them from ``file://`` URLs through a patched
registry, and check that the loaders return the expected records; nothing reaches the network
(the ``isolated`` fixture of test_data.py lets ``urlopen`` open ``file://`` URLs only).
"""

from __future__ import annotations

import dataclasses
import gzip
import hashlib
import importlib.util
import io
import json
import shutil
import tarfile
import urllib.request
import zipfile
from pathlib import Path
from types import MappingProxyType

import numpy as np
import pytest
import test_data as _shared

from rnn_course import data
from rnn_course.data import archive, registry

_TFDS_SPEC = importlib.util.find_spec("tensorflow_datasets")  # found, not imported (slow)
# Shared with test_data.py: no network, a temporary data dir, no mirror unless a test asks for it.
REAL_MIRROR = _shared.REAL_MIRROR
_leftovers = _shared._leftovers
isolated = _shared.isolated  # autouse
real_mirror = _shared.real_mirror
course_data = _shared.course_data
TFDS = Path(_TFDS_SPEC.origin).parent if _TFDS_SPEC and _TFDS_SPEC.origin else None


def _counts(labels: np.ndarray) -> list[int]:
    return np.bincount(labels, minlength=2).tolist()


# --- the registry's archives ------------------------------------------------------------------


def test_every_dataset_has_an_archive_or_says_why_not():
    with_archive = {name for name, d in data.DATASETS.items() if d.archive is not None}
    assert with_archive == {"imdb", "rt_polarity", "sst2", "conll2003", "free_spoken_digit"}
    for name, dataset in data.DATASETS.items():
        spec = dataset.archive
        if spec is None:
            assert dataset.archive_note.strip(), name
            continue
        assert spec.format in registry.ARCHIVE_FORMATS and spec.filename.endswith(spec.format)
        assert spec.url.startswith(("http://", "https://")) and spec.size > 0
        assert len(spec.sha256) == 64 and spec.checksum_source.strip(), name
        assert any(spec.covers(relpath) for relpath in dataset.files), name


def test_archive_coverage():
    fsdd = data.get_dataset("free_spoken_digit").archive
    assert fsdd.covers("recordings/0_george_0.wav")
    assert not fsdd.covers("recordings/0_lucas_0.wav")  # not in v1.0.9: its own URL instead
    assert not fsdd.covers("speakers.tsv")
    assert fsdd.relpath_of("free-spoken-digit-dataset-1.0.9/recordings/3_theo_7.wav") == (
        "recordings/3_theo_7.wav"
    )
    imdb = data.get_dataset("imdb").archive
    assert all(imdb.covers(relpath) for relpath in data.get_dataset("imdb").files)
    assert imdb.relpath_of("aclImdb/README") == "README.aclImdb.txt"
    conll = data.get_dataset("conll2003").archive
    assert conll.covers("iob2/train.txt") and not conll.covers("original_iob1/eng.train")


@pytest.mark.skipif(TFDS is None, reason="tensorflow_datasets is not installed")
@pytest.mark.parametrize(
    ("name", "checksums"),
    [
        ("imdb", "datasets/imdb_reviews/checksums.tsv"),
        ("sst2", "url_checksums/glue.txt"),
        ("free_spoken_digit", "datasets/spoken_digit/checksums.tsv"),
    ],
)
def test_archive_checksums_are_the_ones_tfds_publishes(name, checksums):
    spec = data.get_dataset(name).archive
    rows = [line.split("\t") for line in (TFDS / checksums).read_text().splitlines()]
    assert [spec.url, str(spec.size), spec.sha256] in [row[:3] for row in rows]


# --- loaders against the mirror ---------------------------------------------------------------


def test_load_imdb(real_mirror):
    texts, labels = data.load_imdb("train")
    assert len(texts) == 25_000 and labels.dtype == np.int64 and _counts(labels) == [12_500] * 2
    assert np.all(labels[:12_500] == 0) and np.all(labels[12_500:] == 1)  # neg, then pos
    assert texts[0].startswith("Story of a man who has unnatural feelings for a pig.")
    assert texts[12_500].startswith("Bromwell High is a cartoon comedy.")  # pos id 0
    assert sum("<br /><br />" in text for text in texts) > 10_000
    assert not any(text.endswith("\n") for text in texts)
    test_texts, test_labels = data.load_imdb("test")
    assert len(test_texts) == 25_000 and _counts(test_labels) == [12_500] * 2
    assert test_texts[0].startswith("Once again Mr. Costner has dragged out a movie")


def test_the_imdb_repacker_rebuilds_the_mirror_shards(real_mirror):
    rows = []
    for shard in ("00", "01"):
        with gzip.open(real_mirror / "imdb" / f"test_pos.{shard}-of-02.jsonl.gz", "rt") as f:
            rows += [json.loads(line) for line in f]
    rows.reverse()  # the repacker sorts by id
    shards = archive.imdb_jsonl_shards({("test", "pos"): rows})
    registered = data.get_dataset("imdb").archive.content_sha256
    for relpath, content in shards.items():
        mirrored = (real_mirror / "imdb" / relpath).read_bytes()
        assert gzip.decompress(content) == gzip.decompress(mirrored), relpath
        assert hashlib.sha256(gzip.decompress(content)).hexdigest() == registered[relpath]
    # zlib gives GNU gzip -9 -n's very bytes for this shard (not for every shard).
    assert (
        shards["test_pos.00-of-02.jsonl.gz"]
        == (real_mirror / "imdb" / "test_pos.00-of-02.jsonl.gz").read_bytes()
    )


def test_load_rt_polarity(real_mirror):
    texts, labels = data.load_rt_polarity()
    assert len(texts) == 10_662 and _counts(labels) == [5_331, 5_331]
    assert texts[0] == "simplistic , silly and tedious ."  # neg first, stripped
    assert texts[5_331] == (
        "the rock is destined to be the 21st century's new \" conan \" and that he's going to "
        "make a splash even greater than arnold schwarzenegger , jean-claud van damme or steven "
        "segal ."
    )
    joined = "".join(texts)
    assert "é" in joined and "\u2014" in joined  # cp1252 0xE9 and 0x97
    assert not any("\x80" <= ch <= "\x9f" for ch in joined)  # no latin-1 C1 controls
    splits = {s: data.load_rt_polarity(s) for s in ("train", "validation", "test")}
    assert [len(t) for t, _ in splits.values()] == [8_530, 1_066, 1_066]
    assert all(_counts(lab) == [len(lab) // 2] * 2 for _, lab in splits.values())
    pooled = sorted(t for texts_, _ in splits.values() for t in texts_)
    assert pooled == sorted(texts)
    assert data.load_rt_polarity("train")[0] == splits["train"][0]  # the same every call


def test_load_sst2(real_mirror):
    texts, labels = data.load_sst2("train")
    assert len(texts) == 67_349 and _counts(labels) == [29_780, 37_569]
    assert texts[0] == "hide new secretions from the parental units"
    texts, labels = data.load_sst2("validation")
    assert len(texts) == 872 and _counts(labels) == [428, 444]
    with pytest.raises(ValueError, match="GLUE keeps the test labels hidden"):
        data.load_sst2("test")


def test_load_conll2003(real_mirror):
    expected = {"train": (14_041, 203_621), "validation": (3_250, 51_362), "test": (3_453, 46_435)}
    for split, (n_sentences, n_tokens) in expected.items():
        sentences = data.load_conll2003(split)
        assert len(sentences) == n_sentences, split
        assert sum(len(tokens) for tokens, _ in sentences) == n_tokens, split
        assert all(len(tokens) == len(tags) for tokens, tags in sentences)
    tokens, tags = data.load_conll2003("train")[0]
    assert tokens == ["EU", "rejects", "German", "call", "to", "boycott", "British", "lamb", "."]
    assert tags == ["B-ORG", "O", "B-MISC", "O", "O", "O", "B-MISC", "O", "O"]
    assert data.load_conll2003("train", tags="pos")[0][1][:3] == ["NNP", "VBZ", "JJ"]
    assert data.load_conll2003("train", tags="chunk")[0][1][:2] == ["B-NP", "B-VP"]
    entities = sum(t.startswith("B-") for _, tags in data.load_conll2003("test") for t in tags)
    assert entities == 1_617 + 1_668 + 1_661 + 702


def test_load_wnut17(real_mirror):
    expected = {
        "train": (3_394, 62_730, 1_975),
        "validation": (1_009, 15_733, 836),
        "test": (1_287, 23_394, 1_079),
    }
    for split, (n_sentences, n_tokens, n_entities) in expected.items():
        sentences = data.load_wnut17(split)
        assert len(sentences) == n_sentences, split
        assert sum(len(tokens) for tokens, _ in sentences) == n_tokens, split
        assert sum(t.startswith("B-") for _, tags in sentences for t in tags) == n_entities
    assert data.load_wnut17("train")[0][0][:3] == ["@paulwalk", "It", "'s"]


def test_load_spa_eng(real_mirror):
    pairs = data.load_spa_eng()
    assert len(pairs) == 118_964 and len(set(pairs)) == 118_964
    assert pairs[:3] == [("Go.", "Ve."), ("Go.", "Vete."), ("Go.", "Vaya.")]
    parts = b"".join((real_mirror / "spa_eng" / f"spa.txt.part{i}").read_bytes() for i in (1, 2))
    assert ["\t".join(pair) for pair in pairs] == parts.decode("utf-8").splitlines()


def test_load_free_spoken_digit(real_mirror):
    waves, labels, speakers, rate = data.load_free_spoken_digit("train")
    assert rate == 8000 and len(waves) == len(speakers) == 2_700
    assert labels.dtype == np.int64 and np.bincount(labels).tolist() == [270] * 10
    assert all(w.dtype == np.float32 and w.ndim == 1 for w in waves)
    assert min(len(w) for w in waves) >= 0.14 * rate and max(len(w) for w in waves) <= 2.3 * rate
    assert max(float(np.abs(w).max()) for w in waves) <= 1.0
    test_waves, test_labels, test_speakers, _ = data.load_free_spoken_digit("test")
    assert len(test_waves) == 300 and sorted(set(test_speakers)) == list(data.FSDD_SPEAKERS)
    theo, theo_labels, who, _ = data.load_free_spoken_digit(speakers="theo")
    assert len(theo) == 500 and set(who) == {"theo"}
    others = data.load_free_spoken_digit("train", speakers=["george", "lucas"])
    assert len(others[0]) == 900 and set(others[2]) == {"george", "lucas"}


@pytest.mark.parametrize(
    ("name", "relpath", "load"),
    [
        ("rt_polarity", "rt-polarity.pos", lambda: data.load_rt_polarity()),
        ("sst2", "dev.tsv", lambda: data.load_sst2("validation")),
        ("wnut17", "emerging.test.annotated", lambda: data.load_wnut17("test")),
        ("conll2003", "iob2/valid.txt", lambda: data.load_conll2003("validation")),
    ],
)
def test_a_corrupt_mirror_copy_raises(monkeypatch, tmp_path, name, relpath, load):
    if REAL_MIRROR is None:
        pytest.skip("no course data mirror found")
    copy = tmp_path / "mirror"
    shutil.copytree(REAL_MIRROR / name, copy / name)
    path = copy / name / relpath
    content = bytearray(path.read_bytes())
    content[len(content) // 2] ^= 0x01  # one bit of one byte
    path.write_bytes(bytes(content))
    monkeypatch.setenv("RNN_COURSE_MIRROR", str(copy))
    with pytest.raises(data.ChecksumError, match=f"mirror's copy of {name}/{relpath} is corrupt"):
        load()


# --- the upstream archive path, offline -------------------------------------------------------


def _tar_gz(members: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as tar:
        for name, content in members.items():
            info = tarfile.TarInfo(name)
            info.size = len(content)
            tar.addfile(info, io.BytesIO(content))
    return buffer.getvalue()


def _zip(members: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive_:
        for name, content in members.items():
            archive_.writestr(name, content)
    return buffer.getvalue()


def _serve(monkeypatch, tmp_path, name: str, files: dict[str, bytes], blob: bytes) -> Path:
    """Register ``files`` as dataset ``name``'s files, its archive as ``blob`` at a file:// URL.

    Returns the archive's path (delete it to prove that nothing is downloaded again).
    """
    dataset = data.get_dataset(name)
    served = tmp_path / "served" / dataset.archive.filename
    served.parent.mkdir(exist_ok=True)
    served.write_bytes(blob)
    infos = {
        relpath: data.DataFile(relpath, hashlib.sha256(content).hexdigest(), len(content), None)
        for relpath, content in files.items()
    }
    contents = {
        relpath: hashlib.sha256(gzip.decompress(content)).hexdigest()
        for relpath, content in files.items()
        if relpath in dataset.archive.content_sha256
    }
    spec = dataclasses.replace(
        dataset.archive,
        url=served.as_uri(),
        size=len(blob),
        sha256=hashlib.sha256(blob).hexdigest(),
        content_sha256=MappingProxyType(contents),
    )
    patched = dataclasses.replace(dataset, files=MappingProxyType(infos), archive=spec)
    monkeypatch.setattr(registry, "DATASETS", MappingProxyType({**data.DATASETS, name: patched}))
    return served


@pytest.fixture
def opened(monkeypatch) -> list[str]:
    """The URLs opened (file:// only, as the isolated fixture allows)."""
    urls = []
    real = urllib.request.urlopen
    monkeypatch.setattr(
        urllib.request, "urlopen", lambda url, **kw: urls.append(url) or real(url, **kw)
    )
    return urls


RT_FILES = {
    "rt-polarity.pos": b"a gem \x97 truly .\nfun , fun , fun . \n",
    "rt-polarity.neg": b"d\xe9j\xe0 vu , and dull .\n",  # cp1252 bytes
    "rt-polaritydata.README.1.0.txt": b"sentence polarity dataset v1.0\n",
}
RT_MEMBERS = {
    "rt-polaritydata/rt-polarity.pos": RT_FILES["rt-polarity.pos"],
    "rt-polaritydata/rt-polarity.neg": RT_FILES["rt-polarity.neg"],
    "rt-polaritydata.README.1.0.txt": RT_FILES["rt-polaritydata.README.1.0.txt"],
    "rt-polaritydata/other.txt": b"not registered: ignored\n",
}


def test_a_tar_gz_archive_is_downloaded_once_and_unpacked(
    monkeypatch, tmp_path, course_data, opened
):
    served = _serve(monkeypatch, tmp_path, "rt_polarity", RT_FILES, _tar_gz(RT_MEMBERS))
    texts, labels = data.load_rt_polarity()
    assert texts == ["déjà vu , and dull .", "a gem \u2014 truly .", "fun , fun , fun ."]
    assert labels.tolist() == [0, 1, 1]
    assert opened == [served.as_uri()]
    folder = course_data / "rt_polarity"
    assert sorted(_leftovers(course_data)) == sorted(folder / relpath for relpath in RT_FILES)
    assert all((folder / r).read_bytes() == content for r, content in RT_FILES.items())

    served.unlink()  # a second call (in a new process) must not download again
    data.clear_cache()
    again, again_labels = data.load_rt_polarity()
    assert again == texts and again_labels.tolist() == [0, 1, 1]
    assert opened == [served.as_uri()]


def test_a_zip_archive_is_unpacked(monkeypatch, tmp_path, course_data, opened):
    files = {
        "train.tsv": b"sentence\tlabel\nit 's great \t1\ndull \t0\n",
        "dev.tsv": b"sentence\tlabel\nfine . \t1\n",
        "test.tsv": b"index\tsentence\n0\tunknown .\n",
    }
    members = {f"SST-2/{relpath}": content for relpath, content in files.items()}
    members["SST-2/original/README.txt"] = b"ignored\n"
    _serve(monkeypatch, tmp_path, "sst2", files, _zip(members))
    texts, labels = data.load_sst2("train")
    assert texts == ["it 's great", "dull"] and labels.tolist() == [1, 0]
    assert data.load_sst2("validation")[0] == ["fine ."]
    assert len(opened) == 1  # one download gave every file
    assert sorted(p.name for p in _leftovers(course_data)) == sorted(files)


def test_the_imdb_archive_is_repacked_into_the_mirror_layout(
    monkeypatch, tmp_path, course_data, opened
):
    reviews = {  # (split, polarity, id, rating): text
        ("train", "pos", 0, 9): "Bromwell High is a cartoon comedy.<br /><br />Caf\u00e9 \t ok",
        ("train", "pos", 6250, 10): "Shard two.",
        ("train", "neg", 3, 1): 'Awful \u2014 "really".',
        ("train", "neg", 1, 2): "Bad.",
        ("test", "pos", 7, 8): "Good.",
        ("test", "neg", 12499, 4): "Meh.",
    }
    members = {
        f"aclImdb/{split}/{polarity}/{i}_{rating}.txt": text.encode("utf-8")
        for (split, polarity, i, rating), text in reviews.items()
    }
    members["aclImdb/README"] = b"Large Movie Review Dataset v1.0\n"
    members["aclImdb/train/unsup/0_0.txt"] = b"unlabelled: not taken"
    members["aclImdb/imdb.vocab"] = b"the\n"

    # The expected shards, written independently of the repacker: JSON lines, and gzip with
    # another compressor (level 1), so their gzip bytes differ but their content must not.
    files = {"README.aclImdb.txt": members["aclImdb/README"]}
    for split in ("train", "test"):
        for polarity in ("neg", "pos"):
            for shard in (0, 1):
                rows = sorted(
                    (i, rating, text)
                    for (s, p, i, rating), text in reviews.items()
                    if (s, p) == (split, polarity) and (i >= 6250) == bool(shard)
                )
                jsonl = "".join(
                    json.dumps(
                        {"id": i, "rating": r, "label": int(polarity == "pos"), "text": t},
                        ensure_ascii=False,
                    )
                    + "\n"
                    for i, r, t in rows
                ).encode("utf-8")
                gz = gzip.compress(jsonl, compresslevel=1, mtime=0)
                assert gz != archive.gzip_n9(jsonl)
                files[f"{split}_{polarity}.{shard:02d}-of-02.jsonl.gz"] = gz
    served = _serve(monkeypatch, tmp_path, "imdb", files, _tar_gz(members))

    texts, labels = data.load_imdb("train")
    assert texts == [
        "Bad.",
        'Awful \u2014 "really".',
        reviews[("train", "pos", 0, 9)],
        "Shard two.",
    ]
    assert labels.tolist() == [0, 0, 1, 1]
    assert data.load_imdb("test")[0] == ["Meh.", "Good."]
    assert len(opened) == 1
    assert sorted(p.name for p in _leftovers(course_data)) == sorted(files)
    served.unlink()
    data.clear_cache()  # verified again, by content, without a download
    assert data.load_imdb("train")[0] == texts and len(opened) == 1


@pytest.mark.parametrize("damage", ["flip_byte", "truncate"])
def test_a_corrupt_archive_raises_and_leaves_nothing(monkeypatch, tmp_path, course_data, damage):
    blob = _tar_gz(RT_MEMBERS)
    served = _serve(monkeypatch, tmp_path, "rt_polarity", RT_FILES, blob)
    bad = bytearray(blob)
    if damage == "flip_byte":
        bad[len(bad) // 2] ^= 0xFF
    else:
        del bad[100:]
    served.write_bytes(bytes(bad))
    with pytest.raises(data.ChecksumError) as excinfo:
        data.load_rt_polarity()
    message = str(excinfo.value)
    assert "upstream archive of rt_polarity (rt-polaritydata.tar.gz)" in message
    assert hashlib.sha256(blob).hexdigest() in message and "Nothing was kept" in message
    assert _leftovers(course_data) == []


def test_an_archive_member_that_differs_from_the_registry_is_not_kept(
    monkeypatch, tmp_path, course_data
):
    members = {**RT_MEMBERS, "rt-polaritydata/rt-polarity.neg": b"another version\n"}
    _serve(monkeypatch, tmp_path, "rt_polarity", RT_FILES, _tar_gz(members))
    with pytest.raises(data.ChecksumError, match=r"1 of the files built from it differ.*neg"):
        data.load_rt_polarity()
    folder = course_data / "rt_polarity"
    assert sorted(p.name for p in _leftovers(course_data)) == [
        "rt-polarity.pos",
        "rt-polaritydata.README.1.0.txt",
    ]
    assert (folder / "rt-polarity.pos").read_bytes() == RT_FILES["rt-polarity.pos"]


def test_an_archive_without_a_registered_member_is_a_clear_error(
    monkeypatch, tmp_path, course_data
):
    members = {k: v for k, v in RT_MEMBERS.items() if not k.endswith(".neg")}
    _serve(monkeypatch, tmp_path, "rt_polarity", RT_FILES, _tar_gz(members))
    with pytest.raises(data.DatasetNotAvailableError, match=r"has no member for it"):
        data.load_rt_polarity()
    assert not (course_data / "rt_polarity" / "rt-polaritydata.tar.gz").exists()


def test_an_unreadable_archive_with_the_right_checksum_is_a_data_error(
    monkeypatch, tmp_path, course_data
):
    _serve(monkeypatch, tmp_path, "sst2", {"dev.tsv": b"x"}, b"not a zip at all")
    with pytest.raises(data.DataError, match="Could not read the archive .* as zip"):
        data.load_sst2("validation")
    assert _leftovers(course_data) == []
