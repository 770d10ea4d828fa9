"""Training speed of the course's recurrent layers (``keras.ops`` cells) against Keras's built-ins.

    python benchmarks/cell_speed.py [--units 256] [--batch 64] [--seq-len 100]
                                    [--steps 5] [--rounds 7] [--jit both|on|off]

Each pair (VanillaRNN / SimpleRNN, LSTM / LSTM, GRU / GRU with ``reset_after`` False and True)
trains the char-RNN of notebook 01 (Embedding -> recurrent layer -> Dense) on one batch of
random token windows, compiled with ``jit_compile`` on and off. After a warm-up, the two models
of a pair take turns: each round times ``--steps`` training steps of one, then of the other,
so that a load that comes and goes (a shared machine) hits both alike. The table gives the
median over the rounds of the milliseconds per training step, and ours / built-in. Set
KERAS_BACKEND to compare backends (without jit, JAX and PyTorch run eagerly: slow for both).

LayerNormLSTM has no built-in equivalent (Keras has no layer-normalised recurrent layer): it is
timed against keras.layers.LSTM, and its ratio is the cost of the five normalisations a step
together with that of our keras.ops cell (compare with the LSTM row's ratio).
"""

from __future__ import annotations

import argparse
import time

import keras
import numpy as np

import rnn_course
from rnn_course.layers import GRU, LSTM, LayerNormLSTM, VanillaRNN

PAIRS = {
    "vanilla": (
        "VanillaRNN",
        lambda n: VanillaRNN(n, return_sequences=True),
        "SimpleRNN",
        lambda n: keras.layers.SimpleRNN(n, return_sequences=True),
    ),
    "lstm": (
        "LSTM",
        lambda n: LSTM(n, return_sequences=True),
        "LSTM",
        lambda n: keras.layers.LSTM(n, return_sequences=True),
    ),
    "layernorm_lstm": (
        "LayerNormLSTM",
        lambda n: LayerNormLSTM(n, return_sequences=True),
        "LSTM (no layer norm)",
        lambda n: keras.layers.LSTM(n, return_sequences=True),
    ),
    "gru": (
        "GRU(reset_after=False)",
        lambda n: GRU(n, reset_after=False, return_sequences=True),
        "GRU(reset_after=False)",
        lambda n: keras.layers.GRU(n, reset_after=False, return_sequences=True),
    ),
    "gru_reset_after": (
        "GRU(reset_after=True)",
        lambda n: GRU(n, reset_after=True, return_sequences=True),
        "GRU(reset_after=True)",
        lambda n: keras.layers.GRU(n, reset_after=True, return_sequences=True),
    ),
}


def char_rnn(recurrent_layer, jit_compile, vocab):
    model = keras.Sequential(
        [
            keras.Input((None,), dtype="int32"),
            keras.layers.Embedding(vocab, 32),
            recurrent_layer,
            keras.layers.Dense(vocab),
        ]
    )
    model.compile(
        "adam",
        keras.losses.SparseCategoricalCrossentropy(from_logits=True),
        jit_compile=jit_compile,
    )
    return model


def time_pair(make_ours, make_builtin, *, units, batch, seq_len, steps, rounds, jit, vocab=65):
    """Median ms per training step of each model over ``rounds`` alternating rounds."""
    rng = np.random.default_rng(0)
    x = rng.integers(0, vocab, size=(batch, seq_len), dtype="int32")
    y = rng.integers(0, vocab, size=(batch, seq_len), dtype="int32")
    models = [char_rnn(make(units), jit, vocab) for make in (make_ours, make_builtin)]
    for model in models:  # compile, warm up
        for _ in range(3):
            model.train_on_batch(x, y)
    times = [[], []]
    for _ in range(rounds):
        for model, record in zip(models, times, strict=True):
            start = time.perf_counter()
            for _ in range(steps):
                model.train_on_batch(x, y)
            record.append(1000 * (time.perf_counter() - start) / steps)
    return [float(np.median(t)) for t in times]


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--units", type=int, default=256)
    parser.add_argument("--batch", type=int, default=64)
    parser.add_argument("--seq-len", type=int, default=100)
    parser.add_argument("--steps", type=int, default=5, help="training steps per round")
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--jit", choices=["both", "on", "off"], default="both")
    parser.add_argument("--layers", nargs="+", choices=list(PAIRS), default=list(PAIRS))
    args = parser.parse_args(argv)
    rnn_course.setup()
    jits = {"both": [False, True], "on": [True], "off": [False]}[args.jit]
    print(
        f"\n{keras.backend.backend()}, units {args.units}, batch {args.batch} x length "
        f"{args.seq_len}; median of {args.rounds} rounds of {args.steps} steps\n"
    )
    print("| course layer | built-in | jit_compile | ours ms/step | built-in ms/step | ratio |")
    print("|---|---|---|---:|---:|---:|")
    for key in args.layers:
        ours_name, make_ours, builtin_name, make_builtin = PAIRS[key]
        for jit in jits:
            ours, builtin = time_pair(
                make_ours,
                make_builtin,
                units=args.units,
                batch=args.batch,
                seq_len=args.seq_len,
                steps=args.steps,
                rounds=args.rounds,
                jit=jit,
            )
            print(
                f"| {ours_name} | keras.layers.{builtin_name} | {jit} | {ours:.1f} | "
                f"{builtin:.1f} | {ours / builtin:.2f} |",
                flush=True,
            )


if __name__ == "__main__":
    main()
