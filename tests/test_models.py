import keras
import numpy as np
import pytest

import rnn_course
from rnn_course.models import char_language_model, lstm_classifier

V, E, H, C = 13, 4, 5, 3  # tiny: vocab, embedding, hidden units, classes


def np_(x):
    return np.asarray(keras.ops.convert_to_numpy(x))


def right_padded(rng, lengths, time, vocab=V):
    """Token ids 1 ... vocab - 1, each row padded with 0 after its length."""
    ids = rng.integers(1, vocab, size=(len(lengths), time))
    for row, length in enumerate(lengths):
        ids[row, length:] = 0
    return ids.astype("int32")


def test_the_standard_smoke_test():
    model = lstm_classifier(10000, 100, 256, 3, bidirectional=True)
    ids = np.random.default_rng(0).integers(0, 10000, size=(5, 10))
    assert tuple(model(ids).shape) == (5, 3)
    assert rnn_course.lstm_classifier is lstm_classifier


@pytest.mark.parametrize("bidirectional", [False, True])
@pytest.mark.parametrize("n_layers", [1, 3])
def test_parameter_count_is_the_hand_formula(n_layers, bidirectional):
    model = lstm_classifier(V, E, H, C, n_layers=n_layers, bidirectional=bidirectional)
    d = 2 if bidirectional else 1
    lstm = [d * 4 * H * (E + H + 1)] + [d * 4 * H * (d * H + H + 1)] * (n_layers - 1)
    assert model.count_params() == V * E + sum(lstm) + (d * H * C + C)
    dropouts = [layer.name for layer in model.layers if isinstance(layer, keras.layers.Dropout)]
    assert dropouts == [f"dropout_{i}" for i in range(n_layers - 1)] + ["head_dropout"]


@pytest.mark.parametrize("n_layers", [1, 2])
def test_bidirectional_features_are_the_final_forward_and_backward_states(n_layers):
    """``torch.cat((hidden[-2], hidden[-1]), dim=1)``: the forward state after the last token,
    the backward state after the first, of the last layer, computed here one by one."""
    model = lstm_classifier(V, E, H, C, n_layers=n_layers, bidirectional=True, dropout=0.3)
    lengths = [7, 3, 1, 5]
    ids = right_padded(np.random.default_rng(1), lengths, 7)
    last = model.get_layer(f"lstm_{n_layers - 1}")
    before = model.get_layer("embedding" if n_layers == 1 else f"dropout_{n_layers - 2}")
    inner = keras.Model(model.input, [before.output, last.output, model.get_layer("logits").input])
    x, features, head_input = map(np_, inner(ids, training=False))
    np.testing.assert_array_equal(features, head_input)  # dropout is off at inference
    assert features.shape == (4, 2 * H)

    forward = keras.layers.LSTM(H, return_state=True)
    backward = keras.layers.LSTM(H, return_state=True)  # reads the reversed sentence forwards
    for own, trained in ((forward, last.forward_layer), (backward, last.backward_layer)):
        own.build(x.shape)
        own.set_weights(trained.get_weights())
    for row, length in enumerate(lengths):
        sentence = x[row : row + 1, :length]  # the real tokens, as pack_padded_sequence keeps
        _, h_forward, _ = forward(sentence)
        _, h_backward, _ = backward(sentence[:, ::-1])  # its state after the first token
        expected = np.concatenate([np_(h_forward), np_(h_backward)], axis=-1)[0]
        np.testing.assert_allclose(features[row], expected, atol=1e-5)


@pytest.mark.parametrize("bidirectional", [False, True])
@pytest.mark.parametrize("n_layers", [1, 2])
def test_right_padding_does_not_change_predictions(n_layers, bidirectional):
    model = lstm_classifier(V, E, H, C, n_layers=n_layers, bidirectional=bidirectional)
    ids = right_padded(np.random.default_rng(2), [6, 2, 4], 6)
    padded = np.pad(ids, ((0, 0), (0, 5)))
    before = np_(model(ids, training=False))
    np.testing.assert_allclose(np_(model(padded, training=False)), before, atol=1e-5)
    # each sentence alone, unpadded, gets the same prediction as in the padded batch
    alone = np_(model(ids[1:2, :2], training=False))
    np.testing.assert_allclose(alone[0], before[1], atol=1e-5)


def test_without_the_mask_padding_does_change_predictions():
    model = lstm_classifier(V, E, H, C, bidirectional=True, mask_zero=False)
    ids = right_padded(np.random.default_rng(2), [6, 2, 4], 6)
    padded = np.pad(ids, ((0, 0), (0, 5)))
    assert np.abs(np_(model(padded)) - np_(model(ids))).max() > 1e-4


def test_dropout_applies_only_in_training():
    model = lstm_classifier(V, E, H, C, n_layers=2, dropout=0.5)
    ids = right_padded(np.random.default_rng(3), [6, 6], 6)
    inference = np_(model(ids, training=False))
    np.testing.assert_array_equal(np_(model(ids, training=False)), inference)
    assert np.abs(np_(model(ids, training=True)) - inference).max() > 1e-6


def test_keras_file_round_trip_gives_identical_predictions(tmp_path):
    model = lstm_classifier(V, E, H, C, n_layers=2, bidirectional=True, name="sentiment")
    ids = right_padded(np.random.default_rng(4), [5, 3], 5)
    path = tmp_path / "classifier.keras"
    model.save(path)
    loaded = keras.saving.load_model(path, safe_mode=True)
    assert loaded.name == "sentiment" and loaded.count_params() == model.count_params()
    np.testing.assert_array_equal(np_(loaded(ids)), np_(model(ids)))


# --- char_language_model -------------------------------------------------------------------


@pytest.mark.parametrize(("cell", "gates"), [("gru", 3), ("lstm", 4)])
def test_language_model_shapes_layers_and_parameters(cell, gates):
    model = char_language_model(V, E, H, cell=cell, n_layers=2, dropout=0.2)
    ids = np.random.default_rng(5).integers(0, V, size=(2, 7))
    assert tuple(model(ids).shape) == (2, 7, V)
    names = [layer.name for layer in model.layers[1:]]
    assert names == ["embedding", "rnn_0", "dropout_0", "rnn_1", "dropout_1", "logits"]
    kind = keras.layers.GRU if cell == "gru" else keras.layers.LSTM
    assert isinstance(model.get_layer("rnn_1"), kind)
    # Keras's GRU (reset_after=True) has two biases per gate, its LSTM one
    biases = 2 if cell == "gru" else 1
    rnn = [gates * H * (n + H + biases) for n in (E, H)]
    assert model.count_params() == V * E + sum(rnn) + H * V + V
    no_dropout = char_language_model(V, E, H, cell=cell.upper())
    assert [layer.name for layer in no_dropout.layers[1:]] == ["embedding", "rnn_0", "logits"]


def test_language_model_is_causal_and_trains():
    model = char_language_model(V, E, H, cell="lstm", n_layers=2)
    ids = np.random.default_rng(6).integers(0, V, size=(3, 8))
    changed = ids.copy()
    changed[:, 5:] = (changed[:, 5:] + 1) % V
    logits, logits_changed = np_(model(ids)), np_(model(changed))
    np.testing.assert_array_equal(logits[:, :5], logits_changed[:, :5])  # no peeking ahead
    assert np.abs(logits[:, 5:] - logits_changed[:, 5:]).max() > 1e-6
    loss = keras.losses.SparseCategoricalCrossentropy(from_logits=True)
    model.compile(keras.optimizers.Adam(0.05), loss)
    first = model.train_on_batch(ids[:, :-1], ids[:, 1:])
    for _ in range(5):
        last = model.train_on_batch(ids[:, :-1], ids[:, 1:])
    assert last < first
