import keras
import numpy as np
import pytest
from keras.src import testing

from rnn_course import rel_error
from rnn_course.autodiff import value_and_grad
from rnn_course.layers import LSTM, LayerNormLSTM, LayerNormLSTMCell

N, M = 5, 3  # units, input features
GATES = ["f", "i", "C", "o"]
NAMES = (
    [f"W_{g}" for g in GATES]
    + [f"gamma_{g}" for g in [*GATES, "cell"]]
    + [f"beta_{g}" for g in [*GATES, "cell"]]
)
EPS = 1e-3


def sigmoid(a):
    return 1 / (1 + np.exp(-a))


def ln(a, gamma, beta):
    return gamma * (a - a.mean()) / np.sqrt(a.var() + EPS) + beta


def numpy_layernorm_lstm(X, weights, h0=None, C0=None, mask=None):
    """The docstring's equations, one sequence and one step at a time, in float64."""
    weights = [np.asarray(w, "float64") for w in weights]
    W = dict(zip(GATES, weights[:4], strict=True))
    gamma = dict(zip([*GATES, "cell"], weights[4:9], strict=True))
    beta = dict(zip([*GATES, "cell"], weights[9:], strict=True))
    batch, T, _ = X.shape
    n = W["f"].shape[0]
    H, h_last, C_last = np.zeros((batch, T, n)), np.zeros((batch, n)), np.zeros((batch, n))
    for b in range(batch):
        h = np.zeros(n) if h0 is None else h0[b]
        C = np.zeros(n) if C0 is None else C0[b]
        output = np.zeros(n)
        for t in range(T):
            if mask is not None and not mask[b, t]:
                H[b, t] = output
                continue
            hx = np.concatenate([h, X[b, t]])
            z = {g: ln(W[g] @ hx, gamma[g], beta[g]) for g in GATES}
            f, i, o = sigmoid(z["f"]), sigmoid(z["i"]), sigmoid(z["o"])
            C = f * C + i * np.tanh(z["C"])
            h = o * np.tanh(ln(C, gamma["cell"], beta["cell"]))
            H[b, t] = output = h
        h_last[b], C_last[b] = h, C
    return H, h_last, C_last


def np_(x):
    return np.asarray(keras.ops.convert_to_numpy(x))


def max_diff(a, b):
    return float(np.max(np.abs(np_(a) - np_(b))))


@pytest.fixture
def data():
    return np.random.default_rng(0).normal(size=(4, 7, M)).astype("float32")


def random_weights(seed, n=N, m=M, scale=0.5):
    rng = np.random.default_rng(seed)
    W = [rng.normal(scale=scale, size=(n, n + m)) for _ in range(4)]
    gamma = [1 + rng.normal(scale=0.3, size=n) for _ in range(5)]
    beta = [rng.normal(scale=scale, size=n) for _ in range(5)]
    return [w.astype("float32") for w in W + gamma + beta]


def test_weights_names_shapes_and_parameter_count(data):
    for n, m in [(N, M), (1, 1), (8, 2)]:
        layer = LayerNormLSTM(n)
        layer(data[..., :1].repeat(m, axis=-1))
        assert [w.path.split("/")[-1] for w in layer.weights] == NAMES
        assert [tuple(w.shape) for w in layer.weights] == [(n, n + m)] * 4 + [(n,)] * 10
        assert layer.count_params() == 4 * n * (n + m) + 10 * n


def test_initial_gains_and_biases(data):
    layer = LayerNormLSTM(N)
    layer(data)
    values = {w.path.split("/")[-1]: np_(w) for w in layer.weights}
    for part in [*GATES, "cell"]:
        np.testing.assert_array_equal(values[f"gamma_{part}"], np.ones(N))
        expected = np.ones(N) if part == "f" else np.zeros(N)
        np.testing.assert_array_equal(values[f"beta_{part}"], expected)
    plain = LayerNormLSTM(N, unit_forget_bias=False)
    plain(data)
    np.testing.assert_array_equal(np_(plain.cell.beta_f), np.zeros(N))


def test_matches_the_numpy_reference(data):
    weights = random_weights(1)
    h0, C0 = (np.random.default_rng(s).normal(size=(4, N)).astype("float32") for s in (2, 3))
    layer = LayerNormLSTM(N, return_sequences=True, return_state=True)
    layer.build(data.shape)
    layer.set_weights(weights)
    reference = numpy_layernorm_lstm(data.astype("float64"), weights)
    assert max(max_diff(o, r) for o, r in zip(layer(data), reference, strict=True)) < 1e-6
    reference = numpy_layernorm_lstm(data.astype("float64"), weights, h0, C0)
    out = layer(data, initial_state=[h0, C0])
    assert max(max_diff(o, r) for o, r in zip(out, reference, strict=True)) < 1e-6


def test_with_a_mask_and_the_cell_on_its_own(data):
    weights = random_weights(4)
    mask = np.ones((4, 7), bool)
    mask[0, 5:] = mask[1, 2:] = False
    layer = LayerNormLSTM(N, return_sequences=True, return_state=True)
    layer.build(data.shape)
    layer.set_weights(weights)
    H, *states = numpy_layernorm_lstm(data.astype("float64"), weights, mask=mask)
    out = layer(data, mask=mask)
    assert max(max_diff(a, b) for a, b in zip(out, [H, *states], strict=True)) < 1e-6
    rnn = keras.layers.RNN(LayerNormLSTMCell(N), return_sequences=True)
    rnn.build(data.shape)
    rnn.set_weights(weights)
    assert max_diff(rnn(data), numpy_layernorm_lstm(data.astype("float64"), weights)[0]) < 1e-6


def test_differs_from_the_plain_lstm_with_unit_gains_and_zero_biases(data):
    """Sanity: gamma = 1, beta = 0 is not the identity; the normalisation changes the output."""
    rng = np.random.default_rng(5)
    W = [rng.normal(scale=0.5, size=(N, N + M)).astype("float32") for _ in range(4)]
    ours = LayerNormLSTM(N, unit_forget_bias=False, return_sequences=True)
    plain = LSTM(N, unit_forget_bias=False, return_sequences=True)
    ours.build(data.shape)
    plain.build(data.shape)
    ours.set_weights(W + [np.ones(N, "float32")] * 5 + [np.zeros(N, "float32")] * 5)
    plain.set_weights(W + [np.zeros(N, "float32")] * 4)
    assert max_diff(ours(data), plain(data)) > 0.05


@pytest.mark.skipif(
    keras.backend.backend() != "tensorflow",
    reason="Keras 3 computes tanh and sigmoid in float32 on JAX and PyTorch even for float64 "
    "inputs, so no float64 check there",
)
def test_autodiff_matches_numerical_gradients():
    rng = np.random.default_rng(8)
    X = rng.normal(size=(2, 4, 2))
    h0, C0 = rng.normal(size=(2, 3)), rng.normal(size=(2, 3))
    layer = LayerNormLSTM(3, return_sequences=True, return_state=True, dtype="float64")
    layer.build(X.shape)
    params = [rng.normal(scale=0.5, size=tuple(w.shape)) for w in layer.trainable_weights]

    def loss(*weights):
        H, _, C_T = layer.stateless_call(list(weights), [], X, initial_state=[h0, C0])[0]
        return keras.ops.sum(keras.ops.sin(H)) + keras.ops.sum(C_T**2)

    _, grads = value_and_grad(loss, params)
    eps = 1e-6
    for param, grad in zip(params, grads, strict=True):
        numerical = np.zeros_like(param)
        for index in np.ndindex(param.shape):
            saved = param[index]
            param[index] = saved + eps
            plus = float(np_(loss(*params)))
            param[index] = saved - eps
            minus = float(np_(loss(*params)))
            param[index] = saved
            numerical[index] = (plus - minus) / (2 * eps)
        # Some entries are tiny (~1e-6), where the central difference's rounding noise
        # (~1e-10) dominates their elementwise relative error: check the absolute error
        # everywhere and the relative error where the gradient is not tiny.
        big = np.abs(numerical) > 1e-4
        assert np.max(np.abs(grad - numerical)) < 1e-8
        assert rel_error(grad[big], numerical[big]) < 1e-6


@pytest.mark.parametrize("wrap", ["layer", "cell"])
def test_keras_file_round_trip_in_safe_mode(tmp_path, data, wrap):
    options = {"unit_forget_bias": False, "recurrent_activation": "hard_sigmoid", "epsilon": 0.01}
    recurrent = (
        LayerNormLSTM(6, return_sequences=True, **options)
        if wrap == "layer"
        else keras.layers.RNN(LayerNormLSTMCell(6, **options), return_sequences=True)
    )
    model = keras.Sequential([keras.Input((None, M)), recurrent, keras.layers.Dense(2)])
    model.layers[0].set_weights(random_weights(6, n=6))
    path = tmp_path / "model.keras"
    model.save(path)
    loaded = keras.saving.load_model(path, safe_mode=True)
    cell = loaded.layers[0].cell
    assert isinstance(cell, LayerNormLSTMCell)
    assert cell.units == 6 and not cell.unit_forget_bias and cell.epsilon == 0.01
    assert cell.get_config()["recurrent_activation"] == "hard_sigmoid"
    np.testing.assert_allclose(np_(loaded(data)), np_(model(data)))


def test_config_round_trip():
    layer = LayerNormLSTM(3, dropout=0.25, seed=4, return_state=True, name="ln")
    clone = LayerNormLSTM.from_config(layer.get_config())
    assert clone.get_config() == layer.get_config()
    assert clone.units == 3 and clone.cell.dropout == 0.25
    cell = LayerNormLSTMCell(2, activation="relu", recurrent_dropout=0.5)
    assert LayerNormLSTMCell.from_config(cell.get_config()).get_config() == cell.get_config()


def test_dropout_applies_only_while_training(data):
    layer = LayerNormLSTM(N, dropout=0.5, recurrent_dropout=0.5, seed=1, return_sequences=True)
    plain = LayerNormLSTM(N, return_sequences=True)
    layer.build(data.shape)
    plain.build(data.shape)
    plain.set_weights(layer.get_weights())
    assert max_diff(layer(data, training=False), plain(data)) == 0
    assert max_diff(layer(data, training=True), plain(data)) > 1e-3


@pytest.mark.filterwarnings("ignore:`shuffle=True` was passed")
class KerasHarnessTest(testing.TestCase):
    def test_basics(self):
        self.run_layer_test(
            LayerNormLSTM,
            init_kwargs={"units": 3},
            input_shape=(3, 2, 4),
            expected_output_shape=(3, 3),
            expected_num_trainable_weights=14,
            expected_num_non_trainable_weights=0,
            expected_num_seed_generators=0,
            supports_masking=True,
        )

    def test_sequences_state_and_dropout(self):
        self.run_layer_test(
            LayerNormLSTM,
            init_kwargs={
                "units": 3,
                "return_sequences": True,
                "return_state": True,
                "dropout": 0.5,
                "recurrent_dropout": 0.5,
                "go_backwards": True,
            },
            input_shape=(3, 2, 4),
            call_kwargs={"training": True},
            expected_output_shape=((3, 2, 3), (3, 3), (3, 3)),
            expected_num_trainable_weights=14,
            expected_num_non_trainable_weights=0,
            expected_num_seed_generators=1,
            supports_masking=True,
        )


@pytest.mark.parametrize(
    "call, error, message",
    [
        (lambda layer, x: layer(x[:, 0, :]), ValueError, r"\(batch, time, features\), rank 3"),
        (lambda layer, x: layer(x[:, :, :2]), ValueError, "built for 3 input features"),
        (lambda layer, x: layer(x.astype("int32")), TypeError, "floating-point inputs"),
        (lambda layer, x: layer(x[:, :0]), ValueError, "at least one time step"),
        (
            lambda layer, x: layer(x, initial_state=np.zeros((4, N), "float32")),
            ValueError,
            r"initial_state of 2 tensor\(s\) \(h_0, C_0\)",
        ),
        (
            lambda layer, x: layer(x, mask=np.ones((4, 6), bool)),
            ValueError,
            r"mask must have shape \(4, 7\)",
        ),
    ],
    ids=["rank", "features", "dtype", "zero-steps", "one-state", "mask-length"],
)
def test_bad_inputs_raise_clear_errors(data, call, error, message):
    layer = LayerNormLSTM(N)
    layer(data)
    with pytest.raises(error, match=message):
        call(layer, data)
    assert "LayerNormLSTM" in type(layer).__name__


def test_bad_cell_inputs_and_arguments(data):
    cell = LayerNormLSTMCell(N)
    with pytest.raises(ValueError, match=r"LayerNormLSTMCell expects .*\(batch, features\)"):
        cell.build(data.shape)
    with pytest.raises(ValueError, match="known number of input features"):
        cell.build((None, None))
    cell.build((None, M))
    with pytest.raises(ValueError, match="built for 3 input features"):
        cell(keras.ops.zeros((4, 2)), [keras.ops.zeros((4, N))] * 2)
    for units in (0, -3, 2.5, True, "8"):
        with pytest.raises(ValueError, match="units must be a positive integer"):
            LayerNormLSTMCell(units)
    for epsilon in (0, -1e-3, "1e-3", True):
        with pytest.raises(ValueError, match="epsilon must be a positive number"):
            LayerNormLSTM(3, epsilon=epsilon)
    with pytest.raises(ValueError, match=r"dropout must be in \[0, 1\)"):
        LayerNormLSTM(3, dropout=1.0)
