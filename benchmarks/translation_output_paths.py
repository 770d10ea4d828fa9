"""How fast each encoder-decoder layout learns Spanish->English, per training step.

    python benchmarks/translation_output_paths.py [--steps 400] [--models plain ...]
    python benchmarks/translation_output_paths.py --seconds 300 [--models ...]

Notebook 09's data (Tatoeba pairs of <= 15 tokens, the seeded split by Spanish sentence,
vocabularies of 12,000 Spanish and 8,000 English ids) and its batches (64 pairs of similar
length, seed 1), the same batches for every model. Each model is trained with Adam 1e-3 for
``--steps`` batches; the table gives the teacher-forced validation loss (nats/token) after each
quarter of them, and the milliseconds per step. The models differ only in the decoder's output
path, each a few lines longer than the last:

- ``plain``: GRU -> Dense tanh -> logits (the course's first model, until notebook 09 took
  the last layout below);
- ``bahdanau``: attention inside the decoder as Bahdanau et al. 2015 place it (scored from
  s_{t-1}, c_t fed to the GRU, the steps in a loop), [s_t; c_t] -> Dense tanh -> logits;
- ``plain+ln``: GRU -> LayerNorm -> logits;
- ``bahdanau+ln``: attention inside the decoder, [s_t; c_t] -> Dense tanh -> LayerNorm -> logits;
- ``after+ln``: the additive attention after the decoder GRU (its query is s_t, not s_{t-1}, as
  Luong et al. 2015 place it), [s_t; c_t] -> Dense tanh -> LayerNorm -> logits;
- ``after+residual+ln``: LayerNorm(s_t + W c_t) -> logits;
- ``course, no attention`` and ``course, attention``: ``seq2seq.translation_model`` as notebook 09
  uses it, GRU -> LayerNorm -> logits and the layout above, both with embeddings of 256.

With ``--seconds``, each model instead trains for that many seconds (``seq2seq.TimeBudget``,
validation every 200 steps) and is then scored by greedy decoding of the 2,000 validation
sentences (re-reading the prefix at every step, since most of these layouts have no one-step
decoder) with sacrebleu, as in the notebook.

Run it alone on the machine: timings taken while something else runs are not comparable.
"""

from __future__ import annotations

import argparse
import time

import rnn_course

rnn_course.setup(seed=0, verbose=False)

import keras  # noqa: E402
import numpy as np  # noqa: E402
from keras import layers, ops  # noqa: E402

from rnn_course import seq2seq  # noqa: E402
from rnn_course.data import load_spa_eng  # noqa: E402


def data(max_tokens: int = 15):
    examples = []
    for english, spanish in load_spa_eng():
        source, target = seq2seq.tokenize(spanish), seq2seq.tokenize(english)
        if len(source) <= max_tokens and len(target) <= max_tokens:
            examples.append((source, target, english))
    train, validation, _ = seq2seq.split_by_source(
        examples, n_test=2_000, n_validation=2_000, seed=0
    )
    source_vocab = seq2seq.Vocabulary.from_corpus([x[0] for x in train], 12_000)
    target_vocab = seq2seq.Vocabulary.from_corpus([x[1] for x in train], 8_000)

    def ids(split):
        return (
            [source_vocab.encode(x[0], end=True) for x in split],
            [target_vocab.encode(x[1]) for x in split],
        )

    references = [x[2].lower() for x in validation]  # as notebook 09 scores its test split
    return ids(train), ids(validation), references, source_vocab, target_vocab


def greedy_bleu(model, sources, references, target_vocab, max_length: int = 16) -> float:
    """Greedy decoding by re-running the model on the growing prefix; sacrebleu corpus BLEU."""
    source = seq2seq.pad(sources)
    prefix = np.full((len(sources), 1), target_vocab.start_id, dtype="int32")
    for _ in range(max_length):
        logits = model.predict([source, prefix], batch_size=500, verbose=0)
        prefix = np.concatenate([prefix, logits[:, -1].argmax(-1)[:, None].astype("int32")], 1)
    hypotheses = [seq2seq.detokenize(target_vocab.decode(row[1:])) for row in prefix]
    return seq2seq.corpus_bleu(hypotheses, references)


def by_steps(models, build, train, validation, steps: int) -> None:
    batches = seq2seq.TranslationBatches(*train, 64, seed=1)
    fixed = [batches[i % len(batches)] for i in range(steps)]
    val_batches = seq2seq.TranslationBatches(*validation, 256)
    quarter = steps // 4
    print(f"validation loss (nats/token) after each quarter of {steps} batches of 64")
    print(f"{'model':24s} " + " ".join(f"{quarter * k:>6d}" for k in range(1, 5)) + "  ms/step")
    for name in models:
        model = build(name)
        model.train_on_batch(*fixed[0])  # traced once, not timed
        losses, seconds = [], 0.0
        for step, (x, y) in enumerate(fixed[1:], start=2):
            start = time.perf_counter()
            model.train_on_batch(x, y)
            seconds += time.perf_counter() - start
            if step % quarter == 0 and len(losses) < 4:
                losses.append(model.evaluate(val_batches, verbose=0))
        row = " ".join(f"{loss:6.2f}" for loss in losses)
        print(f"{name:24s} {row}  {1e3 * seconds / (steps - 1):7.0f}", flush=True)


def by_time(models, build, train, validation, references, target_vocab, seconds: float) -> None:
    val_batches = seq2seq.TranslationBatches(*validation, 256)
    print(f"each model trained for {seconds:.0f} s; greedy BLEU on the validation sentences")
    print(f"{'model':24s} {'steps':>6s} {'ms/step':>8s} {'val loss':>9s} {'BLEU':>6s}")
    for name in models:
        model = build(name)
        batches = seq2seq.TranslationBatches(*train, 64, steps=200, seed=1)
        budget = seq2seq.TimeBudget(seconds)
        model.fit(
            batches, epochs=100_000, validation_data=val_batches, callbacks=[budget], verbose=0
        )
        bleu = greedy_bleu(model, validation[0], references, target_vocab)
        ms = 1e3 * budget.seconds[-1] / budget.steps[-1]
        print(
            f"{name:24s} {budget.steps[-1]:6,d} {ms:8.0f} {budget.val_loss[-1]:9.2f} {bleu:6.1f}",
            flush=True,
        )


class AttentionDecoder(keras.layers.Layer):
    """Bahdanau et al.'s decoder: attention from s_{t-1}, before the step, c_t fed to the GRU.

    ```
    c_t, alpha_t = BahdanauAttention(s_{t-1}, h)
    s_t = GRUCell([x_t, c_t], s_{t-1})
    ```

    Because c_t depends on s_{t-1}, the steps run one after another (``keras.ops.scan``), in
    training too. Called on embedded tokens (batch, T, dim), s_0 and h; returns the states and
    the contexts, (batch, T, units) and (batch, T, value_dim).
    """

    def __init__(self, units, **kwargs):
        super().__init__(**kwargs)
        self.units = units
        self.cell = keras.layers.GRUCell(units)
        self.attention = rnn_course.BahdanauAttention(units)

    def build(self, inputs_shape, initial_state_shape, values_shape, *args, **kwargs):
        self.attention.build((None, self.units), values_shape)
        self.cell.build((None, inputs_shape[-1] + values_shape[-1]))

    def call(self, inputs, initial_state, values, values_mask=None):
        keys = self.attention.project_values(values)  # U_a h_s: once, not at every step

        def step(carry, x_t):
            s_prev, _ = carry
            c_t, _ = self.attention(s_prev, values, values_mask=values_mask, projected_values=keys)
            _, s_t = self.cell(ops.concatenate([x_t, c_t], axis=-1), [s_prev])
            s_t = s_t[0] if isinstance(s_t, (list, tuple)) else s_t
            return (s_t, c_t), (s_t, c_t)

        carry = (initial_state, ops.zeros((ops.shape(values)[0], values.shape[-1])))
        _, (states, contexts) = ops.scan(step, carry, ops.transpose(inputs, (1, 0, 2)))
        return ops.transpose(states, (1, 0, 2)), ops.transpose(contexts, (1, 0, 2))

    def compute_output_shape(self, inputs_shape, initial_state_shape, values_shape, *a, **kw):
        lead = tuple(inputs_shape[:-1])
        return lead + (self.units,), lead + (values_shape[-1],)


def layout(n_source, n_target, *, attention, hidden=False, norm=False, residual=False, embed=128):
    """Encoder GRU; decoder GRU (with attention "inside" it, or "after" it, or none); then the
    output path named by the arguments: [s_t; c_t] -> Dense tanh (``hidden``) or s_t + W c_t
    (``residual``), then LayerNorm (``norm``), then the logits."""
    units = 256
    source = keras.Input((None,), dtype="int32")
    previous = keras.Input((None,), dtype="int32")
    embedded = layers.Embedding(n_source, embed, mask_zero=True)(source)
    h, h_S = layers.GRU(units, return_sequences=True, return_state=True)(embedded)
    x = layers.Embedding(n_target, embed)(previous)
    mask = ops.not_equal(source, 0)
    c = None
    if attention == "inside":
        s, c = AttentionDecoder(units)(x, h_S, h, values_mask=mask)
    else:
        s = layers.GRU(units, return_sequences=True)(x, initial_state=h_S)
        if attention == "after":
            c = rnn_course.BahdanauAttention(units)(s, h, values_mask=mask)[0]
    features = s if c is None else layers.Concatenate()([s, c])
    if residual:
        features = layers.Add()([s, layers.Dense(units)(c)])
    elif hidden:
        features = layers.Dense(units, activation="tanh")(features)
    if norm:
        features = layers.LayerNormalization()(features)
    return keras.Model([source, previous], layers.Dense(n_target)(features))


MODELS = {
    "plain": lambda s, t: layout(s, t, attention=None, hidden=True),
    "bahdanau": lambda s, t: layout(s, t, attention="inside", hidden=True),
    "plain+ln": lambda s, t: layout(s, t, attention=None, norm=True),
    "bahdanau+ln": lambda s, t: layout(s, t, attention="inside", hidden=True, norm=True),
    "after+ln": lambda s, t: layout(s, t, attention="after", hidden=True, norm=True),
    "after+residual+ln": lambda s, t: layout(s, t, attention="after", residual=True, norm=True),
    "course, no attention": lambda s, t: seq2seq.translation_model(s, t, attention=False),
    "course, attention": lambda s, t: seq2seq.translation_model(s, t, attention=True),
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=400, help="training batches per model")
    parser.add_argument("--seconds", type=float, help="train each model this long, then BLEU")
    parser.add_argument("--models", nargs="+", choices=list(MODELS), default=list(MODELS))
    args = parser.parse_args()
    if args.steps < 4:
        parser.error("--steps must be at least 4")
    if args.seconds is not None and not args.seconds > 0:
        parser.error("--seconds must be positive")
    train, validation, references, source_vocab, target_vocab = data()

    def build(name):
        keras.utils.set_random_seed(0)
        model = MODELS[name](len(source_vocab), len(target_vocab))
        model.compile(optimizer=keras.optimizers.Adam(1e-3), loss=seq2seq.masked_loss())
        return model

    if args.seconds is None:
        by_steps(args.models, build, train, validation, args.steps)
    else:
        by_time(args.models, build, train, validation, references, target_vocab, args.seconds)


if __name__ == "__main__":
    main()
