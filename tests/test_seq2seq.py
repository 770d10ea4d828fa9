"""Tests of rnn_course.seq2seq: text to ids, batches, the translation models, decoding, BLEU."""

from __future__ import annotations

import dataclasses
import hashlib
import io
import urllib.request
import zipfile
from types import MappingProxyType

import keras
import numpy as np
import pytest

from rnn_course import data
from rnn_course.data import registry
from rnn_course.seq2seq import (
    TimeBudget,
    TranslationBatches,
    Translator,
    Vocabulary,
    bleu_by_length,
    corpus_bleu,
    detokenize,
    masked_loss,
    split_by_source,
    teacher_forcing,
    tokenize,
    translation_model,
)

SOURCES = ["hola .", "tengo hambre .", "¿dónde está el baño ?", "el perro come .", "ve ."]
TARGETS = ["hello .", "i'm hungry .", "where is the bathroom ?", "the dog eats .", "go ."]


def np_(x):
    return np.asarray(keras.ops.convert_to_numpy(x))


# --- text ---------------------------------------------------------------------------------------


def test_tokenize_and_detokenize():
    assert tokenize("¿Dónde está?") == ["¿", "dónde", "está", "?"]
    assert tokenize("I don\u2019t know, Tom.") == ["i", "don't", "know", ",", "tom", "."]
    assert tokenize("Do\u0301nde") == ["dónde"]  # NFC: one character for ó
    assert detokenize(["i", "don't", "know", ",", "tom", "."]) == "i don't know, tom."
    assert detokenize(["¿", "qué", "?"]) == "¿qué?"
    with pytest.raises(TypeError, match="text must be a string"):
        tokenize(["a"])


def test_vocabulary_ids_and_coverage():
    sentences = [tokenize(t) for t in TARGETS]
    vocab = Vocabulary.from_corpus(sentences, 8)
    assert vocab.tokens[:4] == ["", "[UNK]", "[START]", "[END]"] and len(vocab) == 8
    assert vocab.tokens[4] == "."  # the most frequent
    ids = vocab.encode(["the", "zebra", "."], start=True, end=True)
    assert ids.dtype == np.int32 and ids[0] == 2 and ids[2] == 1 and ids[-1] == 3
    assert vocab.decode([2, *ids[1:], 5, 6]) == ["the", "[UNK]", "."]  # stops at [END]
    assert vocab.decode([0, 2]) == []
    assert vocab.coverage([["the", "zebra"]]) == 0.5
    with pytest.raises(TypeError, match="not a string"):
        vocab.encode("the dog")
    with pytest.raises(TypeError, match="list of token lists"):
        Vocabulary.from_corpus(TARGETS, 8)
    with pytest.raises(ValueError, match="max_size must be an integer >= 5"):
        Vocabulary.from_corpus(sentences, 4)
    with pytest.raises(ValueError, match="special tokens"):
        Vocabulary(["[END]"])
    with pytest.raises(ValueError, match="outside"):
        vocab.decode([99])


def test_split_by_source_is_seeded_and_keeps_sources_apart():
    examples = [(f"s{i % 40}", f"t{i}") for i in range(100)]  # 40 sources, most with 2-3 pairs
    train, val, test = split_by_source(examples, n_test=5, n_validation=7, seed=0)
    assert len(test) == 5 and len(val) == 7
    sources = [{e[0] for e in split} for split in (train, val, test)]
    assert not (sources[0] & sources[1]) and not (sources[0] & sources[2])
    assert not (sources[1] & sources[2])
    held_out = sources[1] | sources[2]
    assert train == [e for e in examples if e[0] not in held_out]  # every pair, in order
    assert all(
        examples.index(e) == min(examples.index(x) for x in examples if x[0] == e[0])
        for e in val + test
    )  # the first pair of each held-out source
    assert split_by_source(examples, n_test=5, n_validation=7, seed=0) == (train, val, test)
    assert split_by_source(examples, n_test=5, n_validation=7, seed=1)[2] != test
    with pytest.raises(ValueError, match="leaves no training data"):
        split_by_source(examples, n_test=30, n_validation=10, seed=0)


def test_teacher_forcing_shifts_by_one():
    inputs, labels = teacher_forcing([[7, 8, 9], [5]])
    assert inputs.tolist() == [[2, 7, 8, 9], [2, 5, 0, 0]]
    assert labels.tolist() == [[7, 8, 9, 3], [5, 3, 0, 0]]


def test_batches_group_by_length():
    rng = np.random.default_rng(0)
    sources = [rng.integers(4, 20, size=n).astype("int32") for n in rng.integers(1, 16, 640)]
    targets = [
        rng.integers(4, 20, size=len(s) + rng.integers(0, 3)).astype("int32") for s in sources
    ]
    batches = TranslationBatches(sources, targets, 32, steps=7, seed=0)
    assert len(batches) == 7
    (source, decoder_inputs), labels = batches[0]
    assert source.shape[0] == 32 and decoder_inputs.shape == labels.shape
    fixed = TranslationBatches(sources, targets, 64)
    assert len(fixed) == 10
    padding = np.mean([(fixed[i][0][0] == 0).mean() for i in range(len(fixed))])
    assert padding < 0.35  # random batches would hold about half padding
    with pytest.raises(ValueError, match="same length"):
        TranslationBatches(sources, targets[:3], 8)
    with pytest.raises(ValueError, match="steps"):
        TranslationBatches(sources, targets, 8, steps=0, seed=0)


def test_batches_continue_over_epochs_and_keep_keras_time_axes_open():
    # lengths 2 and 3 only: two random batches are often alike, and Keras would then fix an axis
    sources = [np.full(2 + k % 2, 5, "int32") for k in range(60)]
    targets = [np.full(2 + k // 30, 6, "int32") for k in range(60)]
    batches = TranslationBatches(sources, targets, 6, seed=1)  # one pass (10 batches) an epoch
    rows = []
    for _ in range(3):
        first, second = (batches[i][0] for i in range(2))
        assert all(a.shape[1] != b.shape[1] for a, b in zip(first, second, strict=True))
        rows.append(np.concatenate([batches._stream[i] for i in range(len(batches))]))
        batches.on_epoch_end()
    for epoch in rows:  # every pair once per pass, in a new order each time
        assert sorted(epoch) == list(range(60))
    assert rows[0].tolist() != rows[1].tolist()


# --- models and decoding ------------------------------------------------------------------------


@pytest.fixture(scope="module")
def vocabs():
    source = Vocabulary.from_corpus([tokenize(s) for s in SOURCES], 30)
    target = Vocabulary.from_corpus([tokenize(t) for t in TARGETS], 30)
    return source, target


def _model(vocabs, attention):
    keras.utils.set_random_seed(1)
    source, target = vocabs
    return translation_model(
        len(source), len(target), embedding_dim=8, units=6, attention=attention
    )


def _source_ids(source_vocab):
    ids = [source_vocab.encode(tokenize(s), end=True) for s in SOURCES]
    from rnn_course.seq2seq import pad

    return pad(ids)


@pytest.mark.parametrize("attention", [False, True])
def test_one_step_decoder_equals_the_training_model(vocabs, attention):
    model = _model(vocabs, attention)
    translator = Translator(model, *vocabs)
    source = _source_ids(vocabs[0])
    prefix = np.random.default_rng(0).integers(4, len(vocabs[1]), size=(len(source), 6))
    prefix[:, 0] = 2
    full = np_(model([source, prefix]))
    assert full.shape == (len(source), 6, len(vocabs[1]))
    states = translator.encode(source)
    for t in range(prefix.shape[1]):
        logits, states, *weights = translator.step(prefix[:, t], states)
        np.testing.assert_allclose(logits, full[:, t], atol=1e-5)
        if attention:
            (alpha,) = weights
            np.testing.assert_allclose(alpha.sum(axis=-1), 1.0, atol=1e-5)
            assert np.all(alpha[source == 0] == 0.0)


@pytest.mark.parametrize("attention", [False, True])
def test_beam_width_one_is_greedy_and_inputs_matter(vocabs, attention):
    translator = Translator(_model(vocabs, attention), *vocabs)
    source = _source_ids(vocabs[0])
    greedy = translator.translate_ids(source, max_length=8)
    assert translator.beam_ids(source, beam_width=1, max_length=8) == greedy
    beams = translator.beam_ids(source, beam_width=3, max_length=8)
    assert len(beams) == len(source)
    first = np_(translator.step(np.full(len(source), 2), translator.encode(source))[0])
    assert np.ptp(first, axis=0).max() > 1e-4  # different sentences, different predictions


def test_keras_round_trip_keeps_the_translations(vocabs, tmp_path):
    model = _model(vocabs, True)
    path = tmp_path / "translator.keras"
    model.save(path)
    loaded = keras.saving.load_model(path)
    source = _source_ids(vocabs[0])
    prefix = np.full((len(source), 3), 5)
    np.testing.assert_allclose(np_(model([source, prefix])), np_(loaded([source, prefix])))
    a, b = Translator(model, *vocabs), Translator(loaded, *vocabs)
    assert a.translate(SOURCES, max_length=6) == b.translate(SOURCES, max_length=6)


def test_training_lowers_the_masked_loss(vocabs):
    model = _model(vocabs, True)
    model.compile(optimizer=keras.optimizers.Adam(0.02), loss=masked_loss())
    source_vocab, target_vocab = vocabs
    sources = [source_vocab.encode(tokenize(s), end=True) for s in SOURCES]
    targets = [target_vocab.encode(tokenize(t)) for t in TARGETS]
    batches = TranslationBatches(sources, targets, 5, steps=10, seed=0)
    budget = TimeBudget(60.0)
    history = model.fit(batches, epochs=3, callbacks=[budget], verbose=0)
    losses = history.history["loss"]
    assert losses[-1] < losses[0] and budget.steps == [10, 20, 30]
    assert len(budget.seconds) == 3 and budget.seconds[-1] > 0
    # padding labels do not count: the same batch with more padding gives the same loss
    (src, dec), labels = batches.batch(np.arange(5))
    wide = np.pad(dec, ((0, 0), (0, 3))), np.pad(labels, ((0, 0), (0, 3)))
    a = float(np_(masked_loss()(labels, model([src, dec]))))
    b = float(np_(masked_loss()(wide[1], model([src, wide[0]]))))
    assert a == pytest.approx(b, rel=1e-5)


def test_time_budget_stops_training():
    model = keras.Sequential([keras.Input((2,)), keras.layers.Dense(1)])
    model.compile(optimizer="sgd", loss="mse")
    budget = TimeBudget(1e-9)
    model.fit(np.zeros((8, 2)), np.zeros(8), epochs=50, callbacks=[budget], verbose=0)
    assert len(budget.steps) <= 2
    by_steps = TimeBudget(3600.0, max_steps=3)
    model.fit(
        np.zeros((8, 2)), np.zeros(8), batch_size=4, epochs=50, callbacks=[by_steps], verbose=0
    )
    assert by_steps.steps == [2, 4]  # stops at the end of the epoch that reaches 3 steps
    with pytest.raises(ValueError, match="max_steps must be None or an integer >= 1"):
        TimeBudget(1.0, max_steps=0)
    with pytest.raises(ValueError, match="seconds must be a positive number"):
        TimeBudget(0)


def test_bad_inputs_give_clear_errors(vocabs):
    with pytest.raises(ValueError, match="target_vocab_size must be an integer >= 5"):
        translation_model(10, 3)
    with pytest.raises(TypeError, match="must come from rnn_course.seq2seq.translation_model"):
        Translator(keras.Sequential([keras.Input((2,)), keras.layers.Dense(1)]), *vocabs)
    model = _model(vocabs, True)
    with pytest.raises(ValueError, match="target_vocab has"):
        Translator(model, vocabs[0], Vocabulary(["a"]))
    with pytest.raises(ValueError, match=r"padded ids \(batch, S\)"):
        Translator(model, *vocabs).encode(np.array([4, 5]))


# --- BLEU ---------------------------------------------------------------------------------------


def test_bleu_and_bleu_by_length():
    refs = ["the cat sat on the mat.", "where is the bathroom?", "i am very hungry today."]
    assert corpus_bleu(refs, refs) == pytest.approx(100.0)
    assert corpus_bleu(["x y z w v"] * 3, refs) < 1.0
    by_length = bleu_by_length(refs, refs, [2, 7, 12])
    assert by_length[(1, 5)] == (pytest.approx(100.0), 1)
    assert set(by_length) == {(1, 5), (6, 10), (11, 15)}
    empty = bleu_by_length(refs, refs, [2, 3, 4])
    assert np.isnan(empty[(6, 10)][0]) and empty[(6, 10)][1] == 0
    with pytest.raises(ValueError, match="one reference per hypothesis"):
        corpus_bleu(refs, refs[:2])
    with pytest.raises(TypeError, match="lists of strings"):
        corpus_bleu("a b", "a b")
    with pytest.raises(TypeError, match="detokenized text"):
        corpus_bleu([["the", "cat"]], ["the cat"])
    with pytest.raises(ValueError, match="one source length per hypothesis"):
        bleu_by_length(refs, refs, [1, 2])


# --- the loader without a mirror ------------------------------------------------------------


def test_load_spa_eng_downloads_without_a_mirror(monkeypatch, tmp_path):
    """No mirror and no data folder: the registered zip comes from its URL (file:// here)."""
    text = b"Go.\tVe.\nI'm hungry.\tTengo hambre.\n"
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("spa-eng/spa.txt", text)
    blob = buffer.getvalue()
    served = tmp_path / "spa-eng.zip"
    served.write_bytes(blob)
    dataset = data.get_dataset("spa_eng")
    info = data.DataFile(
        "spa-eng.zip", hashlib.sha256(blob).hexdigest(), len(blob), served.as_uri()
    )
    patched = dataclasses.replace(dataset, files=MappingProxyType({"spa-eng.zip": info}))
    monkeypatch.setattr(
        registry, "DATASETS", MappingProxyType({**data.DATASETS, "spa_eng": patched})
    )
    monkeypatch.setenv("RNN_COURSE_DATA", str(tmp_path / "course_data"))
    monkeypatch.setenv("RNN_COURSE_MIRROR", "")
    opened = []
    real = urllib.request.urlopen

    def file_only(url, *args, **kwargs):
        assert str(url).startswith("file:"), f"a test tried to reach the network: {url}"
        opened.append(url)
        return real(url, *args, **kwargs)

    monkeypatch.setattr(urllib.request, "urlopen", file_only)
    data.clear_cache()
    try:
        assert data.load_spa_eng() == [("Go.", "Ve."), ("I'm hungry.", "Tengo hambre.")]
    finally:
        data.clear_cache()
    assert opened == [served.as_uri()]
    assert (tmp_path / "course_data" / "spa_eng" / "spa-eng.zip").read_bytes() == blob
