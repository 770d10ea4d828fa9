import keras
import numpy as np
import pytest

from rnn_course import gradients, rel_error, tasks


def simple_rnn_model(units=5, features=2):
    return keras.Sequential(
        [keras.Input((None, features)), keras.layers.SimpleRNN(units), keras.layers.Dense(1)]
    )


def numpy_input_gradients(model, x, y):
    """BPTT by hand for SimpleRNN -> Dense under the batch-mean squared error."""
    kernel, recurrent, bias, w_out, b_out = (w.astype("float64") for w in model.get_weights())
    x = x.astype("float64")
    batch, T, _ = x.shape
    h = np.zeros((batch, recurrent.shape[0]))
    hs = []
    for t in range(T):
        h = np.tanh(x[:, t] @ kernel + h @ recurrent + bias)
        hs.append(h)
    y_hat = h @ w_out + b_out
    dh = 2 * (y_hat - y) / y.size @ w_out.T
    dx = np.zeros_like(x)
    for t in reversed(range(T)):
        dz = (1 - hs[t] ** 2) * dh
        dx[:, t] = dz @ kernel.T
        dh = dz @ recurrent.T
    return dx


def test_input_gradient_norms_match_bptt_by_hand():
    keras.utils.set_random_seed(0)
    model = simple_rnn_model()
    x, y = tasks.adding_problem(6, 12, seed=0)
    norms = gradients.input_gradient_norms(model, x, y)
    assert norms.shape == (12,) and norms.dtype == np.float64
    expected = np.sqrt((numpy_input_gradients(model, x, y) ** 2).sum(axis=(0, 2)))
    assert rel_error(norms, expected) < 1e-4


def test_without_recurrence_only_the_last_input_gets_a_gradient():
    keras.utils.set_random_seed(1)
    model = simple_rnn_model()
    kernel, recurrent, bias, w_out, b_out = model.get_weights()
    model.set_weights([kernel, np.zeros_like(recurrent), bias, w_out, b_out])
    x, y = tasks.adding_problem(4, 8, seed=1)
    norms = gradients.input_gradient_norms(model, x, y)
    assert np.all(norms[:-1] == 0) and norms[-1] > 0


@pytest.mark.parametrize("layer", [keras.layers.LSTM, keras.layers.GRU])
def test_gated_layers_and_a_loss_object(layer):
    keras.utils.set_random_seed(2)
    model = keras.Sequential([keras.Input((None, 2)), layer(4), keras.layers.Dense(1)])
    x, y = tasks.adding_problem(5, 9, seed=2)
    norms = gradients.input_gradient_norms(model, x, y, loss=keras.losses.MeanAbsoluteError())
    assert norms.shape == (9,) and np.all(np.isfinite(norms)) and np.all(norms > 0)


def test_loss_and_gradients_equal_one_sgd_step_and_leave_the_weights_alone():
    keras.utils.set_random_seed(3)
    model = simple_rnn_model()
    x, y = tasks.adding_problem(16, 10, seed=3)
    before = model.get_weights()
    loss, grads = gradients.loss_and_gradients(model, x, y)
    assert [g.shape for g in grads] == [w.shape for w in before]
    for w, w_now in zip(before, model.get_weights(), strict=True):
        np.testing.assert_array_equal(w, w_now)
    model.compile(optimizer=keras.optimizers.SGD(learning_rate=1.0), loss="mse")
    assert loss == pytest.approx(model.evaluate(x, y, verbose=0), rel=1e-5)
    model.train_on_batch(x, y)
    for w0, w1, g in zip(before, model.get_weights(), grads, strict=True):
        np.testing.assert_allclose(w0 - w1, g, rtol=1e-4, atol=1e-6)


def test_loss_and_gradients_take_token_ids_and_a_sparse_loss():
    keras.utils.set_random_seed(4)
    model = keras.Sequential(
        [
            keras.Input((None,), dtype="int32"),
            keras.layers.Embedding(11, 3),
            keras.layers.GRU(4, return_sequences=True),
            keras.layers.Dense(11),
        ]
    )
    x, y = tasks.copy_memory(3, 5, length=2, alphabet=9, seed=4)
    loss_fn = keras.losses.SparseCategoricalCrossentropy(from_logits=True)
    loss, grads = gradients.loss_and_gradients(model, x, y, loss=loss_fn)
    assert loss == pytest.approx(np.log(11), rel=0.1)  # near uniform at initialisation
    assert len(grads) == len(model.trainable_variables)


def test_global_norm_is_the_norm_that_global_clipnorm_clips():
    grads = [np.array([3.0, 0.0]), np.array([[4.0]])]
    assert gradients.global_norm(grads) == pytest.approx(5.0)
    variables = [keras.Variable(np.zeros(2)), keras.Variable(np.zeros((1, 1)))]
    optimizer = keras.optimizers.SGD(learning_rate=1.0, global_clipnorm=1.0)
    optimizer.apply([keras.ops.convert_to_tensor(g) for g in grads], variables)
    update = [-keras.ops.convert_to_numpy(v) for v in variables]
    assert gradients.global_norm(update) == pytest.approx(1.0, rel=1e-6)


@pytest.mark.parametrize(
    ("call", "error", "message"),
    [
        (
            lambda m, x, y: gradients.input_gradient_norms("model", x, y),
            TypeError,
            "model must be a Keras model or layer, got str",
        ),
        (
            lambda m, x, y: gradients.input_gradient_norms(m, x[0], y),
            ValueError,
            r"shape \(batch, time, features\), rank 3; got shape \(6, 2\)",
        ),
        (
            lambda m, x, y: gradients.input_gradient_norms(m, x.astype("int32"), y),
            TypeError,
            "floating-point values, got dtype int32",
        ),
        (
            lambda m, x, y: gradients.input_gradient_norms(m, x, y[:3]),
            ValueError,
            r"one row per sequence, 4 rows; got shape \(3, 1\)",
        ),
        (
            lambda m, x, y: gradients.input_gradient_norms(m, x, y[:, 0:0]),
            ValueError,
            "does not fit the model's output shape",
        ),
        (
            lambda m, x, y: gradients.input_gradient_norms(m, x, y, loss="no_such_loss"),
            ValueError,
            "loss must be a Keras loss name",
        ),
        (
            lambda m, x, y: gradients.loss_and_gradients(m, x, np.ones((4, 1, 1))),
            ValueError,
            "does not fit the model's output shape",
        ),
        (
            lambda m, x, y: gradients.loss_and_gradients(keras.layers.Dense(2), x, y),
            ValueError,
            "not built yet",
        ),
        (lambda m, x, y: gradients.global_norm([]), TypeError, "non-empty list"),
        (lambda m, x, y: gradients.global_norm(np.ones(3)), TypeError, "got ndarray"),
    ],
)
def test_bad_arguments_name_what_was_expected_and_given(call, error, message):
    model = simple_rnn_model()
    x, y = tasks.adding_problem(4, 6, seed=0)
    with pytest.raises(error, match=message):
        call(model, x, y)


def test_a_target_without_the_last_axis_gives_the_same_norms():
    model = simple_rnn_model()
    x, y = tasks.adding_problem(4, 6, seed=0)
    np.testing.assert_allclose(
        gradients.input_gradient_norms(model, x, y[:, 0]),
        gradients.input_gradient_norms(model, x, y),
        rtol=1e-6,
    )
