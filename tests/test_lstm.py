import keras
import numpy as np
import pytest
from keras.src import testing

from rnn_course import rel_error
from rnn_course.autodiff import value_and_grad
from rnn_course.layers import LSTM, LSTMCell, lstm_weights_from_keras, lstm_weights_to_keras

N, M = 5, 3  # units, input features
NAMES = ["W_f", "W_i", "W_C", "W_o", "b_f", "b_i", "b_C", "b_o"]


def sigmoid(a):
    return 1 / (1 + np.exp(-a))


def numpy_lstm(X, weights, h0=None, C0=None, mask=None):
    """The equations, one sequence and one step at a time, in float64: (H, h_T, C_T)."""
    W_f, W_i, W_C, W_o, b_f, b_i, b_C, b_o = (np.asarray(w, "float64") for w in weights)
    batch, T, _ = X.shape
    n = W_f.shape[0]
    H, h_last, C_last = np.zeros((batch, T, n)), np.zeros((batch, n)), np.zeros((batch, n))
    for b in range(batch):
        h = np.zeros(n) if h0 is None else h0[b]
        C = np.zeros(n) if C0 is None else C0[b]
        output = np.zeros(n)
        for t in range(T):
            if mask is not None and not mask[b, t]:
                H[b, t] = output  # a masked step keeps the state and repeats the last output
                continue
            hx = np.concatenate([h, X[b, t]])
            f = sigmoid(W_f @ hx + b_f)
            i = sigmoid(W_i @ hx + b_i)
            C_tilde = np.tanh(W_C @ hx + b_C)
            C = f * C + i * C_tilde
            o = sigmoid(W_o @ hx + b_o)
            h = o * np.tanh(C)
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
    shapes = [(n, n + m)] * 4 + [(n,)] * 4
    return [rng.normal(scale=scale, size=s).astype("float32") for s in shapes]


def test_weights_have_the_equations_names_and_shapes(data):
    layer = LSTM(N)
    layer(data)
    names = [w.path.split("/")[-1] for w in layer.weights]
    assert names == NAMES
    assert [tuple(w.shape) for w in layer.weights] == [(N, N + M)] * 4 + [(N,)] * 4
    assert layer.count_params() == 4 * N * (N + M + 1)
    no_bias = LSTM(N, use_bias=False)
    no_bias(data)
    assert no_bias.count_params() == 4 * N * (N + M)


def test_unit_forget_bias_starts_b_f_at_one(data):
    layer = LSTM(N)
    layer(data)
    b_f, b_i, b_C, b_o = (np_(b) for b in layer.weights[4:])
    np.testing.assert_array_equal(b_f, np.ones(N))
    for b in (b_i, b_C, b_o):
        np.testing.assert_array_equal(b, np.zeros(N))
    plain = LSTM(N, unit_forget_bias=False)
    plain(data)
    np.testing.assert_array_equal(np_(plain.cell.b_f), np.zeros(N))


def test_gates_start_different(data):
    layer = LSTM(N)
    layer(data)
    W = [np_(w) for w in layer.weights[:4]]
    for a in range(4):
        for b in range(a + 1, 4):
            assert not np.allclose(W[a], W[b])


def test_matches_the_numpy_reference(data):
    weights = random_weights(1)
    h0, C0 = (np.random.default_rng(s).normal(size=(4, N)).astype("float32") for s in (2, 3))
    layer = LSTM(N, return_sequences=True, return_state=True)
    layer.build(data.shape)
    layer.set_weights(weights)
    H, h_T, C_T = numpy_lstm(data.astype("float64"), weights)
    out = layer(data)
    assert max(max_diff(o, r) for o, r in zip(out, (H, h_T, C_T), strict=True)) < 1e-6
    H, h_T, C_T = numpy_lstm(data.astype("float64"), weights, h0, C0)
    out = layer(data, initial_state=[h0, C0])
    assert max(max_diff(o, r) for o, r in zip(out, (H, h_T, C_T), strict=True)) < 1e-6


def test_the_cell_inside_keras_rnn_computes_the_same(data):
    """The cell on its own (weights prepared at every step) equals the layer."""
    weights = random_weights(4)
    rnn = keras.layers.RNN(LSTMCell(N), return_sequences=True)
    rnn.build(data.shape)
    rnn.set_weights(weights)
    H = numpy_lstm(data.astype("float64"), weights)[0]
    assert max_diff(rnn(data), H) < 1e-6
    # and one step by hand
    cell = rnn.cell
    h0, C0 = np.zeros((4, N), "float32"), np.zeros((4, N), "float32")
    h1, (h1_again, C1) = cell(data[:, 0], [h0, C0])
    assert max_diff(h1, H[:, 0]) < 1e-6 and max_diff(h1, h1_again) == 0


@pytest.mark.parametrize(
    "options",
    [
        {},
        {"return_sequences": True},
        {"return_state": True},
        {"return_sequences": True, "return_state": True, "go_backwards": True},
        {"use_bias": False, "return_sequences": True},
    ],
    ids=["last", "sequences", "state", "sequences-state-backwards", "no-bias"],
)
def test_equals_keras_lstm_with_mapped_weights_both_ways(data, options):
    theirs = keras.layers.LSTM(N, bias_initializer="random_normal", **options)
    ours = LSTM(N, **options)
    theirs.build(data.shape)
    ours.build(data.shape)

    ours.set_weights(lstm_weights_from_keras(theirs))  # Keras -> ours
    ours_out, theirs_out = ours(data), theirs(data)
    ours_out, theirs_out = keras.tree.flatten(ours_out), keras.tree.flatten(theirs_out)
    assert len(ours_out) == len(theirs_out) == (3 if options.get("return_state") else 1)
    assert max(max_diff(a, b) for a, b in zip(ours_out, theirs_out, strict=True)) < 1e-6

    ours.set_weights(random_weights(5, scale=0.7)[: 4 if options.get("use_bias") is False else 8])
    theirs.set_weights(lstm_weights_to_keras(ours))  # ours -> Keras
    ours_out, theirs_out = keras.tree.flatten(ours(data)), keras.tree.flatten(theirs(data))
    assert max(max_diff(a, b) for a, b in zip(ours_out, theirs_out, strict=True)) < 1e-6


def test_equals_keras_lstm_with_initial_state_and_mask(data):
    theirs = keras.layers.LSTM(N, return_sequences=True, return_state=True)
    ours = LSTM(N, return_sequences=True, return_state=True)
    theirs.build(data.shape)
    ours.build(data.shape)
    ours.set_weights(lstm_weights_from_keras(theirs.get_weights()))
    rng = np.random.default_rng(6)
    h0, C0 = (rng.normal(size=(4, N)).astype("float32") for _ in range(2))
    mask = np.ones((4, 7), bool)
    mask[0, 5:] = mask[1, 2:] = mask[2, 0] = False  # right padding, and a step skipped first
    ours_out = ours(data, initial_state=[h0, C0], mask=mask)
    theirs_out = theirs(data, initial_state=[h0, C0], mask=mask)
    assert max(max_diff(a, b) for a, b in zip(ours_out, theirs_out, strict=True)) < 1e-6
    H, *states = numpy_lstm(data.astype("float64"), ours.get_weights(), h0, C0, mask)
    assert max(max_diff(a, b) for a, b in zip(ours_out[1:], states, strict=True)) < 1e-6
    # Before a sequence's first unmasked step the output is backend-defined (zeros on
    # TensorFlow, the initial state on JAX): compare the outputs from that step on.
    started = np.maximum.accumulate(mask, axis=1)
    assert max_diff(np_(ours_out[0])[started], H[started]) < 1e-6


def test_the_maps_are_inverse(data):
    theirs = keras.layers.LSTM(N, bias_initializer="random_normal")
    theirs.build(data.shape)
    round_trip = lstm_weights_to_keras(lstm_weights_from_keras(theirs))
    for a, b in zip(round_trip, theirs.get_weights(), strict=True):
        np.testing.assert_array_equal(a, b)
    ours = random_weights(7)
    for a, b in zip(lstm_weights_from_keras(lstm_weights_to_keras(ours)), ours, strict=True):
        np.testing.assert_array_equal(a, b)


def test_same_seeded_initializers_start_as_keras(data):
    def init():
        return {
            "kernel_initializer": keras.initializers.GlorotUniform(seed=1),
            "recurrent_initializer": keras.initializers.Orthogonal(seed=2),
        }

    assert max_diff(LSTM(N, **init())(data), keras.layers.LSTM(N, **init())(data)) < 1e-6


@pytest.mark.skipif(
    keras.backend.backend() != "tensorflow",
    reason="Keras 3 computes tanh and sigmoid in float32 on JAX and PyTorch even for float64 "
    "inputs (keras/src/backend/common/dtypes.py), so no float64 check there",
)
def test_autodiff_matches_numerical_gradients():
    rng = np.random.default_rng(8)
    X = rng.normal(size=(2, 4, 2))
    h0, C0 = rng.normal(size=(2, 3)), rng.normal(size=(2, 3))
    layer = LSTM(3, return_sequences=True, return_state=True, dtype="float64")
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
        assert rel_error(grad, numerical) < 1e-6


def test_gradients_match_keras_lstm_on_any_backend():
    rng = np.random.default_rng(9)
    X = keras.ops.convert_to_tensor(rng.normal(size=(2, 6, M)).astype("float32"))
    ours, theirs = LSTM(N, return_sequences=True), keras.layers.LSTM(N, return_sequences=True)
    ours.build(X.shape)
    theirs.build(X.shape)
    keras_weights = [
        rng.normal(scale=0.5, size=tuple(w.shape)).astype("float32") for w in theirs.weights
    ]
    seed_state = [v.value for v in theirs.non_trainable_variables]  # its dropout seed

    def loss_ours(*weights):
        return keras.ops.sum(keras.ops.sin(ours.stateless_call(list(weights), [], X)[0]))

    def loss_theirs(*weights):
        return keras.ops.sum(keras.ops.sin(theirs.stateless_call(list(weights), seed_state, X)[0]))

    value, grads = value_and_grad(loss_ours, lstm_weights_from_keras(keras_weights))
    ref_value, ref_grads = value_and_grad(loss_theirs, keras_weights)
    assert abs(value - ref_value) < 1e-5
    # The map is a signed permutation of the entries, so it maps gradients as it maps weights.
    for grad, ref_grad in zip(grads, lstm_weights_from_keras(ref_grads), strict=True):
        assert np.max(np.abs(grad - ref_grad)) < 1e-5


@pytest.mark.parametrize("wrap", ["layer", "cell"])
def test_keras_file_round_trip_in_safe_mode(tmp_path, data, wrap):
    recurrent = (
        LSTM(6, return_sequences=True, unit_forget_bias=False, recurrent_activation="hard_sigmoid")
        if wrap == "layer"
        else keras.layers.RNN(
            LSTMCell(6, unit_forget_bias=False, recurrent_activation="hard_sigmoid"),
            return_sequences=True,
        )
    )
    model = keras.Sequential([keras.Input((None, M)), recurrent, keras.layers.Dense(2)])
    path = tmp_path / "model.keras"
    model.save(path)
    loaded = keras.saving.load_model(path, safe_mode=True)
    cell = loaded.layers[0].cell
    assert isinstance(cell, LSTMCell)
    assert cell.units == 6 and not cell.unit_forget_bias
    assert cell.get_config()["recurrent_activation"] == "hard_sigmoid"
    np.testing.assert_allclose(np_(loaded(data)), np_(model(data)))


def test_config_round_trip():
    layer = LSTM(3, use_bias=False, dropout=0.25, seed=4, return_state=True, name="lstm")
    clone = LSTM.from_config(layer.get_config())
    assert clone.get_config() == layer.get_config()
    assert clone.units == 3 and not clone.cell.use_bias and clone.cell.dropout == 0.25
    cell = LSTMCell(2, activation="relu", recurrent_dropout=0.5)
    assert LSTMCell.from_config(cell.get_config()).get_config() == cell.get_config()


def test_dropout_applies_only_while_training(data):
    layer = LSTM(N, dropout=0.5, recurrent_dropout=0.5, seed=1, return_sequences=True)
    plain = LSTM(N, return_sequences=True)
    layer.build(data.shape)
    plain.build(data.shape)
    plain.set_weights(layer.get_weights())
    assert max_diff(layer(data, training=False), plain(data)) == 0
    assert max_diff(layer(data, training=True), plain(data)) > 1e-3


def test_unroll_and_stateful_compute_the_same(data):
    weights = random_weights(10)
    H = numpy_lstm(data.astype("float64"), weights)[0]
    unrolled = LSTM(N, return_sequences=True, unroll=True)
    unrolled.build(data.shape)
    unrolled.set_weights(weights)
    assert max_diff(unrolled(data), H) < 1e-6
    stateful = LSTM(N, return_sequences=True, stateful=True)
    stateful.build(data.shape)
    stateful.set_weights(weights)
    first, second = stateful(data[:, :3]), stateful(data[:, 3:])  # the state carries over
    assert max_diff(keras.ops.concatenate([first, second], axis=1), H) < 1e-6


def test_bidirectional_and_a_functional_model(data):
    inputs = keras.Input((None, M))
    outputs = keras.layers.Bidirectional(LSTM(N, return_sequences=True))(inputs)
    model = keras.Model(inputs, outputs)
    assert tuple(model(data).shape) == (4, 7, 2 * N)


@pytest.mark.filterwarnings("ignore:`shuffle=True` was passed")
class KerasHarnessTest(testing.TestCase):
    """Keras's own layer checks: serialization, symbolic and eager calls, a training step,
    masking and mixed precision."""

    def test_basics(self):
        self.run_layer_test(
            LSTM,
            init_kwargs={"units": 3},
            input_shape=(3, 2, 4),
            expected_output_shape=(3, 3),
            expected_num_trainable_weights=8,
            expected_num_non_trainable_weights=0,
            expected_num_seed_generators=0,
            supports_masking=True,
        )

    def test_sequences_state_and_dropout(self):
        self.run_layer_test(
            LSTM,
            init_kwargs={
                "units": 3,
                "return_sequences": True,
                "return_state": True,
                "dropout": 0.5,
                "recurrent_dropout": 0.5,
            },
            input_shape=(3, 2, 4),
            call_kwargs={"training": True},
            expected_output_shape=((3, 2, 3), (3, 3), (3, 3)),
            expected_num_trainable_weights=8,
            expected_num_non_trainable_weights=0,
            expected_num_seed_generators=1,
            supports_masking=True,
        )

    def test_no_bias(self):
        self.run_layer_test(
            LSTM,
            init_kwargs={"units": 2, "use_bias": False, "go_backwards": True},
            input_shape=(2, 5, 3),
            expected_output_shape=(2, 2),
            expected_num_trainable_weights=4,
            supports_masking=True,
        )

    def test_masking_in_a_model(self):
        ids = np.array([[3, 1, 2, 0, 0], [4, 0, 0, 0, 0]])
        inputs = keras.Input((None,), dtype="int32")
        embedded = keras.layers.Embedding(6, 4, mask_zero=True)(inputs)
        model = keras.Model(inputs, LSTM(3, return_sequences=True)(embedded))
        H = np_(model(ids))
        self.assertAllClose(H[0, 3], H[0, 2])  # padding repeats the last state
        self.assertAllClose(H[1, 4], H[1, 0])


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
            lambda layer, x: layer(x, initial_state=[np.zeros((4, N), "float32")] * 3),
            ValueError,
            r"initial_state of 2 tensor\(s\)",
        ),
        (
            lambda layer, x: layer(
                x, initial_state=[np.zeros((4, N), "float32"), np.zeros((4, N + 1), "float32")]
            ),
            ValueError,
            r"initial_state\[1\] \(C_0\) must have shape \(4, 5\)",
        ),
        (
            lambda layer, x: layer(x, mask=np.ones((4, 6), bool)),
            ValueError,
            r"mask must have shape \(4, 7\)",
        ),
    ],
    ids=[
        "rank",
        "features",
        "dtype",
        "zero-steps",
        "one-state",
        "three-states",
        "state-shape",
        "mask-length",
    ],
)
def test_bad_inputs_raise_clear_errors(data, call, error, message):
    layer = LSTM(N)
    layer(data)
    with pytest.raises(error, match=message):
        call(layer, data)


def test_bad_cell_inputs_and_arguments(data):
    cell = LSTMCell(N)
    with pytest.raises(ValueError, match=r"\(batch, features\).*got shape \(4, 7, 3\)"):
        cell.build(data.shape)
    with pytest.raises(ValueError, match="known number of input features"):
        cell.build((None, None))
    cell.build((None, M))
    with pytest.raises(ValueError, match="built for 3 input features"):
        cell(keras.ops.zeros((4, 2)), [keras.ops.zeros((4, N))] * 2)
    for units in (0, -3, 2.5, True, "8"):
        with pytest.raises(ValueError, match="units must be a positive integer"):
            LSTMCell(units)
    with pytest.raises(ValueError, match=r"dropout must be in \[0, 1\)"):
        LSTM(3, dropout=1.0)
    with pytest.raises(TypeError, match="recurrent_dropout must be a number"):
        LSTM(3, recurrent_dropout="0.5")


def test_the_maps_reject_wrong_arguments(data):
    theirs, ours = keras.layers.LSTM(N), LSTM(N)
    with pytest.raises(ValueError, match="has no weights yet"):
        lstm_weights_from_keras(theirs)
    theirs(data), ours(data)
    with pytest.raises(TypeError, match="use lstm_weights_to_keras"):
        lstm_weights_from_keras(ours)
    with pytest.raises(TypeError, match="use lstm_weights_from_keras"):
        lstm_weights_to_keras(theirs)
    with pytest.raises(TypeError, match="takes keras.layers.LSTM"):
        lstm_weights_from_keras(keras.layers.GRU(N))
    with pytest.raises(ValueError, match=r"expected \[kernel \(m, 4n\).*shapes \[\(3, 20\)"):
        lstm_weights_from_keras(theirs.get_weights()[:1])
    with pytest.raises(ValueError, match="got arrays of shapes"):
        lstm_weights_from_keras([np.zeros((3, 20)), np.zeros((5, 20)), np.zeros(19)])
    with pytest.raises(ValueError, match="got arrays of shapes"):
        lstm_weights_to_keras(ours.get_weights()[:7])
    with pytest.raises(ValueError, match="empty list"):
        lstm_weights_to_keras([])
    with pytest.raises(TypeError, match="weight 0 is None"):
        lstm_weights_to_keras([None] * 8)
    with pytest.raises(TypeError, match="complex"):
        lstm_weights_from_keras([np.zeros((3, 20), complex), np.zeros((5, 20)), np.zeros(20)])
    with pytest.raises(TypeError, match="a layer or a list of arrays"):
        lstm_weights_to_keras("W_f")
