"""Training speed of the course's VanillaRNN (a keras.ops cell) against keras.layers.SimpleRNN.

    python benchmarks/cell_speed.py [--units 256] [--steps 50]

Both run the char-RNN of notebook 01 (Embedding -> recurrent layer -> Dense) on random token
windows of tiny Shakespeare's size; the table gives milliseconds per training step after a
warm-up, on whatever backend and device Keras uses (set KERAS_BACKEND to compare backends).
"""

from __future__ import annotations

import argparse
import time

import keras
import numpy as np

import rnn_course


def time_layer(make_layer, units, steps, batch, seq_len, vocab):
    model = keras.Sequential(
        [
            keras.Input((None,), dtype="int32"),
            keras.layers.Embedding(vocab, 32),
            make_layer(units),
            keras.layers.Dense(vocab),
        ]
    )
    model.compile("adam", keras.losses.SparseCategoricalCrossentropy(from_logits=True))
    rng = np.random.default_rng(0)
    x = rng.integers(0, vocab, size=(batch * steps, seq_len), dtype="int32")
    y = rng.integers(0, vocab, size=(batch * steps, seq_len), dtype="int32")
    model.fit(x[: batch * 5], y[: batch * 5], batch_size=batch, verbose=0)  # compile, warm up
    start = time.perf_counter()
    model.fit(x, y, batch_size=batch, verbose=0)
    return 1000 * (time.perf_counter() - start) / steps


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--units", type=int, default=256)
    parser.add_argument("--steps", type=int, default=50)
    parser.add_argument("--batch", type=int, default=64)
    parser.add_argument("--seq-len", type=int, default=100)
    args = parser.parse_args(argv)
    rnn_course.setup()
    layers = {
        "rnn_course.VanillaRNN": lambda n: rnn_course.VanillaRNN(n, return_sequences=True),
        "keras.layers.SimpleRNN": lambda n: keras.layers.SimpleRNN(n, return_sequences=True),
    }
    print(f"\n| layer | units | batch x length | ms / training step ({args.steps} steps) |")
    print("|---|---:|---:|---:|")
    for name, make in layers.items():
        ms = time_layer(make, args.units, args.steps, args.batch, args.seq_len, vocab=65)
        print(f"| {name} | {args.units} | {args.batch} x {args.seq_len} | {ms:.1f} |")


if __name__ == "__main__":
    main()
