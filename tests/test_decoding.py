import keras
import numpy as np
import pytest

from rnn_course.decoding import (
    StatefulGenerator,
    beam_search,
    greedy,
    greedy_search,
    length_normalized,
    per_token_loss,
    sample_next,
    softmax,
)
from rnn_course.models import char_language_model

V = 11  # a tiny vocabulary
LOGITS = np.array([2.0, -1.0, 0.5, 1.5, -3.0])


def np_(x):
    return np.asarray(keras.ops.convert_to_numpy(x))


def full_model_distribution(model, prefix):
    """P(next | prefix) by running the training model over the whole prefix from zero."""
    logits = np_(model(np.asarray(prefix)[None], training=False))[0, -1]
    return softmax(logits)


# --- sampling --------------------------------------------------------------------------------


def test_softmax_is_stable_and_scaled_by_temperature():
    p = softmax([1000.0, 999.0, -1000.0])
    e = np.exp(-1.0)
    np.testing.assert_allclose(p, [1 / (1 + e), e / (1 + e), 0.0], atol=1e-15)
    np.testing.assert_allclose(softmax(LOGITS, temperature=0.5), softmax(2 * LOGITS))
    rows = softmax(np.stack([LOGITS, -LOGITS]))
    np.testing.assert_allclose(rows.sum(axis=-1), 1.0)


def test_greedy_is_the_argmax_with_ties_to_the_lowest_id():
    assert greedy(LOGITS) == 0 and isinstance(greedy(LOGITS), int)
    assert sample_next([1.0, 3.0, 3.0], temperature=0) == 1
    batch = np.stack([LOGITS, -LOGITS])
    np.testing.assert_array_equal(greedy(batch), [0, 4])
    rng = np.random.default_rng(0)
    for temperature in (0.3, 1.0, 5.0):  # top_k=1 is greedy at any temperature
        assert sample_next([1.0, 3.0, 3.0], temperature=temperature, top_k=1, rng=rng) == 1


def test_samples_follow_the_tempered_distribution():
    rng = np.random.default_rng(1)
    for temperature in (0.5, 1.0, 2.0):
        draws = sample_next(np.tile(LOGITS, (40_000, 1)), temperature=temperature, rng=rng)
        frequencies = np.bincount(draws, minlength=len(LOGITS)) / len(draws)
        np.testing.assert_allclose(frequencies, softmax(LOGITS, temperature=temperature), atol=0.01)


def test_top_k_samples_only_the_k_most_likely_renormalized():
    rng = np.random.default_rng(2)
    draws = sample_next(np.tile(LOGITS, (40_000, 1)), top_k=2, rng=rng)
    frequencies = np.bincount(draws, minlength=len(LOGITS)) / len(draws)
    expected = np.zeros(len(LOGITS))
    expected[[0, 3]] = softmax(LOGITS[[0, 3]])
    np.testing.assert_allclose(frequencies, expected, atol=0.01)
    assert set(np.unique(draws)) == {0, 3}
    everything = sample_next(np.tile(LOGITS, (2000, 1)), top_k=99, rng=rng)  # k > vocab: all
    assert set(np.unique(everything)) == set(range(len(LOGITS)))


def test_the_same_seed_gives_the_same_samples_and_zero_probability_is_never_drawn():
    logits = np.tile([0.0, -np.inf, 0.0, 1.0], (1000, 1))
    a = sample_next(logits, rng=np.random.default_rng(3))
    b = sample_next(logits, rng=np.random.default_rng(3))
    np.testing.assert_array_equal(a, b)
    assert 1 not in a
    assert sample_next(logits[0], rng=7) == sample_next(logits[0], rng=7)  # an int seed


# --- stateful generation -------------------------------------------------------------------


@pytest.fixture(scope="module", params=[("gru", 1), ("gru", 2), ("lstm", 1), ("lstm", 2)])
def trained(request):
    """A model with random weights (large enough to give peaked distributions) and its
    generator, for each cell and depth."""
    cell, n_layers = request.param
    keras.utils.set_random_seed(0)
    model = char_language_model(V, 4, 6, cell=cell, n_layers=n_layers, dropout=0.3)
    model.build((None, None))
    rng = np.random.default_rng(0)
    model.set_weights([rng.normal(scale=0.8, size=w.shape) for w in model.get_weights()])
    return model, StatefulGenerator(model)


def test_carried_state_gives_the_distribution_of_the_whole_prefix(trained):
    model, generator = trained
    ids = np.random.default_rng(1).integers(0, V, size=12)
    logits, states = generator.step(ids[:4])  # the prompt, once
    assert logits.shape == (V,) and len(states) == len(generator.state_names)
    for t in range(4, 12):
        np.testing.assert_allclose(
            softmax(logits), full_model_distribution(model, ids[:t]), atol=1e-5
        )
        logits, states = generator.step(ids[t : t + 1], states)  # one token, from the state
    np.testing.assert_allclose(softmax(logits), full_model_distribution(model, ids), atol=1e-5)
    np.testing.assert_allclose(
        generator.next_distribution(ids), full_model_distribution(model, ids), atol=1e-5
    )


def test_states_are_named_per_layer(trained):
    model, generator = trained
    layers = [layer.name for layer in model.layers if isinstance(layer, keras.layers.RNN)]
    labels = ("h", "c") if isinstance(model.get_layer("rnn_0"), keras.layers.LSTM) else ("h",)
    assert generator.state_names == tuple(f"{n}.{label}" for n in layers for label in labels)
    assert [s.shape for s in generator.initial_state(3)] == [(3, 6)] * len(generator.state_names)


def test_greedy_generation_is_deterministic_and_matches_rerunning_the_prefix(trained):
    model, generator = trained
    prompt = [3, 1, 4]
    ids = generator.generate(prompt, 10, temperature=0)
    np.testing.assert_array_equal(generator.generate(prompt, 10, temperature=0), ids)
    np.testing.assert_array_equal(generator.generate(prompt, 10, top_k=1, seed=5), ids)
    text = list(prompt)
    for _ in range(10):  # the slow way: the whole text so far, every token
        text.append(int(np.argmax(full_model_distribution(model, text))))
    np.testing.assert_array_equal(ids, text[3:])
    assert ids.dtype == np.int64 and ids.shape == (10,)


def test_sampling_with_a_seed_is_reproducible(trained):
    _, generator = trained
    a = generator.generate([2], 30, temperature=1.5, seed=11)
    np.testing.assert_array_equal(generator.generate([2], 30, temperature=1.5, seed=11), a)
    b = generator.generate([2], 30, temperature=1.5, seed=12)
    assert (a != b).any()
    rng = np.random.default_rng(11)  # a Generator draws as the same int seed
    np.testing.assert_array_equal(generator.generate([2], 30, temperature=1.5, seed=rng), a)
    assert generator.generate([2], 0).shape == (0,)


def test_generation_feeds_the_prompt_once_then_one_token_a_step(trained, monkeypatch):
    _, generator = trained
    lengths = []
    run = generator._run

    def spy(ids, states):
        lengths.append(ids.shape)
        return run(ids, states)

    monkeypatch.setattr(generator, "_run", spy)
    generator.generate([1, 2, 3, 4, 5], 6, seed=0)
    assert lengths == [(1, 5)] + [(1, 1)] * 5


def test_a_batch_of_prompts_generates_as_each_prompt_alone(trained):
    _, generator = trained
    prompts = np.array([[1, 2, 3], [7, 7, 0]])
    batch = generator.generate(prompts, 8, temperature=0)
    assert batch.shape == (2, 8)
    for prompt, row in zip(prompts, batch, strict=True):
        np.testing.assert_array_equal(generator.generate(prompt, 8, temperature=0), row)
    np.testing.assert_allclose(
        generator.next_distribution(prompts)[1], generator.next_distribution(prompts[1]), atol=1e-6
    )


def test_the_generator_shares_the_trained_weights():
    model = char_language_model(V, 4, 6, cell="lstm")
    generator = StatefulGenerator(model)
    before = generator.next_distribution([1, 2])
    dense = model.get_layer("logits")
    kernel, bias = dense.get_weights()
    bias[5] += 10.0  # "training" after the generator was built
    dense.set_weights([kernel, bias])
    after = generator.next_distribution([1, 2])
    np.testing.assert_allclose(after, full_model_distribution(model, [1, 2]), atol=1e-5)
    assert after[5] > 0.9 > before[5]
    assert len(generator.step_model.weights) == len(model.weights)  # nothing copied


# --- per-token loss --------------------------------------------------------------------------


def test_per_token_loss_is_the_cross_entropy_of_each_next_token(trained):
    model, _ = trained
    ids = np.random.default_rng(4).integers(0, V, size=(2, 9))
    losses = per_token_loss(model, ids)
    assert losses.shape == (2, 8)
    keras_loss = keras.losses.SparseCategoricalCrossentropy(from_logits=True, reduction=None)
    expected = np_(keras_loss(ids[:, 1:], model(ids[:, :-1], training=False)))
    np.testing.assert_allclose(losses, expected, atol=1e-5)
    np.testing.assert_allclose(per_token_loss(model, ids[1]), losses[1], atol=1e-5)
    p = full_model_distribution(model, ids[0, :4])
    np.testing.assert_allclose(losses[0, 3], -np.log(p[ids[0, 4]]), atol=1e-5)


# --- whole sequences from a one-step decoder: greedy and beam search ---------------------------


def _toy_step(table):
    """A decoder whose next-token logits depend only on the previous token: table[prev]."""

    def step(previous, states):
        return table[np.asarray(previous)], [states[0] + 1]

    return step


def test_beam_search_finds_a_better_sequence_than_greedy():
    # from START (0): greedy takes 2 (p 0.6) and then must pay for a 3-way split;
    # beam search finds 1 (p 0.4) followed by END (p 1.0).
    log = np.log
    table = np.full((5, 5), -1e9)
    table[0, [1, 2]] = log([0.4, 0.6])
    table[1, 4] = 0.0
    table[2, [1, 3, 4]] = log([1 / 3, 1 / 3, 1 / 3])
    table[3, 4] = 0.0
    step = _toy_step(table)
    states = [np.zeros((1, 1))]
    kwargs = dict(start_id=0, end_id=4, max_length=5)
    assert greedy_search(step, states, **kwargs) == [[2, 1]]
    assert beam_search(step, states, beam_width=2, alpha=0.0, **kwargs) == [[1]]
    assert beam_search(step, states, beam_width=1, **kwargs) == [[2, 1]]
    tokens, scores = beam_search(
        step, states, beam_width=2, alpha=0.0, return_scores=True, **kwargs
    )
    assert scores[0] == pytest.approx(np.log(0.4))


def test_search_errors():
    step = _toy_step(np.zeros((3, 3)))
    with pytest.raises(TypeError, match="step must be a function"):
        greedy_search(None, [np.zeros((1, 1))], start_id=0, end_id=1, max_length=3)
    with pytest.raises(ValueError, match="one row per sequence"):
        greedy_search(
            step, [np.zeros((2, 1)), np.zeros((3, 1))], start_id=0, end_id=1, max_length=3
        )
    with pytest.raises(ValueError, match="larger than the vocabulary"):
        beam_search(step, [np.zeros((1, 1))], start_id=0, end_id=1, max_length=3, beam_width=4)
    with pytest.raises(ValueError, match="max_length must be >= 1"):
        beam_search(step, [np.zeros((1, 1))], start_id=0, end_id=1, max_length=0)


def test_greedy_search_carries_the_states_and_returns_extras():
    table = np.full((4, 4), -5.0)
    table[0, 1] = table[1, 2] = table[2, 3] = 0.0  # 0 -> 1 -> 2 -> END (3)
    seen = []

    def step(previous, states):
        seen.append(states[0][:, 0].tolist())
        return table[previous], [states[0] + 1], np.asarray(previous)[:, None] * 1.0

    tokens, extra = greedy_search(
        step, [np.zeros((2, 1))], start_id=0, end_id=3, max_length=10, return_extra=True
    )
    assert tokens == [[1, 2], [1, 2]]
    assert seen == [[0, 0], [1, 1], [2, 2]]  # each step gets the states the last returned
    assert extra.shape == (2, 3, 1) and extra[0, :, 0].tolist() == [0, 1, 2]
    assert greedy_search(step, [np.zeros((1, 1))], start_id=0, end_id=3, max_length=1) == [[1]]


def test_length_normalized():
    np.testing.assert_allclose(length_normalized([-4.0, -6.0], [2, 4]), [-2.0, -1.5])
    np.testing.assert_allclose(length_normalized(-6.0, 4, alpha=0.0), -6.0)
    with pytest.raises(ValueError, match="lengths must be >= 1"):
        length_normalized(-1.0, 0)
