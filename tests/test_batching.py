"""Length-bucketed batches, and Keras keeping their time axes open."""

import keras
import numpy as np
import pytest

from rnn_course.batching import length_batches, shapes_open_from_the_start


def test_length_batches_cover_every_sequence_once():
    lengths = np.random.default_rng(0).integers(1, 50, size=103)
    for rng in (None, np.random.default_rng(1)):
        batches = length_batches(lengths, 10, rng, chunk_batches=3)
        assert sorted(np.concatenate(batches)) == list(range(103))
        assert max(len(b) for b in batches) == 10
    sorted_batches = length_batches(lengths, 10)
    assert list(lengths[np.concatenate(sorted_batches)]) == sorted(lengths)
    with pytest.raises(ValueError, match="batch_size"):
        length_batches(lengths, 0)
    with pytest.raises(ValueError, match="non-empty"):
        length_batches([], 4)


def test_first_two_batches_differ_in_every_varying_axis():
    shapes = {"a": (5, 7), "b": (5, 8), "c": (6, 7), "d": (6, 9), "e": (5, 7)}
    ordered = shapes_open_from_the_start(list("abcde"), shapes.get)
    assert ordered == list("adcbe")  # d differs from a in both axes: swapped with b
    # already open, or nothing varies: the order is kept
    assert shapes_open_from_the_start(list("adc"), shapes.get) == list("adc")
    assert shapes_open_from_the_start(list("ae"), shapes.get) == list("ae")
    # no partner for batch 0: the first pair that differs goes to the front
    shapes = {"a": (5, 7), "b": (5, 8), "c": (6, 7), "d": (5, 9)}
    assert shapes_open_from_the_start(list("abcd"), shapes.get) == list("bcad")
    # one axis fixed everywhere (e.g. characters per word) may stay fixed
    shapes = {"a": (5, 20), "b": (5, 20), "c": (6, 20)}
    assert shapes_open_from_the_start(list("abc"), shapes.get) == list("acb")
    assert shapes_open_from_the_start([], shapes.get) == []


class _Padded(keras.utils.PyDataset):
    """Batches of 4 sequences padded to the given lengths, optionally reordered."""

    def __init__(self, widths, open_shapes):
        super().__init__()
        order = [(w,) for w in widths]
        self.widths = shapes_open_from_the_start(order, tuple) if open_shapes else order

    def __len__(self):
        return len(self.widths)

    def __getitem__(self, i):
        (width,) = self.widths[i]
        return np.ones((4, width), "int32"), np.zeros((4, width), "int32")


@pytest.mark.skipif(keras.backend.backend() != "tensorflow", reason="tf.data's fixed shapes")
def test_keras_fixes_an_axis_the_first_two_batches_share_and_the_reordering_prevents_it():
    model = keras.Sequential(
        [keras.Input((None,), dtype="int32"), keras.layers.Embedding(10, 4), keras.layers.Dense(3)]
    )
    model.compile("adam", keras.losses.SparseCategoricalCrossentropy(from_logits=True))
    with pytest.raises(Exception, match="expected"):
        model.fit(_Padded([5, 5, 7], open_shapes=False), epochs=1, verbose=0)
    model.fit(_Padded([5, 5, 7], open_shapes=True), epochs=1, verbose=0)
