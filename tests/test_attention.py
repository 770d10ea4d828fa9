import keras
import numpy as np
import pytest
from keras.src import testing

from rnn_course.attention import BahdanauAttention

B, S, Q, D, U = 3, 6, 5, 4, 7  # batch, source length, query size, value size, score units


def np_(x):
    return np.asarray(keras.ops.convert_to_numpy(x))


@pytest.fixture
def inputs():
    rng = np.random.default_rng(0)
    query = rng.normal(size=(B, Q)).astype("float32")
    values = rng.normal(size=(B, S, D)).astype("float32")
    mask = np.ones((B, S), bool)
    mask[1, 4:] = False
    mask[2, 1:] = False  # a one-token source
    return query, values, mask


def reference(layer, query, values, mask):
    """e = v_a^T tanh(W_a s + U_a h_s), alpha = softmax over unmasked s, c = sum alpha h_s."""
    W_a, U_a, v_a = (np_(w).astype("float64") for w in (layer.W_a, layer.U_a, layer.v_a))
    e = np.tanh((query @ W_a)[:, None, :] + values @ U_a) @ v_a  # (B, S)
    e = np.where(mask, e, -np.inf)
    alpha = np.exp(e - e.max(axis=1, keepdims=True))
    alpha /= alpha.sum(axis=1, keepdims=True)
    return (alpha[:, :, None] * values).sum(axis=1), alpha


def test_matches_the_equations(inputs):
    query, values, mask = inputs
    layer = BahdanauAttention(U)
    context, weights = layer(query, values, values_mask=mask)
    assert tuple(context.shape) == (B, D) and tuple(weights.shape) == (B, S)
    c_ref, a_ref = reference(layer, query, values, mask)
    np.testing.assert_allclose(np_(weights), a_ref, atol=1e-6)
    np.testing.assert_allclose(np_(context), c_ref, atol=1e-5)


def test_weights_sum_to_one_and_respect_the_mask(inputs):
    query, values, mask = inputs
    _, weights = BahdanauAttention(U)(query, values, values_mask=mask)
    weights = np_(weights)
    np.testing.assert_allclose(weights.sum(axis=-1), 1.0, atol=1e-6)
    assert np.all(weights[~mask] == 0.0)
    assert weights[2, 0] == pytest.approx(1.0)
    # what lies under the mask does not matter
    layer = BahdanauAttention(U)
    changed = values.copy()
    changed[~mask] = 100.0
    a = np_(layer(query, values, values_mask=mask)[0])
    b = np_(layer(query, changed, values_mask=mask)[0])
    np.testing.assert_allclose(a, b, atol=1e-6)


def test_many_queries_at_once_equal_one_at_a_time(inputs):
    query, values, mask = inputs
    layer = BahdanauAttention(U)
    queries = np.stack([query, 2 * query, -query], axis=1)  # (B, 3, Q)
    context, weights = layer(queries, values, values_mask=mask)
    assert tuple(context.shape) == (B, 3, D) and tuple(weights.shape) == (B, 3, S)
    for t in range(3):
        c_t, a_t = layer(queries[:, t], values, values_mask=mask)
        np.testing.assert_allclose(np_(context[:, t]), np_(c_t), atol=1e-6)
        np.testing.assert_allclose(np_(weights[:, t]), np_(a_t), atol=1e-6)


def test_projected_values_give_the_same_result(inputs):
    query, values, mask = inputs
    layer = BahdanauAttention(U)
    plain = layer(query, values, values_mask=mask)
    keys = layer.project_values(values)
    again = layer(query, values, values_mask=mask, projected_values=keys)
    for a, b in zip(plain, again, strict=True):
        np.testing.assert_allclose(np_(a), np_(b), atol=1e-6)


def test_takes_the_mask_from_a_masked_embedding():
    ids = np.array([[4, 2, 0, 0], [3, 0, 0, 0]])
    source = keras.Input((None,), dtype="int32")
    state = keras.Input((Q,))
    h = keras.layers.Embedding(6, D, mask_zero=True)(source)
    context, weights = BahdanauAttention(U)(state, h)
    model = keras.Model([source, state], weights)
    alpha = np_(model([ids, np.ones((2, Q), "float32")]))
    np.testing.assert_allclose(alpha.sum(axis=-1), 1.0, atol=1e-6)
    assert np.all(alpha[ids == 0] == 0.0)


def test_keras_file_round_trip(tmp_path, inputs):
    query, values, mask = inputs
    q_in, v_in = keras.Input((Q,)), keras.Input((None, D))
    m_in = keras.Input((None,), dtype="bool")
    outputs = BahdanauAttention(U, name="attention")(q_in, v_in, values_mask=m_in)
    model = keras.Model([q_in, v_in, m_in], list(outputs))
    path = tmp_path / "attention.keras"
    model.save(path)
    loaded = keras.saving.load_model(path)
    assert isinstance(loaded.get_layer("attention"), BahdanauAttention)
    assert loaded.get_layer("attention").get_config()["units"] == U
    for a, b in zip(model([query, values, mask]), loaded([query, values, mask]), strict=True):
        np.testing.assert_allclose(np_(a), np_(b), atol=1e-7)


def test_bad_inputs_give_clear_errors(inputs):
    query, values, mask = inputs
    with pytest.raises(ValueError, match="units must be a positive integer"):
        BahdanauAttention(0)
    with pytest.raises(ValueError, match=r"values .* must have shape \(batch, S, value_dim\)"):
        BahdanauAttention(U)(query, values[:, 0])
    with pytest.raises(ValueError, match=r"query .* must have shape \(batch, query_dim\)"):
        BahdanauAttention(U)(query[0], values)
    with pytest.raises(ValueError, match=r"values_mask must have shape \(batch, S\)"):
        BahdanauAttention(U)(query, values, values_mask=mask[..., None])
    with pytest.raises(TypeError, match="values must be floating point"):
        BahdanauAttention(U)(query, np.ones((B, S, D), "int32"))


class KerasHarnessTest(testing.TestCase):
    """Keras's own layer checks: serialization, symbolic and eager calls, mixed precision."""

    def test_basics(self):
        self.run_layer_test(
            BahdanauAttention,
            init_kwargs={"units": U},
            input_shape={"query_shape": (B, Q), "values_shape": (B, S, D)},
            expected_output_shape=((B, D), (B, S)),
            expected_num_trainable_weights=3,
            expected_num_non_trainable_weights=0,
            expected_num_seed_generators=0,
            supports_masking=True,
            run_training_check=False,  # its model passes one input; the seq2seq tests train
        )

    def test_many_queries(self):
        self.run_layer_test(
            BahdanauAttention,
            init_kwargs={"units": U},
            input_shape={"query_shape": (B, 2, Q), "values_shape": (B, S, D)},
            expected_output_shape=((B, 2, D), (B, 2, S)),
            expected_num_trainable_weights=3,
            supports_masking=True,
            run_training_check=False,  # its model passes one input; the seq2seq tests train
        )
