"""rnn_course.ner: vocabularies, features, encoding, the tagger, decoding and entity spans."""

import keras
import numpy as np
import pytest
from keras.src import testing
from seqeval.metrics.sequence_labeling import get_entities

from rnn_course import ner

SENTENCES = [["EU", "rejects", "German", "call"], ["Peter", "Blackburn"], ["1996-08-22"]]
TAGS = [["B-ORG", "O", "B-MISC", "O"], ["B-PER", "I-PER"], ["O"]]
TAG_NAMES = ["O", "B-MISC", "B-ORG", "B-PER", "I-PER"]
TAG_IDS = {t: i for i, t in enumerate(TAG_NAMES)}


@pytest.fixture(scope="module")
def vocabularies():
    words = ner.build_vocabulary([[ner.word_key(t) for t in s] for s in SENTENCES])
    chars = ner.build_vocabulary(t for s in SENTENCES for t in s)
    return words, chars


# --- features and vocabularies ----------------------------------------------------------------


def test_word_key_lowercases_and_zeroes_digits():
    assert ner.word_key("Germany") == "germany"
    assert ner.word_key("1996-08-22") == "0000-00-00"
    with pytest.raises(TypeError, match="string"):
        ner.word_key(3)


@pytest.mark.parametrize(
    "token, name",
    [
        ("the", "lower"),
        ("EU", "upper"),
        ("Germany", "title"),
        ("A", "upper"),
        ("1996", "numeric"),
        ("3-1", "has_digit"),
        ("iPhone", "other"),
        (",", "other"),
        ("McDonald", "other"),
    ],
)
def test_casing_class(token, name):
    assert ner.CASING_CLASSES[ner.casing_class(token)] == name


def test_casing_class_refuses_bad_tokens():
    with pytest.raises(ValueError, match="non-empty"):
        ner.casing_class("")
    with pytest.raises(TypeError):
        ner.casing_class(None)


def test_vocabulary_reserves_padding_and_unknown():
    vocab = ner.build_vocabulary([["b", "a", "b"], ["c", "b", "a"]])
    assert vocab == {ner.PAD: 0, ner.UNK: 1, "b": 2, "a": 3, "c": 4}
    assert ner.build_vocabulary([["b", "a", "b"]], min_count=2) == {ner.PAD: 0, ner.UNK: 1, "b": 2}
    assert ner.build_vocabulary(["ab", "b"]) == {ner.PAD: 0, ner.UNK: 1, "b": 2, "a": 3}


def test_vocabulary_bad_inputs():
    with pytest.raises(TypeError, match="one string"):
        ner.build_vocabulary("abc")
    with pytest.raises(TypeError, match="strings"):
        ner.build_vocabulary([[1, 2]])
    with pytest.raises(ValueError, match="min_count"):
        ner.build_vocabulary([["a"]], min_count=0)


def test_oov_rate(vocabularies):
    words, _ = vocabularies
    assert ner.oov_rate([["eu", "Rejects", "Paris", "1997-01-01"]], words) == 0.25
    with pytest.raises(TypeError, match="build_vocabulary"):
        ner.oov_rate(SENTENCES, {"a": 0})
    with pytest.raises(ValueError, match="no tokens"):
        ner.oov_rate([[]], words)


# --- encoding and decoding --------------------------------------------------------------------


def test_encode_pads_with_zeros(vocabularies):
    words, chars = vocabularies
    x, y = ner.encode(SENTENCES, words, chars, tags=TAGS, tag_ids=TAG_IDS, max_word_length=5)
    assert x["words"].shape == (3, 4) and x["casing"].shape == (3, 4)
    assert x["chars"].shape == (3, 4, 5) and y.shape == (3, 4)
    assert all(a.dtype == np.int32 for a in (*x.values(), y))
    assert (x["words"][1, 2:] == 0).all() and (x["casing"][1, 2:] == 0).all()
    assert (x["chars"][1, 2:] == 0).all() and (y[1, 2:] == 0).all()
    assert (x["words"][:, 0] > 1).all() and (x["casing"][0] > 0).all()
    assert x["words"][0, 0] == words["eu"]
    assert [chars[c] for c in "1996-"] == list(x["chars"][2, 0])  # first 5 characters
    assert list(y[1, :2]) == [TAG_IDS["B-PER"], TAG_IDS["I-PER"]]
    assert ner.CASING_CLASSES[x["casing"][0, 0]] == "upper"


def test_encode_unknown_words_and_length(vocabularies):
    words, chars = vocabularies
    x, y = ner.encode([["Zürich", "rejects"]], words, chars, length=6)
    assert y is None and x["words"].shape == (1, 6)
    assert x["words"][0, 0] == 1 and x["chars"][0, 0, 1] == 1  # <unk> word, <unk> "ü"


def test_encode_word_dropout_only_replaces_known_words(vocabularies):
    words, chars = vocabularies
    rng = np.random.default_rng(0)
    x, _ = ner.encode(SENTENCES * 50, words, chars, word_dropout=0.5, rng=rng)
    clean, _ = ner.encode(SENTENCES * 50, words, chars)
    changed = x["words"] != clean["words"]
    assert 0.3 < changed.sum() / (clean["words"] > 0).sum() < 0.7
    assert (x["words"][changed] == 1).all() and (clean["words"][x["words"] == 0] == 0).all()


def test_encode_word_dropout_per_word(vocabularies):
    words, chars = vocabularies
    rates = np.zeros(len(words))
    rates[words["eu"]] = 0.99  # only "EU" is ever dropped
    x, _ = ner.encode(
        SENTENCES * 20, words, chars, word_dropout=rates, rng=np.random.default_rng(0)
    )
    clean, _ = ner.encode(SENTENCES * 20, words, chars)
    changed = x["words"] != clean["words"]
    assert changed.any() and (clean["words"][changed] == words["eu"]).all()
    with pytest.raises(ValueError, match="one per word id"):
        ner.encode(SENTENCES, words, chars, word_dropout=rates[:3], rng=np.random.default_rng(0))


@pytest.mark.parametrize(
    "kwargs, error, match",
    [
        ({"sentences": "EU rejects"}, TypeError, "list of sentences"),
        ({"sentences": ["EU", "rejects"]}, TypeError, "sentence 0"),
        ({"sentences": [[]]}, ValueError, "empty"),
        ({"sentences": []}, ValueError, "no sentences"),
        ({"length": 2}, ValueError, "shorter"),
        ({"tags": TAGS}, ValueError, "tag_ids"),
        ({"tags": [["O"]] * 3, "tag_ids": TAG_IDS}, ValueError, "tokens but"),
        ({"tags": [["X"] * 4, ["O"] * 2, ["O"]], "tag_ids": TAG_IDS}, ValueError, "unknown tag"),
        ({"word_dropout": 0.1}, ValueError, "rng"),
        ({"word_dropout": 1.5}, ValueError, r"\[0, 1\)"),
    ],
)
def test_encode_bad_inputs(vocabularies, kwargs, error, match):
    words, chars = vocabularies
    kwargs = {"sentences": SENTENCES, **kwargs}
    with pytest.raises(error, match=match):
        ner.encode(kwargs.pop("sentences"), words, chars, **kwargs)


def test_encode_refuses_a_vocabulary_without_unknown(vocabularies):
    words, chars = vocabularies
    with pytest.raises(TypeError, match="<unk>"):
        ner.encode(SENTENCES, {"eu": 0}, chars)


def test_decode_removes_padding():
    scores = np.zeros((2, 4, 3))
    scores[0, :, 1] = 1
    scores[1, :, 2] = 1
    assert ner.decode(scores, [3, 1], ["O", "B-PER", "I-PER"]) == [
        ["B-PER"] * 3,
        ["I-PER"],
    ]
    assert ner.decode(np.array([[0, 1, 2]]), [2], ["O", "B-PER", "I-PER"]) == [["O", "B-PER"]]


def test_decode_bad_inputs():
    with pytest.raises(ValueError, match="shape"):
        ner.decode(np.zeros(3), [1], ["O"])
    with pytest.raises(ValueError, match="lengths for"):
        ner.decode(np.zeros((2, 3), int), [1], ["O"])
    with pytest.raises(ValueError, match="lie in"):
        ner.decode(np.zeros((1, 3), int), [4], ["O"])
    with pytest.raises(ValueError, match="no name"):
        ner.decode(np.full((1, 3), 2), [3], ["O"])


@pytest.mark.parametrize(
    "tags",
    [
        ["B-PER", "I-PER", "O", "B-LOC"],
        ["O", "I-PER", "I-PER", "B-PER"],
        ["B-PER", "I-LOC", "I-LOC", "O"],
        ["I-ORG", "B-ORG", "I-ORG", "I-MISC"],
        ["O", "O"],
        [],
    ],
)
def test_entity_spans_agree_with_seqeval(tags):
    expected = [(kind, start, stop + 1) for kind, start, stop in get_entities(tags)]
    assert ner.entity_spans(tags) == expected


def test_entity_spans_bad_inputs():
    with pytest.raises(TypeError, match="one string"):
        ner.entity_spans("B-PER")
    with pytest.raises(ValueError, match="not an IOB tag"):
        ner.entity_spans(["PER"])


def test_map_entity_types():
    tags = ["B-person", "I-person", "O", "B-group", "B-product"]
    assert ner.map_entity_types(tags, ner.WNUT_TO_CONLL) == [
        "B-PER",
        "I-PER",
        "O",
        "B-ORG",
        "B-MISC",
    ]
    assert ner.map_entity_types(["B-product"], {"product": None}) == ["O"]
    with pytest.raises(ValueError, match="no mapping"):
        ner.map_entity_types(["B-event"], ner.WNUT_TO_CONLL)


def test_sentence_batches(vocabularies):
    words, chars = vocabularies
    data = ner.SentenceBatches(
        SENTENCES, words, chars, tags=TAGS, tag_ids=TAG_IDS, batch_size=2, inputs=("words",)
    )
    assert len(data) == 2 and sorted(data.order) == [0, 1, 2]
    x, y = data[0]
    assert set(x) == {"words"} and x["words"].shape == y.shape
    (x,) = ner.SentenceBatches(SENTENCES, words, chars, batch_size=3)[0]
    assert set(x) == {"words", "chars", "casing"} and x["words"].shape == (3, 4)
    (x,) = ner.SentenceBatches(SENTENCES, words, chars, batch_size=3, length_multiple=8)[0]
    assert x["words"].shape == (3, 8) and x["chars"].shape == (3, 8, 20)


def test_sentence_batches_train_when_the_first_two_batches_are_alike(vocabularies):
    # Sentences of 4, 2 and 1 words: random batches of 2 often start with two batches of the same
    # length, which would fix Keras's time axis (rnn_course/batching.py says more).
    words, chars = vocabularies
    sentences = [SENTENCES[k % 3] for k in range(24)]
    tags = [TAGS[k % 3] for k in range(24)]
    model = ner.ner_tagger(len(words), len(TAG_IDS), units=4, word_dim=4, n_chars=None)
    model.compile(
        optimizer="adam", loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True)
    )
    for seed in range(4):
        data = ner.SentenceBatches(
            sentences,
            words,
            chars,
            tags=tags,
            tag_ids=TAG_IDS,
            batch_size=2,
            rng=np.random.default_rng(seed),
            inputs=model.get_layer("token_features").input_names,
        )
        widths = [data[i][0]["words"].shape[1] for i in range(2)]
        assert widths[0] != widths[1]
        model.fit(data, epochs=2, verbose=0)


# --- the layers and the model -----------------------------------------------------------------


class CharCNNLayerTest(testing.TestCase):
    def test_basics(self):
        self.run_layer_test(
            ner.CharCNN,
            init_kwargs={"n_chars": 10, "char_dim": 4, "filters": 6},
            input_data=np.random.default_rng(0).integers(0, 10, size=(2, 3, 5)).astype("int32"),
            expected_output_shape=(2, 3, 6),
            expected_num_trainable_weights=3,
            expected_num_non_trainable_weights=0,
            run_training_check=False,
        )


def test_char_cnn_ignores_character_padding():
    layer = ner.CharCNN(12, char_dim=4, filters=5)
    ids = np.array([[[3, 4, 5, 0, 0], [0, 0, 0, 0, 0]]], "int32")
    longer = np.concatenate([ids, np.zeros((1, 2, 4), "int32")], axis=-1)
    out = keras.ops.convert_to_numpy(layer(ids))
    np.testing.assert_allclose(out, keras.ops.convert_to_numpy(layer(longer)), atol=1e-6)
    assert (out[0, 1] == 0).all()  # a padded word has no features


@pytest.mark.parametrize(
    "kwargs, match",
    [
        ({"n_chars": 0}, "n_chars"),
        ({"n_chars": 5, "width": 2}, "odd"),
        ({"n_chars": 5, "filters": -1}, "filters"),
    ],
)
def test_char_cnn_bad_arguments(kwargs, match):
    with pytest.raises(ValueError, match=match):
        ner.CharCNN(**kwargs)


def test_char_cnn_refuses_a_wrong_rank():
    with pytest.raises(ValueError, match="batch, words, chars"):
        ner.CharCNN(5)(np.ones((2, 3), "int32"))


def test_token_features_mask_and_errors(vocabularies):
    words, chars = vocabularies
    layer = ner.TokenFeatures(len(words), 6, n_chars=len(chars), char_filters=4, casing_dim=3)
    assert layer.input_names == ("words", "chars", "casing")
    x, _ = ner.encode(SENTENCES, words, chars)
    assert tuple(layer(x).shape) == (3, 4, 13)
    mask = keras.ops.convert_to_numpy(layer.compute_mask(x))
    np.testing.assert_array_equal(mask, x["words"] != 0)
    with pytest.raises(ValueError, match="keys"):
        layer({"words": x["words"]})
    assert ner.TokenFeatures(len(words), 6, casing_dim=None).input_names == ("words",)


@pytest.fixture(scope="module")
def tagger(vocabularies):
    words, chars = vocabularies
    return ner.ner_tagger(
        len(words),
        len(TAG_NAMES),
        n_chars=len(chars),
        word_dim=8,
        char_dim=4,
        char_filters=5,
        units=6,
    )


def test_tagger_shapes_and_padding(vocabularies, tagger):
    words, chars = vocabularies
    x, _ = ner.encode(SENTENCES, words, chars)
    longer, _ = ner.encode(SENTENCES, words, chars, length=9)
    out = keras.ops.convert_to_numpy(tagger(x))
    assert out.shape == (3, 4, len(TAG_NAMES))
    np.testing.assert_allclose(out.sum(-1), 1, atol=1e-5)
    more = keras.ops.convert_to_numpy(tagger(longer))
    np.testing.assert_allclose(more[:, :4][x["words"] != 0], out[x["words"] != 0], atol=1e-6)


def test_tagger_loss_ignores_padding(vocabularies, tagger):
    words, chars = vocabularies
    tagger.compile(loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    x, y = ner.encode(SENTENCES, words, chars, tags=TAGS, tag_ids=TAG_IDS)
    longer, y_longer = ner.encode(SENTENCES, words, chars, tags=TAGS, tag_ids=TAG_IDS, length=9)
    y_longer[:, 4:] = 3  # labels at padded positions must not matter either
    a = tagger.evaluate(x, y, verbose=0)
    b = tagger.evaluate(longer, y_longer, verbose=0)
    np.testing.assert_allclose(a, b, rtol=1e-5)


def test_tagger_keras_round_trip(vocabularies, tagger, tmp_path):
    words, chars = vocabularies
    x, _ = ner.encode(SENTENCES, words, chars)
    path = tmp_path / "tagger.keras"
    tagger.save(path)
    loaded = keras.models.load_model(path)
    np.testing.assert_allclose(
        keras.ops.convert_to_numpy(loaded(x)), keras.ops.convert_to_numpy(tagger(x)), atol=1e-6
    )


def test_tagger_variants(vocabularies):
    words, chars = vocabularies
    x, _ = ner.encode(SENTENCES, words, chars)
    plain = ner.ner_tagger(len(words), 5, casing=False, bidirectional=False, units=3, word_dim=4)
    assert list(plain.input.keys()) == ["words"] if isinstance(plain.input, dict) else True
    assert tuple(plain({"words": x["words"]}).shape) == (3, 4, 5)
    # parameters: embedding, one LSTM of 3 units over 4 inputs, dense 3 -> 5
    assert plain.count_params() == len(words) * 4 + 4 * 3 * (4 + 3 + 1) + (3 + 1) * 5


@pytest.mark.parametrize(
    "kwargs, match",
    [
        ({"n_words": 2}, "n_words"),
        ({"n_tags": 0}, "n_tags"),
        ({"dropout": 1.0}, "dropout"),
        ({"n_chars": 0}, "n_chars"),
    ],
)
def test_tagger_bad_arguments(kwargs, match):
    args = {"n_words": 10, "n_tags": 3, **kwargs}
    with pytest.raises(ValueError, match=match):
        ner.ner_tagger(args.pop("n_words"), args.pop("n_tags"), **args)
