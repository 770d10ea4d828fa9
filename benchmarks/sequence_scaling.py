"""Time per batch of recurrent layers against a convolution and self-attention, by T and batch.

    python benchmarks/sequence_scaling.py [--units 64] [--lengths 16 64 256 1024] [--batch 16]
                                          [--batch-sizes 1 16 128] [--length 256]
                                          [--repeats 5] [--layers SimpleRNN LSTM GRU ...]

The table of notebook 11, section 1: for SimpleRNN, LSTM, GRU (``--units`` units,
``return_sequences=True``), Conv1D (``--units`` filters, kernel 3, "same" padding) and
self-attention (``keras.layers.MultiHeadAttention`` with 4 heads of ``--units / 4``
dimensions, query = key = value), each on inputs of ``--units`` features per step: the median
milliseconds of one forward pass (``predict_on_batch``) and one training step
(``train_on_batch``, SGD on a mean squared error), traced first and not timed then, over two
sweeps: every T of ``--lengths`` at batch ``--batch``, and every batch size of
``--batch-sizes`` at T = ``--length``. Then, per layer, how the training step's time grows
along each sweep (the factor from the smallest to the largest value, and the log-log slope, least
squares over the last three values: 1 = linear, 2 = quadratic). Run it alone on the machine:
timings taken while something else runs are not comparable. Set KERAS_BACKEND to compare
backends.
"""

from __future__ import annotations

import argparse
import time

import keras

import rnn_course
from rnn_course.profiling import format_table, grid, growth, time_layers


def builders(units: int) -> dict:
    heads = 4
    return {
        "SimpleRNN": lambda x: keras.layers.SimpleRNN(units, return_sequences=True)(x),
        "LSTM": lambda x: keras.layers.LSTM(units, return_sequences=True)(x),
        "GRU": lambda x: keras.layers.GRU(units, return_sequences=True)(x),
        "Conv1D": lambda x: keras.layers.Conv1D(units, 3, padding="same")(x),
        "self-attention": lambda x: keras.layers.MultiHeadAttention(heads, units // heads)(x, x),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--units", type=int, default=64)
    parser.add_argument("--lengths", type=int, nargs="+", default=[16, 64, 256, 1024])
    parser.add_argument("--batch", type=int, default=16, help="batch size of the T sweep")
    parser.add_argument("--batch-sizes", type=int, nargs="+", default=[1, 16, 128])
    parser.add_argument("--length", type=int, default=256, help="T of the batch-size sweep")
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--layers", nargs="+", default=None, help="default: all five")
    args = parser.parse_args(argv)
    rnn_course.setup(seed=0)
    chosen = builders(args.units)
    if args.layers:
        unknown = sorted(set(args.layers) - set(chosen))
        if unknown:
            parser.error(f"unknown layers {unknown}; choose from {sorted(chosen)}")
        chosen = {name: chosen[name] for name in args.layers}
    shapes = grid(
        lengths=args.lengths, batch=args.batch, batch_sizes=args.batch_sizes, length=args.length
    )
    start = time.perf_counter()
    rows = time_layers(chosen, shapes, features=args.units, repeats=args.repeats)
    print(format_table(rows))
    print()
    print(
        f"{'layer':16s} | {'train ms, T x' + str(max(args.lengths) // min(args.lengths)):>16s} "
        f"| slope in T | {'batch x' + str(max(args.batch_sizes) // min(args.batch_sizes)):>9s} "
        "| slope in batch"
    )
    for name in chosen:
        parts = []
        for over, values in (("T", args.lengths), ("batch", args.batch_sizes)):
            if len(set(values)) < 2:
                parts.append(None)
            else:
                parts.append(growth(rows, layer=name, over=over))
        t, b = parts
        print(
            f"{name:16s} | "
            + (f"{t['factor']:15.1f}x | {t['slope']:10.2f}" if t else f"{'-':>16s} | {'-':>10s}")
            + " | "
            + (f"{b['factor']:8.1f}x | {b['slope']:14.2f}" if b else f"{'-':>9s} | {'-':>14s}")
        )
    print(f"\n{len(rows)} measurements in {time.perf_counter() - start:.0f} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
