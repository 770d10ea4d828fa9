import keras
import numpy as np
import pytest
from keras.src import testing

from rnn_course import VanillaRNN, VanillaRNNCell, rel_error
from rnn_course.autodiff import value_and_grad
from rnn_course.layers.base import CheckedRNN


def numpy_rnn(X, W_xh, W_hh, b_h, h0=None):
    """The equation, one sequence and one step at a time, as the reference."""
    batch, T, _ = X.shape
    n = W_hh.shape[0]
    H = np.zeros((batch, T, n))
    for b in range(batch):
        h_t = np.zeros(n) if h0 is None else h0[b]
        for t in range(T):
            h_t = np.tanh(W_xh @ X[b, t] + W_hh @ h_t + b_h)
            H[b, t] = h_t
    return H


@pytest.fixture
def data():
    rng = np.random.default_rng(0)
    return rng.normal(size=(4, 7, 3)).astype("float32")


def test_weights_have_the_equations_shapes(data):
    layer = VanillaRNN(5)
    layer(data)
    cell = layer.cell
    assert tuple(cell.W_xh.shape) == (5, 3)
    assert tuple(cell.W_hh.shape) == (5, 5)
    assert tuple(cell.b_h.shape) == (5,)
    assert layer.count_params() == 5 * (5 + 3 + 1)


def test_matches_numpy_reference_and_keras_simplernn(data):
    layer = VanillaRNN(5, return_sequences=True, return_state=True)
    H, h_last = layer(data)
    W_xh, W_hh, b_h = (keras.ops.convert_to_numpy(w) for w in layer.cell.weights)
    reference = numpy_rnn(data.astype("float64"), W_xh, W_hh, b_h)
    assert np.max(np.abs(keras.ops.convert_to_numpy(H) - reference)) < 1e-6
    assert np.max(np.abs(keras.ops.convert_to_numpy(h_last) - reference[:, -1])) < 1e-6

    keras_rnn = keras.layers.SimpleRNN(5, return_sequences=True)
    keras_rnn.build(data.shape)
    keras_rnn.set_weights([W_xh.T, W_hh.T, b_h])
    diff = np.max(np.abs(keras.ops.convert_to_numpy(H - keras_rnn(data))))
    assert diff < 1e-6


def test_cell_inside_keras_rnn_with_an_initial_state(data):
    h0 = np.random.default_rng(1).normal(size=(4, 5)).astype("float32")
    rnn = keras.layers.RNN(VanillaRNNCell(5), return_sequences=True)
    H = keras.ops.convert_to_numpy(rnn(data, initial_state=[h0]))
    W_xh, W_hh, b_h = (keras.ops.convert_to_numpy(w) for w in rnn.cell.weights)
    assert np.max(np.abs(H - numpy_rnn(data, W_xh, W_hh, b_h, h0))) < 1e-6


@pytest.mark.skipif(
    keras.backend.backend() != "tensorflow",
    reason="Keras 3 computes tanh in float32 on JAX and PyTorch even for float64 inputs "
    "(keras/src/backend/common/dtypes.py, BIT64_TO_BIT32_DTYPE), so no float64 check there",
)
def test_autodiff_through_the_cell_matches_numerical_gradients():
    rng = np.random.default_rng(2)
    X = rng.normal(size=(2, 5, 3))
    layer = VanillaRNN(4, dtype="float64")
    layer.build(X.shape)
    params = [rng.normal(scale=0.5, size=tuple(w.shape)) for w in layer.trainable_weights]

    def loss(W_xh, W_hh, b_h):
        h_last, _ = layer.stateless_call([W_xh, W_hh, b_h], [], X)
        return keras.ops.sum(keras.ops.sin(h_last))

    _, grads = value_and_grad(loss, params)
    eps = 1e-6
    for param, grad in zip(params, grads, strict=True):
        numerical = np.zeros_like(param)
        for index in np.ndindex(param.shape):
            saved = param[index]
            param[index] = saved + eps
            plus = float(keras.ops.convert_to_numpy(loss(*params)))
            param[index] = saved - eps
            minus = float(keras.ops.convert_to_numpy(loss(*params)))
            param[index] = saved
            numerical[index] = (plus - minus) / (2 * eps)
        assert rel_error(grad, numerical) < 1e-7


def test_gradients_match_keras_simplernn_on_any_backend():
    """Autodiff through our cell equals autodiff through SimpleRNN (float32, every backend)."""
    rng = np.random.default_rng(3)
    X = keras.ops.convert_to_tensor(rng.normal(size=(2, 6, 3)).astype("float32"))
    ours, reference = VanillaRNN(4), keras.layers.SimpleRNN(4)
    ours.build(X.shape)
    reference.build(X.shape)
    W_xh, W_hh, b_h = (
        rng.normal(scale=0.5, size=tuple(w.shape)).astype("float32") for w in ours.trainable_weights
    )

    def loss_ours(W_xh, W_hh, b_h):
        return keras.ops.sum(keras.ops.sin(ours.stateless_call([W_xh, W_hh, b_h], [], X)[0]))

    def loss_reference(kernel, recurrent_kernel, bias):
        weights = [kernel, recurrent_kernel, bias]
        seed_state = [v.value for v in reference.non_trainable_variables]  # its dropout seed
        return keras.ops.sum(keras.ops.sin(reference.stateless_call(weights, seed_state, X)[0]))

    value, grads = value_and_grad(loss_ours, [W_xh, W_hh, b_h])
    ref_value, ref_grads = value_and_grad(loss_reference, [W_xh.T, W_hh.T, b_h])
    assert abs(value - ref_value) < 1e-5
    for grad, ref_grad in zip(grads, [ref_grads[0].T, ref_grads[1].T, ref_grads[2]], strict=True):
        assert np.max(np.abs(grad - ref_grad)) < 1e-5


@pytest.mark.parametrize("wrap", ["layer", "cell"])
def test_keras_file_round_trip_in_safe_mode(tmp_path, data, wrap):
    recurrent = (
        VanillaRNN(6, return_sequences=True, activation="relu")
        if wrap == "layer"
        else keras.layers.RNN(VanillaRNNCell(6, activation="relu"), return_sequences=True)
    )
    model = keras.Sequential([keras.Input((None, 3)), recurrent, keras.layers.Dense(2)])
    path = tmp_path / "model.keras"
    model.save(path)
    loaded = keras.saving.load_model(path, safe_mode=True)
    cell = loaded.layers[0].cell
    assert isinstance(cell, VanillaRNNCell)
    assert cell.units == 6 and cell.get_config()["activation"] == "relu"
    np.testing.assert_allclose(
        keras.ops.convert_to_numpy(loaded(data)), keras.ops.convert_to_numpy(model(data))
    )


def test_config_round_trip():
    layer = VanillaRNN(3, use_bias=False, return_sequences=True, name="rnn")
    clone = VanillaRNN.from_config(layer.get_config())
    assert clone.units == 3 and not clone.cell.use_bias and clone.return_sequences
    cell = VanillaRNNCell(2, activation="relu")
    assert VanillaRNNCell.from_config(cell.get_config()).get_config() == cell.get_config()


def test_bad_inputs_raise_clear_errors(data):
    layer = VanillaRNN(5)
    layer(data)
    with pytest.raises(ValueError, match=r"\(batch, time, features\), rank 3; got shape \(4, 3\)"):
        layer(data[:, 0, :])
    with pytest.raises(ValueError, match="built for 3 input features.*has 2 features"):
        layer(data[:, :, :2])
    with pytest.raises(TypeError, match="floating-point inputs, got dtype int32"):
        layer(data.astype("int32"))
    with pytest.raises(ValueError, match=r"rank 3; got shape \(4, 7, 3, 1\)"):
        VanillaRNN(5)(data[..., None])

    cell = VanillaRNNCell(5)
    with pytest.raises(ValueError, match=r"\(batch, features\).*got shape \(4, 7, 3\)"):
        cell.build(data.shape)
    cell.build((None, 3))
    with pytest.raises(ValueError, match="built for 3 input features"):
        cell.call(keras.ops.zeros((4, 2)), [keras.ops.zeros((4, 5))])


@pytest.mark.parametrize("units", [0, -3, 2.5, True, "8"])
def test_units_must_be_a_positive_integer(units):
    with pytest.raises(ValueError, match="units must be a positive integer"):
        VanillaRNNCell(units)


# --- inputs are checked at the layer's boundary, and valid ones still work ---


def test_valid_state_and_mask_still_work(data):
    h0 = np.random.default_rng(4).normal(size=(4, 5)).astype("float32")
    layer = VanillaRNN(5, return_sequences=True)
    as_tensor = keras.ops.convert_to_numpy(layer(data, initial_state=h0))
    as_list = keras.ops.convert_to_numpy(layer(data, initial_state=[h0]))
    W_xh, W_hh, b_h = (keras.ops.convert_to_numpy(w) for w in layer.cell.weights)
    reference = numpy_rnn(data, W_xh, W_hh, b_h, h0)
    assert np.max(np.abs(as_tensor - reference)) < 1e-5
    np.testing.assert_array_equal(as_tensor, as_list)

    # A mask that ends every sequence after 3 steps: the last state is that of step 3.
    mask = np.zeros((4, 7), bool)
    mask[:, :3] = True
    layer3 = VanillaRNN(5)
    layer3.build(data.shape)
    layer3.set_weights([W_xh, W_hh, b_h])
    masked = keras.ops.convert_to_numpy(layer3(data, mask=mask))
    assert np.max(np.abs(masked - numpy_rnn(data[:, :3], W_xh, W_hh, b_h)[:, -1])) < 1e-5


def test_a_functional_model_with_state_and_mask_inputs(data):
    sequences, h0 = keras.Input((None, 3)), keras.Input((5,))
    ids = keras.Input((None,), dtype="int32")
    embedded = keras.layers.Embedding(10, 3, mask_zero=True)(ids)
    model = keras.Model(
        [sequences, h0, ids],
        [VanillaRNN(5)(sequences, initial_state=[h0]), VanillaRNN(5)(embedded)],
    )
    token_ids = np.array([[1, 2, 0, 0], [3, 0, 0, 0]])
    outputs = model([data[:2], np.zeros((2, 5), "float32"), token_ids])
    assert [tuple(o.shape) for o in outputs] == [(2, 5), (2, 5)]
    with pytest.raises(ValueError, match=r"one row per sequence of the batch of 2; got shape"):
        model([data[:2], np.zeros((3, 5), "float32"), token_ids])


class TwoStateCell(keras.layers.Layer):
    """An LSTM-shaped cell (states h and c of size units) to test CheckedRNN's reuse."""

    def __init__(self, units, **kwargs):
        super().__init__(**kwargs)
        self.units = units
        self.state_size = [units, units]
        self.output_size = units

    def build(self, input_shape):
        self.kernel = self.add_weight(shape=(input_shape[-1], self.units), name="kernel")

    def call(self, x_t, states):
        h, c = states
        c = c + keras.ops.matmul(x_t, self.kernel)
        h = keras.ops.tanh(c) + 0 * h
        return h, [h, c]


class TwoStateRNN(CheckedRNN):
    state_names = ("h_0", "c_0")

    def __init__(self, units, **kwargs):
        super().__init__(TwoStateCell(units), **kwargs)


def test_checked_rnn_serves_a_cell_with_two_states(data):
    layer = TwoStateRNN(5, return_state=True)
    h0, c0 = np.zeros((4, 5), "float32"), np.ones((4, 5), "float32")
    output, h, c = layer(data, initial_state=[h0, c0])
    assert tuple(output.shape) == tuple(h.shape) == tuple(c.shape) == (4, 5)
    symbolic = TwoStateRNN(5)(keras.Input((None, 3)), initial_state=[keras.Input((5,))] * 2)
    assert tuple(symbolic.shape) == (None, 5)

    with pytest.raises(ValueError, match=r"TwoStateRNN takes an initial_state of 2 tensor\(s\) "):
        layer(data, initial_state=h0)
    with pytest.raises(ValueError, match=r"initial_state\[1\] \(c_0\) must have shape \(4, 5\)"):
        layer(data, initial_state=[h0, c0[:, :4]])
    with pytest.raises(ValueError, match=r"TwoStateRNN: mask must have shape \(4, 7\)"):
        layer(data, mask=np.ones((4, 6), bool))
    with pytest.raises(ValueError, match=r"TwoStateRNN was built for 3 input features"):
        layer(data[:, :, :1])
    with pytest.raises(ValueError, match=r"TwoStateRNN expects sequences of at least one time"):
        TwoStateRNN(5)(keras.Input((0, 3)))


@pytest.mark.filterwarnings("ignore:`shuffle=True` was passed")
class KerasHarnessTest(testing.TestCase):
    """Keras's own layer checks for VanillaRNN: serialization, symbolic and eager calls, a
    training step, masking and mixed precision."""

    def test_basics(self):
        self.run_layer_test(
            VanillaRNN,
            init_kwargs={"units": 3},
            input_shape=(3, 2, 4),
            expected_output_shape=(3, 3),
            expected_num_trainable_weights=3,
            expected_num_non_trainable_weights=0,
            expected_num_seed_generators=0,
            supports_masking=True,
        )

    def test_sequences_and_state(self):
        self.run_layer_test(
            VanillaRNN,
            init_kwargs={"units": 3, "return_sequences": True, "return_state": True},
            input_shape=(3, 2, 4),
            expected_output_shape=((3, 2, 3), (3, 3)),
            expected_num_trainable_weights=3,
            supports_masking=True,
        )

    def test_no_bias_backwards(self):
        self.run_layer_test(
            VanillaRNN,
            init_kwargs={"units": 2, "use_bias": False, "go_backwards": True},
            input_shape=(2, 5, 3),
            expected_output_shape=(2, 2),
            expected_num_trainable_weights=2,
            supports_masking=True,
        )
