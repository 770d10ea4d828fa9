import keras
import numpy as np
import pytest

from rnn_course.layers import GRU, LSTM, LayerNormLSTM, StackedRNN, stacked_rnn


def np_(x):
    return np.asarray(keras.ops.convert_to_numpy(x))


@pytest.fixture
def data():
    return np.random.default_rng(0).normal(size=(4, 7, 3)).astype("float32")


@pytest.mark.parametrize("residual", [False, True])
def test_output_shapes_and_depth(data, residual):
    stack = stacked_rnn(LSTM, 3, 5, residual=residual)
    assert stack.depth == 3
    assert tuple(stack(data).shape) == (4, 7, 5)
    assert tuple(stack.compute_output_shape(data.shape)) == (4, 7, 5)
    lstm = [4 * 5 * (5 + 3 + 1)] + [4 * 5 * (5 + 5 + 1)] * 2
    assert stack.count_params() == sum(lstm) + (3 * 5 if residual else 0)  # + the projection
    bidirectional = stacked_rnn(
        lambda n, **kw: keras.layers.Bidirectional(GRU(n, **kw)), 2, 4, residual=residual
    )
    assert tuple(bidirectional(data).shape) == (4, 7, 8)


def test_residual_adds_each_layers_input(data):
    stack = stacked_rnn(LayerNormLSTM, 3, 5, residual=True)
    out = np_(stack(data))
    first, second, third = stack.recurrent_layers
    x1 = np_(stack.projection(data)) + np_(first(data))
    x2 = x1 + np_(second(x1))
    x3 = x2 + np_(third(x2))
    assert np.max(np.abs(out - x3)) < 1e-6
    plain = StackedRNN([first, second, third])  # the same layers without the skips
    y = np_(third(second(first(data))))
    assert np.max(np.abs(np_(plain(data)) - y)) < 1e-6
    assert np.max(np.abs(out - np_(plain(data)))) > 1e-2


def test_no_projection_when_the_widths_match(data):
    stack = stacked_rnn(GRU, 2, 3, residual=True)
    out = np_(stack(data))
    assert stack.projection is None
    first, second = stack.recurrent_layers
    x1 = data + np_(first(data))
    assert np.max(np.abs(out - (x1 + np_(second(x1))))) < 1e-6


def test_mask_propagates_to_every_layer_and_out(data):
    ids = np.array([[3, 1, 2, 0, 0], [4, 0, 0, 0, 0]])
    inputs = keras.Input((None,), dtype="int32")
    embedded = keras.layers.Embedding(6, 3, mask_zero=True)(inputs)
    stack = stacked_rnn(LSTM, 2, 4, residual=True)
    outputs = stack(embedded)
    assert outputs._keras_mask is not None  # a following layer or loss sees the mask
    model = keras.Model(inputs, outputs)
    H = np_(model(ids))
    # each layer repeats its last output over padding, so H changes only with the input's skip
    mask = ids != 0
    E = np_(model.layers[1](ids))
    first, second = stack.recurrent_layers
    x1 = np_(stack.projection(E)) + np_(first(E, mask=mask))
    x2 = x1 + np_(second(x1, mask=mask))
    assert np.max(np.abs(H - x2)) < 1e-6
    unmasked = x1 + np_(second(x1))
    assert np.max(np.abs(H - unmasked)) > 1e-4  # the second layer did see the mask
    np.testing.assert_array_equal(np_(stack.compute_mask(E, mask)), mask)


def test_keras_file_round_trip_in_safe_mode(tmp_path, data):
    stack = stacked_rnn(LayerNormLSTM, 2, 4, residual=True, name="encoder")
    model = keras.Sequential([keras.Input((None, 3)), stack, keras.layers.Dense(2)])
    path = tmp_path / "model.keras"
    model.save(path)
    loaded = keras.saving.load_model(path, safe_mode=True)
    clone = loaded.layers[0]
    assert isinstance(clone, StackedRNN) and clone.residual and clone.depth == 2
    assert all(isinstance(layer, LayerNormLSTM) for layer in clone.recurrent_layers)
    np.testing.assert_allclose(np_(loaded(data)), np_(model(data)), atol=1e-6)
    config = StackedRNN.from_config(stack.get_config()).get_config()
    assert config == stack.get_config()


def test_bad_arguments_raise_clear_errors(data):
    with pytest.raises(ValueError, match="depth must be a positive integer, got 0"):
        stacked_rnn(LSTM, 0, 4)
    with pytest.raises(ValueError, match="depth must be a positive integer"):
        stacked_rnn(LSTM, 2.0, 4)
    with pytest.raises(ValueError, match="units must be a positive integer"):
        stacked_rnn(LSTM, 2, -1)
    with pytest.raises(TypeError, match="layer_fn must be a callable"):
        stacked_rnn("lstm", 2, 4)
    with pytest.raises(TypeError, match="layer 0 must be a recurrent layer.*got Dense"):
        stacked_rnn(lambda n, **kw: keras.layers.Dense(n), 2, 4)
    with pytest.raises(ValueError, match="return_sequences=True and return_state=False"):
        stacked_rnn(lambda n, **kw: LSTM(n), 2, 4)
    with pytest.raises(ValueError, match="at least one recurrent layer"):
        StackedRNN([])
    with pytest.raises(TypeError, match="a list of recurrent layers"):
        StackedRNN(LSTM(3, return_sequences=True))
    with pytest.raises(ValueError, match="return_sequences=True"):
        StackedRNN([LSTM(3, return_sequences=True, return_state=True)])
    with pytest.raises(ValueError, match=r"layer 0 .* maps 3 features to 4.*project_input=True"):
        stacked_rnn(LSTM, 2, 4, residual=True, project_input=False)(data)
    mixed = StackedRNN([LSTM(3, return_sequences=True), GRU(5, return_sequences=True)], True)
    with pytest.raises(ValueError, match="layer 1 .* maps 3 features to 5.*same output width"):
        mixed(data)
    with pytest.raises(ValueError, match=r"\(batch, time, features\).*got shape \(4, 3\)"):
        stacked_rnn(LSTM, 2, 4)(data[:, 0])
