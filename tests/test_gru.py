import keras
import numpy as np
import pytest
from keras.src import testing

from rnn_course import rel_error
from rnn_course.autodiff import value_and_grad
from rnn_course.layers import GRU, GRUCell, gru_weights_from_keras, gru_weights_to_keras
from rnn_course.layers.gru import weight_names

N, M = 5, 3  # units, input features
VARIANTS = pytest.mark.parametrize("reset_after", [False, True], ids=["before", "after"])


def sigmoid(a):
    return 1 / (1 + np.exp(-a))


def numpy_gru(X, weights, reset_after, h0=None, mask=None):
    """The course's equations, one sequence and one step at a time, in float64: (H, h_T)."""
    arrays = [np.asarray(a, "float64") for a in weights]
    w = dict(zip(weight_names(reset_after), arrays, strict=True))
    batch, T, _ = X.shape
    n = w["W_z"].shape[0]
    H, h_last = np.zeros((batch, T, n)), np.zeros((batch, n))
    for b in range(batch):
        h = np.zeros(n) if h0 is None else h0[b]
        output = np.zeros(n)
        for t in range(T):
            if mask is not None and not mask[b, t]:
                H[b, t] = output  # a masked step keeps the state and repeats the last output
                continue
            x = X[b, t]
            hx = np.concatenate([h, x])
            if reset_after:
                z = sigmoid(w["W_z"] @ hx + w["b_z"] + w["b_hz"])
                r = sigmoid(w["W_r"] @ hx + w["b_r"] + w["b_hr"])
                h_tilde = np.tanh(w["W_hx"] @ x + w["b_h"] + r * (w["W_hh"] @ h + w["b_hh"]))
            else:
                z = sigmoid(w["W_z"] @ hx + w["b_z"])
                r = sigmoid(w["W_r"] @ hx + w["b_r"])
                h_tilde = np.tanh(w["W_h"] @ np.concatenate([r * h, x]) + w["b_h"])
            h = (1 - z) * h + z * h_tilde
            H[b, t] = output = h
        h_last[b] = h
    return H, h_last


def np_(x):
    return np.asarray(keras.ops.convert_to_numpy(x))


def max_diff(a, b):
    return float(np.max(np.abs(np_(a) - np_(b))))


def shapes(reset_after, n=N, m=M, use_bias=True):
    matrices = [(n, n + m)] * 2 + ([(n, n), (n, m)] if reset_after else [(n, n + m)])
    return matrices + ([(n,)] * (6 if reset_after else 3) if use_bias else [])


def random_weights(seed, reset_after, use_bias=True, scale=0.5):
    rng = np.random.default_rng(seed)
    return [
        rng.normal(scale=scale, size=s).astype("float32")
        for s in shapes(reset_after, use_bias=use_bias)
    ]


@pytest.fixture
def data():
    return np.random.default_rng(0).normal(size=(4, 7, M)).astype("float32")


@VARIANTS
def test_weights_have_the_equations_names_and_shapes(data, reset_after):
    layer = GRU(N, reset_after=reset_after)
    layer(data)
    assert [w.path.split("/")[-1] for w in layer.weights] == weight_names(reset_after)
    assert [tuple(w.shape) for w in layer.weights] == shapes(reset_after)
    assert layer.count_params() == 3 * N * (N + M + (2 if reset_after else 1))
    no_bias = GRU(N, reset_after=reset_after, use_bias=False)
    no_bias(data)
    assert no_bias.count_params() == 3 * N * (N + M)
    assert [w.path.split("/")[-1] for w in no_bias.weights] == weight_names(reset_after, False)


def test_the_course_variant_is_the_default():
    assert GRU(3).reset_after is False and GRUCell(3).reset_after is False


@VARIANTS
def test_matches_the_numpy_reference(data, reset_after):
    weights = random_weights(1, reset_after)
    h0 = np.random.default_rng(2).normal(size=(4, N)).astype("float32")
    layer = GRU(N, reset_after=reset_after, return_sequences=True, return_state=True)
    layer.build(data.shape)
    layer.set_weights(weights)
    for initial in (None, h0):
        H, h_T = numpy_gru(data.astype("float64"), weights, reset_after, initial)
        out = layer(data) if initial is None else layer(data, initial_state=initial)
        assert max(max_diff(o, r) for o, r in zip(out, (H, h_T), strict=True)) < 1e-6


@VARIANTS
def test_the_cell_inside_keras_rnn_computes_the_same(data, reset_after):
    weights = random_weights(3, reset_after)
    rnn = keras.layers.RNN(GRUCell(N, reset_after=reset_after), return_sequences=True)
    rnn.build(data.shape)
    rnn.set_weights(weights)
    H = numpy_gru(data.astype("float64"), weights, reset_after)[0]
    assert max_diff(rnn(data), H) < 1e-6
    h1, (h1_again,) = rnn.cell(data[:, 0], [np.zeros((4, N), "float32")])
    assert max_diff(h1, H[:, 0]) < 1e-6 and max_diff(h1, h1_again) == 0


OPTIONS = pytest.mark.parametrize(
    "options",
    [
        {},
        {"return_sequences": True, "return_state": True},
        {"return_sequences": True, "go_backwards": True},
        {"use_bias": False, "return_sequences": True},
    ],
    ids=["last", "sequences-state", "backwards", "no-bias"],
)


@VARIANTS
@OPTIONS
def test_equals_keras_gru_with_mapped_weights_both_ways(data, reset_after, options):
    theirs = keras.layers.GRU(
        N, reset_after=reset_after, bias_initializer="random_normal", **options
    )
    ours = GRU(N, reset_after=reset_after, **options)
    theirs.build(data.shape)
    ours.build(data.shape)

    ours.set_weights(gru_weights_from_keras(theirs))  # Keras -> ours
    ours_out, theirs_out = keras.tree.flatten(ours(data)), keras.tree.flatten(theirs(data))
    assert len(ours_out) == len(theirs_out) == (2 if options.get("return_state") else 1)
    assert max(max_diff(a, b) for a, b in zip(ours_out, theirs_out, strict=True)) < 1e-6

    use_bias = options.get("use_bias", True)
    ours.set_weights(random_weights(4, reset_after, use_bias, scale=0.7))
    theirs.set_weights(gru_weights_to_keras(ours))  # ours -> Keras
    ours_out, theirs_out = keras.tree.flatten(ours(data)), keras.tree.flatten(theirs(data))
    assert max(max_diff(a, b) for a, b in zip(ours_out, theirs_out, strict=True)) < 1e-6


@VARIANTS
def test_equals_keras_gru_with_initial_state_and_mask(data, reset_after):
    theirs = keras.layers.GRU(N, reset_after=reset_after, return_sequences=True, return_state=True)
    ours = GRU(N, reset_after=reset_after, return_sequences=True, return_state=True)
    theirs.build(data.shape)
    ours.build(data.shape)
    ours.set_weights(gru_weights_from_keras(theirs.get_weights()))
    h0 = np.random.default_rng(5).normal(size=(4, N)).astype("float32")
    mask = np.ones((4, 7), bool)
    mask[0, 5:] = mask[1, 2:] = mask[2, 0] = False
    ours_out = ours(data, initial_state=h0, mask=mask)
    theirs_out = theirs(data, initial_state=h0, mask=mask)
    assert max(max_diff(a, b) for a, b in zip(ours_out, theirs_out, strict=True)) < 1e-6
    H, h_T = numpy_gru(data.astype("float64"), ours.get_weights(), reset_after, h0, mask)
    assert max_diff(ours_out[1], h_T) < 1e-6
    # Before a sequence's first unmasked step the output is backend-defined (zeros on
    # TensorFlow, the initial state on JAX): compare the outputs from that step on.
    started = np.maximum.accumulate(mask, axis=1)
    assert max_diff(np_(ours_out[0])[started], H[started]) < 1e-6


@VARIANTS
def test_the_maps_are_inverse_and_negate_the_update_gate(data, reset_after):
    theirs = keras.layers.GRU(N, reset_after=reset_after, bias_initializer="random_normal")
    theirs.build(data.shape)
    kernel, recurrent, bias = theirs.get_weights()
    ours = dict(zip(weight_names(reset_after), gru_weights_from_keras(theirs), strict=True))
    np.testing.assert_array_equal(ours["W_z"][:, :N], -recurrent[:, :N].T)
    np.testing.assert_array_equal(ours["W_z"][:, N:], -kernel[:, :N].T)
    np.testing.assert_array_equal(ours["W_r"][:, N:], kernel[:, N : 2 * N].T)
    np.testing.assert_array_equal(ours["b_z"], -(bias[0, :N] if reset_after else bias[:N]))
    if reset_after:
        np.testing.assert_array_equal(ours["b_hz"], -bias[1, :N])
        np.testing.assert_array_equal(ours["W_hh"], recurrent[:, 2 * N :].T)
    back = gru_weights_to_keras(list(ours.values()))
    for a, b in zip(back, [kernel, recurrent, bias], strict=True):
        np.testing.assert_array_equal(a, b)
    mine = random_weights(6, reset_after)
    for a, b in zip(gru_weights_from_keras(gru_weights_to_keras(mine)), mine, strict=True):
        np.testing.assert_array_equal(a, b)


@VARIANTS
def test_same_seeded_initializers_start_as_keras(data, reset_after):
    def init():
        return {
            "reset_after": reset_after,
            "kernel_initializer": keras.initializers.GlorotUniform(seed=1),
            "recurrent_initializer": keras.initializers.Orthogonal(seed=2),
        }

    assert max_diff(GRU(N, **init())(data), keras.layers.GRU(N, **init())(data)) < 1e-6


@pytest.mark.skipif(
    keras.backend.backend() != "tensorflow",
    reason="Keras 3 computes tanh and sigmoid in float32 on JAX and PyTorch even for float64 "
    "inputs (keras/src/backend/common/dtypes.py), so no float64 check there",
)
@VARIANTS
def test_autodiff_matches_numerical_gradients(reset_after):
    rng = np.random.default_rng(7)
    X, h0 = rng.normal(size=(2, 4, 2)), rng.normal(size=(2, 3))
    layer = GRU(3, reset_after=reset_after, return_sequences=True, dtype="float64")
    layer.build(X.shape)
    params = [rng.normal(scale=0.5, size=tuple(w.shape)) for w in layer.trainable_weights]

    def loss(*weights):
        H = layer.stateless_call(list(weights), [], X, initial_state=h0)[0]
        return keras.ops.sum(keras.ops.sin(H))

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


@VARIANTS
def test_gradients_match_keras_gru_on_any_backend(reset_after):
    rng = np.random.default_rng(8)
    X = keras.ops.convert_to_tensor(rng.normal(size=(2, 6, M)).astype("float32"))
    ours = GRU(N, reset_after=reset_after, return_sequences=True)
    theirs = keras.layers.GRU(N, reset_after=reset_after, return_sequences=True)
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

    value, grads = value_and_grad(loss_ours, gru_weights_from_keras(keras_weights))
    ref_value, ref_grads = value_and_grad(loss_theirs, keras_weights)
    assert abs(value - ref_value) < 1e-5
    # The map is a signed permutation of the entries, so it maps gradients as it maps weights.
    for grad, ref_grad in zip(grads, gru_weights_from_keras(ref_grads), strict=True):
        assert np.max(np.abs(grad - ref_grad)) < 1e-5


@pytest.mark.parametrize("wrap", ["layer", "cell"])
def test_keras_file_round_trip_in_safe_mode(tmp_path, data, wrap):
    recurrent = (
        GRU(6, reset_after=True, return_sequences=True, activation="relu")
        if wrap == "layer"
        else keras.layers.RNN(
            GRUCell(6, reset_after=True, activation="relu"), return_sequences=True
        )
    )
    model = keras.Sequential([keras.Input((None, M)), recurrent, keras.layers.Dense(2)])
    path = tmp_path / "model.keras"
    model.save(path)
    loaded = keras.saving.load_model(path, safe_mode=True)
    cell = loaded.layers[0].cell
    assert isinstance(cell, GRUCell)
    assert cell.units == 6 and cell.reset_after and cell.get_config()["activation"] == "relu"
    np.testing.assert_allclose(np_(loaded(data)), np_(model(data)))


def test_config_round_trip():
    layer = GRU(3, reset_after=True, use_bias=False, dropout=0.25, seed=4, name="gru")
    clone = GRU.from_config(layer.get_config())
    assert clone.get_config() == layer.get_config()
    assert clone.units == 3 and clone.reset_after and not clone.cell.use_bias
    cell = GRUCell(2, activation="relu", recurrent_dropout=0.5)
    assert GRUCell.from_config(cell.get_config()).get_config() == cell.get_config()


@VARIANTS
def test_dropout_applies_only_while_training(data, reset_after):
    layer = GRU(N, reset_after=reset_after, dropout=0.5, recurrent_dropout=0.5, seed=1)
    plain = GRU(N, reset_after=reset_after)
    layer.build(data.shape)
    plain.build(data.shape)
    plain.set_weights(layer.get_weights())
    assert max_diff(layer(data, training=False), plain(data)) == 0
    assert max_diff(layer(data, training=True), plain(data)) > 1e-3


@VARIANTS
def test_unroll_and_stateful_compute_the_same(data, reset_after):
    weights = random_weights(10, reset_after)
    H = numpy_gru(data.astype("float64"), weights, reset_after)[0]
    unrolled = GRU(N, reset_after=reset_after, return_sequences=True, unroll=True)
    unrolled.build(data.shape)
    unrolled.set_weights(weights)
    assert max_diff(unrolled(data), H) < 1e-6
    stateful = GRU(N, reset_after=reset_after, return_sequences=True, stateful=True)
    stateful.build(data.shape)
    stateful.set_weights(weights)
    first, second = stateful(data[:, :3]), stateful(data[:, 3:])  # the state carries over
    assert max_diff(keras.ops.concatenate([first, second], axis=1), H) < 1e-6


@pytest.mark.filterwarnings("ignore:`shuffle=True` was passed")
class KerasHarnessTest(testing.TestCase):
    """Keras's own layer checks: serialization, symbolic and eager calls, a training step,
    masking and mixed precision."""

    def test_reset_before(self):
        self.run_layer_test(
            GRU,
            init_kwargs={"units": 3},
            input_shape=(3, 2, 4),
            expected_output_shape=(3, 3),
            expected_num_trainable_weights=6,
            expected_num_non_trainable_weights=0,
            expected_num_seed_generators=0,
            supports_masking=True,
        )

    def test_reset_after_sequences_state_and_dropout(self):
        self.run_layer_test(
            GRU,
            init_kwargs={
                "units": 3,
                "reset_after": True,
                "return_sequences": True,
                "return_state": True,
                "dropout": 0.5,
                "recurrent_dropout": 0.5,
            },
            input_shape=(3, 2, 4),
            call_kwargs={"training": True},
            expected_output_shape=((3, 2, 3), (3, 3)),
            expected_num_trainable_weights=10,
            expected_num_non_trainable_weights=0,
            expected_num_seed_generators=1,
            supports_masking=True,
        )

    def test_no_bias_backwards(self):
        for reset_after in (False, True):
            self.run_layer_test(
                GRU,
                init_kwargs={"units": 2, "use_bias": False, "reset_after": reset_after},
                input_shape=(2, 5, 3),
                expected_output_shape=(2, 2),
                expected_num_trainable_weights=4 if reset_after else 3,
                supports_masking=True,
            )

    def test_masking_in_a_model(self):
        ids = np.array([[3, 1, 2, 0, 0], [4, 0, 0, 0, 0]])
        inputs = keras.Input((None,), dtype="int32")
        embedded = keras.layers.Embedding(6, 4, mask_zero=True)(inputs)
        model = keras.Model(inputs, GRU(3, return_sequences=True)(embedded))
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
            lambda layer, x: layer(x, initial_state=[np.zeros((4, N), "float32")] * 2),
            ValueError,
            r"initial_state of 1 tensor\(s\) \(h_0\)",
        ),
        (
            lambda layer, x: layer(x, initial_state=np.zeros((N,), "float32")),
            ValueError,
            r"initial_state\[0\] \(h_0\) must have shape \(4, 5\).*rank 1",
        ),
        (
            lambda layer, x: layer(x, initial_state=np.zeros((3, N), "float32")),
            ValueError,
            r"one row per sequence of the batch of 4",
        ),
        (
            lambda layer, x: layer(x, mask=np.ones((4, 8), bool)),
            ValueError,
            r"mask must have shape \(4, 7\)",
        ),
    ],
    ids=[
        "rank",
        "features",
        "dtype",
        "zero-steps",
        "two-states",
        "state-rank",
        "state-batch",
        "mask-length",
    ],
)
def test_bad_inputs_raise_clear_errors(data, call, error, message):
    layer = GRU(N, reset_after=True)
    layer(data)
    with pytest.raises(error, match=message):
        call(layer, data)


def test_bad_cell_inputs_and_arguments(data):
    cell = GRUCell(N)
    with pytest.raises(ValueError, match=r"\(batch, features\).*got shape \(4, 7, 3\)"):
        cell.build(data.shape)
    cell.build((None, M))
    with pytest.raises(ValueError, match="built for 3 input features"):
        cell(keras.ops.zeros((4, 2)), [keras.ops.zeros((4, N))])
    for units in (0, -3, 2.5, True, "8"):
        with pytest.raises(ValueError, match="units must be a positive integer"):
            GRUCell(units)
    with pytest.raises(ValueError, match=r"recurrent_dropout must be in \[0, 1\)"):
        GRU(3, recurrent_dropout=-0.1)


def test_the_maps_reject_wrong_arguments(data):
    theirs, ours = keras.layers.GRU(N), GRU(N)
    theirs(data), ours(data)
    with pytest.raises(TypeError, match="use gru_weights_to_keras"):
        gru_weights_from_keras(ours)
    with pytest.raises(TypeError, match="use gru_weights_from_keras"):
        gru_weights_to_keras(theirs)
    with pytest.raises(TypeError, match="takes keras.layers.GRU"):
        gru_weights_from_keras(keras.layers.LSTM(N))
    with pytest.raises(ValueError, match="contradicts the layer's reset_after=True"):
        gru_weights_from_keras(theirs, reset_after=False)
    kernel, recurrent, bias = theirs.get_weights()
    with pytest.raises(ValueError, match=r"bias of shape \(2, 15\) belongs to reset_after=True"):
        gru_weights_from_keras([kernel, recurrent, bias], reset_after=False)
    with pytest.raises(ValueError, match="pass reset_after=True or False"):
        gru_weights_from_keras([kernel, recurrent])
    assert len(gru_weights_from_keras([kernel, recurrent], reset_after=True)) == 4
    with pytest.raises(ValueError, match="got arrays of shapes"):
        gru_weights_from_keras([kernel, recurrent, bias[0, :-1]])
    with pytest.raises(ValueError, match="got arrays of shapes"):
        gru_weights_to_keras(ours.get_weights()[:5])
    with pytest.raises(ValueError, match="got arrays of shapes"):
        gru_weights_to_keras([np.zeros((N, N))] * 3)
