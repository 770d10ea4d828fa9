"""rnn_course.audio: log-mel features, normalisation, padding, joined utterances, CTC scores."""

import numpy as np
import pytest

from rnn_course import audio

SR = 8000


def _tone(freq, seconds, sr=SR, amplitude=0.5):
    t = np.arange(int(seconds * sr)) / sr
    return (amplitude * np.sin(2 * np.pi * freq * t)).astype(np.float32)


# --- log_mel_spectrograms ----------------------------------------------------------------------


def test_log_mel_shapes_follow_the_hop_and_keep_input_order():
    waves = [_tone(500, 0.3), _tone(1500, 1.0), _tone(3000, 0.05)]
    feats = audio.log_mel_spectrograms(waves, SR, batch_size=2)
    assert [f.shape for f in feats] == [(1 + len(w) // 80, 40) for w in waves]
    assert all(f.dtype == np.float32 for f in feats)
    # a higher tone puts its energy in a higher mel bin
    peaks = [int(np.argmax(f[len(f) // 2])) for f in feats]
    assert peaks[0] < peaks[1] < peaks[2]


def test_log_mel_matches_the_keras_layer_in_db():
    import keras

    wave = np.random.default_rng(0).normal(scale=0.1, size=4000).astype(np.float32)
    (ours,) = audio.log_mel_spectrograms([wave], SR, top_db=200.0)
    layer = keras.layers.MelSpectrogram(
        fft_length=256,
        sequence_stride=80,
        sequence_length=200,
        sampling_rate=SR,
        num_mel_bins=40,
        min_freq=20.0,
        max_freq=4000.0,
        power_to_db=True,
        top_db=200.0,
        min_power=1e-10,
    )
    expected = keras.ops.convert_to_numpy(layer(wave[None]))[0].T
    assert ours.shape == expected.shape
    # the last frames reach into the zeros that pad a batch, where the layer reflects the signal
    np.testing.assert_allclose(ours[:-2], expected[:-2], atol=1e-3)


def test_log_mel_does_not_depend_on_the_batch_and_clips_per_utterance():
    loud, quiet = _tone(440, 0.5, amplitude=0.9), _tone(440, 0.5, amplitude=0.001)
    together = audio.log_mel_spectrograms([loud, quiet], SR)
    apart = [audio.log_mel_spectrograms([w], SR)[0] for w in (loud, quiet)]
    for a, b in zip(together, apart, strict=True):
        np.testing.assert_allclose(a, b, atol=1e-3)
        assert a.max() - a.min() <= 80.0 + 1e-3


@pytest.mark.parametrize(
    "waves, kwargs, error, match",
    [
        (np.zeros(100, np.float32), {}, ValueError, "wrap it in a list"),
        ("abc", {}, TypeError, "list of 1-D arrays"),
        ([], {}, ValueError, "empty"),
        ([np.zeros((2, 100))], {}, ValueError, r"waves\[0\]"),
        ([np.array([], np.float32)], {}, ValueError, "non-empty"),
        ([np.array(["a", "b"])], {}, TypeError, "real numbers"),
        ([np.zeros(800)], {"sample_rate": 0}, ValueError, "sample_rate"),
        ([np.zeros(800)], {"num_mel_bins": 2.5}, ValueError, "num_mel_bins"),
        ([np.zeros(800)], {"hop_ms": -1}, ValueError, "hop_ms"),
        ([np.zeros(800)], {"frame_ms": 0.01}, ValueError, "at least 2 samples"),
    ],
)
def test_log_mel_bad_inputs(waves, kwargs, error, match):
    with pytest.raises(error, match=match):
        audio.log_mel_spectrograms(waves, **({"sample_rate": SR} | kwargs))


# --- normalize_utterance -----------------------------------------------------------------------


def test_normalize_utterance_per_bin_over_time():
    rng = np.random.default_rng(1)
    x = rng.normal(loc=[5.0, -3.0, 100.0], scale=[1.0, 4.0, 0.1], size=(50, 3))
    y = audio.normalize_utterance(x)
    assert y.shape == x.shape and y.dtype == np.float32
    np.testing.assert_allclose(y.mean(axis=0), 0, atol=1e-5)
    np.testing.assert_allclose(y.std(axis=0), 1, atol=1e-3)
    constant = audio.normalize_utterance(np.ones((4, 2)))
    assert np.all(constant == 0)
    assert x[0, 0] != y[0, 0]  # a new array; the input is untouched


@pytest.mark.parametrize(
    "features, error",
    [
        (np.zeros(5), ValueError),
        (np.zeros((0, 3)), ValueError),
        (np.zeros((2, 3, 4)), ValueError),
        (np.array([["a"]]), TypeError),
        (np.ones((2, 2), complex), TypeError),
    ],
)
def test_normalize_utterance_bad_inputs(features, error):
    with pytest.raises(error, match="normalize_utterance"):
        audio.normalize_utterance(features)


# --- pad_features ------------------------------------------------------------------------------


def test_pad_features_pads_at_the_end_to_a_multiple():
    a, b = np.ones((3, 2)), 2 * np.ones((5, 2))
    batch, lengths = audio.pad_features([a, b], multiple=4, value=-1.0)
    assert batch.shape == (2, 8, 2) and batch.dtype == np.float32
    assert lengths.tolist() == [3, 5] and lengths.dtype == np.int32
    assert np.all(batch[0, :3] == 1) and np.all(batch[0, 3:] == -1) and np.all(batch[1, 5:] == -1)


@pytest.mark.parametrize(
    "features, kwargs, match",
    [
        ([], {}, "non-empty list"),
        ([np.ones((3, 2)), np.ones((3, 4))], {}, "same number of bins"),
        ([np.ones(3)], {}, r"features\[0\]"),
        ([np.ones((0, 2))], {}, "frames >= 1"),
        ([np.ones((3, 2))], {"multiple": 0}, "multiple"),
    ],
)
def test_pad_features_bad_inputs(features, kwargs, match):
    with pytest.raises(ValueError, match=match):
        audio.pad_features(features, **kwargs)


# --- join_recordings ---------------------------------------------------------------------------


def _recordings():
    waves = [np.full(100 + 10 * d, d + 1, np.float32) for d in range(10)]
    return waves, np.arange(10)


def test_join_recordings_is_seeded_and_joins_with_gaps():
    waves, labels = _recordings()
    utts, texts = audio.join_recordings(waves, labels, 20, digits=(2, 5), gap_s=(0.01, 0.02))
    again, texts_again = audio.join_recordings(waves, labels, 20, digits=(2, 5), gap_s=(0.01, 0.02))
    assert all(np.array_equal(a, b) for a, b in zip(utts, again, strict=True))
    assert all(np.array_equal(a, b) for a, b in zip(texts, texts_again, strict=True))
    assert {len(t) for t in texts} <= {2, 3, 4, 5} and len({len(t) for t in texts}) > 1
    for utt, text in zip(utts, texts, strict=True):
        # the non-silent runs of the waveform are the recordings of the digits, in order
        edges = np.flatnonzero(np.diff(np.concatenate([[0], utt, [0]]) != 0))
        runs = [utt[s] for s in edges[::2]]
        assert [int(r) - 1 for r in runs] == text.tolist()
        assert utt[:80].max() == 0 and utt[-80:].max() == 0  # >= 10 ms of silence each end
    other, _ = audio.join_recordings(waves, labels, 20, seed=1)
    assert not all(
        len(a) == len(b) and np.array_equal(a, b) for a, b in zip(utts, other, strict=True)
    )


@pytest.mark.parametrize(
    "args, kwargs, error, match",
    [
        ((np.arange(3),), {}, ValueError, "one integer digit per recording"),
        ((np.arange(10) + 5,), {}, ValueError, "digits 0-9"),
        ((np.arange(10), 0), {}, ValueError, "at least 1"),
        ((np.arange(10), 2.0), {}, TypeError, "integer"),
        ((np.arange(10), 2), {"digits": (3, 2)}, ValueError, "digits"),
        ((np.arange(10), 2), {"digits": (0, 2)}, ValueError, "fewest"),
        ((np.arange(10), 2), {"gap_s": (-1, 0.1)}, ValueError, "gap_s"),
        ((np.arange(10), 2), {"seed": "x"}, TypeError, "seed"),
    ],
)
def test_join_recordings_bad_inputs(args, kwargs, error, match):
    waves, _ = _recordings()
    labels, *rest = args
    n = rest[0] if rest else 3
    with pytest.raises(error, match=match):
        audio.join_recordings(waves, labels, n, **kwargs)


# --- CTC collapse and scores -------------------------------------------------------------------


@pytest.mark.parametrize(
    "path, expected",
    [
        ([3, 3, 0, 3, 5, 5, 0, 0], [3, 3, 5]),
        ([0, 0, 0], []),
        ([], []),
        ([1, 2, 2, 2, 1], [1, 2, 1]),
        ([0, 7, 0, 7, 7, 0], [7, 7]),
    ],
)
def test_ctc_collapse(path, expected):
    assert audio.ctc_collapse(path) == expected


def test_ctc_collapse_agrees_with_keras_greedy_decoder():
    import keras

    rng = np.random.default_rng(3)
    paths = rng.integers(0, 4, size=(6, 12))
    logits = np.where(np.eye(4, dtype=bool)[paths], 5.0, 0.0).astype(np.float32)
    decoded, _ = keras.ops.ctc_decode(logits, np.full(6, 12), strategy="greedy", mask_index=0)
    decoded = keras.ops.convert_to_numpy(decoded)[0]
    for path, row in zip(paths, decoded, strict=True):
        assert audio.ctc_collapse(path) == row[row >= 0].tolist()
    assert audio.ctc_collapse([2, 2, 4], blank=4) == [2]


@pytest.mark.parametrize(
    "ref, hyp, distance",
    [
        ([1, 2, 3], [1, 2, 3], 0),
        ([1, 2, 3], [1, 3], 1),
        ([1, 2, 3], [1, 2, 4, 3], 1),
        ([1, 2, 3], [3, 2, 1], 2),
        ([], [4, 5], 2),
        ([4, 5], [], 2),
        ([1, 2, 3, 4], [2, 3, 4, 1], 2),
    ],
)
def test_edit_distance(ref, hyp, distance):
    assert audio.edit_distance(ref, hyp) == distance
    assert audio.edit_distance(np.array(hyp, dtype=int), ref) == distance


def test_digit_error_rate_and_sequence_accuracy():
    refs = [[1, 2, 3], [4, 5], [6, 7, 8, 9, 0]]
    hyps = [[1, 2, 3], [4], [6, 7, 8, 8, 9, 0]]
    assert audio.digit_error_rate(refs, hyps) == pytest.approx(2 / 10)
    assert audio.sequence_accuracy(refs, hyps) == pytest.approx(1 / 3)
    assert audio.digit_error_rate(refs, refs) == 0.0


@pytest.mark.parametrize(
    "func, args, error, match",
    [
        (audio.ctc_collapse, ("123",), TypeError, "string"),
        (audio.ctc_collapse, ([[1, 2]],), ValueError, "1-D"),
        (audio.ctc_collapse, ([0.5, 1.0],), TypeError, "integer ids"),
        (audio.edit_distance, ([1], [1.5]), TypeError, "hypothesis"),
        (audio.digit_error_rate, ([], []), ValueError, "empty"),
        (audio.digit_error_rate, ([[1]], [[1], [2]]), ValueError, "one hypothesis per reference"),
        (audio.digit_error_rate, ([[]], [[1]]), ValueError, "no digits"),
        (audio.sequence_accuracy, ([[1]], []), ValueError, "one hypothesis"),
    ],
)
def test_scores_bad_inputs(func, args, error, match):
    with pytest.raises(error, match=match):
        func(*args)
