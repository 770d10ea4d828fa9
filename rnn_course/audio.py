"""Audio as sequences: log-mel features, padding, joined digit utterances and CTC scoring.

Notebook 10 uses these helpers around the lesson's own code:

- :func:`log_mel_spectrograms`: one ``(frames, bins)`` log-mel spectrogram per waveform, computed
  with ``keras.layers.MelSpectrogram`` (a short-time Fourier transform, a mel filter bank,
  decibels), in batches of similar length;
- :func:`normalize_utterance`: per-utterance normalisation (each bin to mean 0, variance 1 over
  the utterance's frames);
- :func:`pad_features`: a list of variable-length feature sequences as one zero-padded batch and
  its lengths;
- :func:`join_recordings`: utterances of several spoken digits, built by joining recordings with
  short gaps of silence (seeded);
- :func:`ctc_collapse`, :func:`edit_distance`, :func:`digit_error_rate` and
  :func:`sequence_accuracy`: CTC's collapse rule and the scores of a sequence recogniser.

Everything runs on any Keras backend (keras.ops only) and returns NumPy arrays.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

__all__ = [
    "ctc_collapse",
    "digit_error_rate",
    "edit_distance",
    "join_recordings",
    "log_mel_spectrograms",
    "normalize_utterance",
    "pad_features",
    "sequence_accuracy",
]


# --- features --------------------------------------------------------------------------------


def _check_waves(where: str, waves) -> list[np.ndarray]:
    """``waves`` as a non-empty list of 1-D float32 arrays, each at least one sample long."""
    if isinstance(waves, np.ndarray) and waves.ndim == 1 and waves.dtype != object:
        raise ValueError(
            f"{where}: waves must be a list of 1-D waveforms (or a 2-D array, one per row); got "
            f"one 1-D array of shape {waves.shape}: wrap it in a list, [wave]"
        )
    if isinstance(waves, (str, bytes)) or not isinstance(waves, (Sequence, np.ndarray)):
        raise TypeError(
            f"{where}: waves must be a list of 1-D arrays of samples, got {type(waves).__name__}"
        )
    result = []
    for i, wave in enumerate(waves):
        array = np.asarray(wave)
        if array.ndim != 1 or array.size == 0:
            raise ValueError(
                f"{where}: waves[{i}] must be a non-empty 1-D array of samples, got shape "
                f"{array.shape}"
            )
        if not (np.issubdtype(array.dtype, np.floating) or np.issubdtype(array.dtype, np.integer)):
            raise TypeError(f"{where}: waves[{i}] must hold real numbers, got {array.dtype}")
        result.append(array.astype(np.float32))
    if not result:
        raise ValueError(f"{where}: waves is empty")
    return result


def _positive(where: str, name: str, value, kind=(int, float, np.integer, np.floating)) -> None:
    if isinstance(value, bool) or not isinstance(value, kind) or not value > 0:
        raise ValueError(f"{where}: {name} must be a positive number, got {value!r}")


def log_mel_spectrograms(
    waves,
    sample_rate: int = 8000,
    *,
    num_mel_bins: int = 40,
    frame_ms: float = 25.0,
    hop_ms: float = 10.0,
    top_db: float = 80.0,
    batch_size: int = 256,
) -> list[np.ndarray]:
    """Log-mel spectrograms (dB) of waveforms of any lengths, by ``keras.layers.MelSpectrogram``.

    Each waveform is cut into frames of ``frame_ms`` every ``hop_ms`` (Hann window, zero-padded
    to the next power of two for the FFT, frames centred on ``hop * t``), each frame's power
    spectrum is pooled by ``num_mel_bins`` triangular mel filters from 20 Hz to
    ``sample_rate / 2``, and converted to decibels, ``10 log10(power)``, clipped at ``top_db``
    below the utterance's own maximum (so each utterance has its own floor, whatever its
    neighbours in a batch). A waveform of ``n`` samples gives ``1 + n // hop`` frames.

    Waveforms are processed in batches of similar length (zero-padded to the batch's longest),
    and every result is cut back to its own frames.

    Args:
        waves: a list of 1-D waveforms (or a 2-D array, one per row), samples in [-1, 1].
        sample_rate: samples per second (FSDD: 8000).
        num_mel_bins: mel filters (feature size).
        frame_ms, hop_ms: frame length and hop in milliseconds (at 8 kHz: 200 and 80 samples).
        top_db: dynamic range kept below each utterance's loudest bin, in dB.
        batch_size: waveforms per call of the layer.

    Returns:
        A list with one float32 array ``(frames, num_mel_bins)`` per waveform, in input order.

    Example:
        >>> feats = log_mel_spectrograms([np.zeros(8000, "float32")], 8000)
        >>> feats[0].shape
        (101, 40)
    """
    import keras

    where = "log_mel_spectrograms"
    waves = _check_waves(where, waves)
    for name, value in (
        ("sample_rate", sample_rate),
        ("frame_ms", frame_ms),
        ("hop_ms", hop_ms),
        ("top_db", top_db),
    ):
        _positive(where, name, value)
    for name, value in (("num_mel_bins", num_mel_bins), ("batch_size", batch_size)):
        _positive(where, name, value, kind=(int, np.integer))
    frame = int(round(sample_rate * frame_ms / 1000))
    hop = int(round(sample_rate * hop_ms / 1000))
    if frame < 2 or hop < 1:
        raise ValueError(
            f"{where}: frame_ms={frame_ms} and hop_ms={hop_ms} give {frame} and {hop} samples at "
            f"{sample_rate} Hz; a frame needs at least 2 samples and a hop at least 1"
        )
    fft_length = 1 << (frame - 1).bit_length()  # next power of two
    layer = keras.layers.MelSpectrogram(
        fft_length=fft_length,
        sequence_stride=hop,
        sequence_length=frame,
        sampling_rate=sample_rate,
        num_mel_bins=num_mel_bins,
        min_freq=20.0,
        max_freq=sample_rate / 2,
        power_to_db=False,
    )
    lengths = np.array([len(w) for w in waves])
    order = np.argsort(lengths, kind="stable")
    quantum = 4 * hop  # pad batches to a multiple of this: fewer distinct shapes
    result: list[np.ndarray | None] = [None] * len(waves)
    for start in range(0, len(waves), batch_size):
        chosen = order[start : start + batch_size]
        width = int(-(-lengths[chosen].max() // quantum) * quantum)
        batch = np.zeros((len(chosen), width), dtype=np.float32)
        for row, i in enumerate(chosen):
            batch[row, : lengths[i]] = waves[i]
        power = keras.ops.convert_to_numpy(layer(batch))  # (batch, bins, frames)
        for row, i in enumerate(chosen):
            frames = power[row, :, : 1 + lengths[i] // hop].T
            db = 10.0 * np.log10(np.maximum(frames, 1e-10))
            result[i] = np.maximum(db, db.max() - top_db).astype(np.float32)
    return result


def normalize_utterance(features, epsilon: float = 1e-5) -> np.ndarray:
    """Normalise one utterance's features: each bin to mean 0 and variance 1 over its frames.

    ``(x - mean_t x) / sqrt(var_t x + epsilon)``, statistics per feature bin over the time axis
    (axis 0) of this utterance alone, so that loudness, microphone and speaker offsets that are
    constant over the utterance are removed. A constant bin becomes 0, not NaN.

    Args:
        features: ``(frames, bins)`` array.
        epsilon: added to the variance.

    Returns:
        float32 array of the same shape.
    """
    x = np.asarray(features)
    if x.ndim != 2 or x.shape[0] < 1 or x.shape[1] < 1:
        raise ValueError(
            f"normalize_utterance: features must be one utterance, shape (frames, bins), got "
            f"shape {x.shape}"
        )
    if not np.issubdtype(x.dtype, np.number) or np.iscomplexobj(x):
        raise TypeError(f"normalize_utterance: features must be real numbers, got {x.dtype}")
    _positive("normalize_utterance", "epsilon", epsilon)
    x = x.astype(np.float64)
    mean = x.mean(axis=0, keepdims=True)
    var = x.var(axis=0, keepdims=True)
    return ((x - mean) / np.sqrt(var + epsilon)).astype(np.float32)


def pad_features(
    features, *, value: float = 0.0, multiple: int = 1
) -> tuple[np.ndarray, np.ndarray]:
    """Stack variable-length feature sequences into one batch, padded at the end.

    Args:
        features: a list of ``(frames_i, bins)`` arrays, the same ``bins``.
        value: what padded frames hold.
        multiple: pad the time axis up to a multiple of this (e.g. a convolution's stride).

    Returns:
        ``(batch, lengths)``: float32 ``(n, T, bins)`` with ``T`` the longest (rounded up to
        ``multiple``), and int32 ``(n,)`` of each sequence's frames.
    """
    where = "pad_features"
    if isinstance(features, np.ndarray) and features.ndim == 3:
        features = list(features)
    if isinstance(features, (str, bytes)) or not isinstance(features, Sequence) or not features:
        raise ValueError(f"{where}: features must be a non-empty list of (frames, bins) arrays")
    _positive(where, "multiple", multiple, kind=(int, np.integer))
    arrays = [np.asarray(f) for f in features]
    for i, a in enumerate(arrays):
        if a.ndim != 2 or a.shape[0] < 1:
            raise ValueError(
                f"{where}: features[{i}] must have shape (frames, bins) with frames >= 1, got "
                f"{a.shape}"
            )
        if a.shape[1] != arrays[0].shape[1]:
            raise ValueError(
                f"{where}: every sequence needs the same number of bins; features[0] has "
                f"{arrays[0].shape[1]}, features[{i}] has {a.shape[1]}"
            )
    lengths = np.array([a.shape[0] for a in arrays], dtype=np.int32)
    width = int(-(-lengths.max() // multiple) * multiple)
    batch = np.full((len(arrays), width, arrays[0].shape[1]), value, dtype=np.float32)
    for i, a in enumerate(arrays):
        batch[i, : len(a)] = a
    return batch, lengths


# --- utterances of several digits ------------------------------------------------------------


def join_recordings(
    waves,
    labels,
    n_utterances: int,
    *,
    digits: tuple[int, int] = (2, 5),
    gap_s: tuple[float, float] = (0.05, 0.25),
    sample_rate: int = 8000,
    seed: int | np.random.Generator = 0,
) -> tuple[list[np.ndarray], list[np.ndarray]]:
    """Build utterances of several spoken digits by joining recordings with short silences.

    For each utterance: draw its number of digits uniformly from ``digits`` (both ends
    included), draw that many recordings uniformly with replacement from ``waves``, and
    concatenate them with a silence (zeros) of a uniform random length in ``gap_s`` before,
    between and after them. Only the recordings given are used: build test utterances from
    test recordings alone.

    Args:
        waves: the recordings, a list of 1-D arrays.
        labels: the digit of each recording (integers 0-9).
        n_utterances: how many utterances to build.
        digits: (fewest, most) digits an utterance.
        gap_s: (shortest, longest) silence in seconds.
        sample_rate: samples per second.
        seed: an integer seed or a NumPy Generator (the same seed gives the same utterances).

    Returns:
        ``(utterances, transcripts)``: float32 waveforms, and for each its digits as an int64
        array.
    """
    where = "join_recordings"
    waves = _check_waves(where, waves)
    labels = np.asarray(labels)
    if labels.shape != (len(waves),) or not np.issubdtype(labels.dtype, np.integer):
        raise ValueError(
            f"{where}: labels must be one integer digit per recording, shape ({len(waves)},); "
            f"got shape {labels.shape}, dtype {labels.dtype}"
        )
    if labels.min() < 0 or labels.max() > 9:
        raise ValueError(f"{where}: labels must be digits 0-9, got values {np.unique(labels)}")
    if isinstance(n_utterances, bool) or not isinstance(n_utterances, (int, np.integer)):
        raise TypeError(f"{where}: n_utterances must be an integer, got {n_utterances!r}")
    if n_utterances < 1:
        raise ValueError(f"{where}: n_utterances must be at least 1, got {n_utterances}")
    low, high = _pair(where, "digits", digits)
    if not all(isinstance(d, (int, np.integer)) for d in digits) or low < 1:
        raise ValueError(f"{where}: digits must be two integers 1 <= fewest <= most, got {digits}")
    gap_low, gap_high = _pair(where, "gap_s", gap_s)
    if gap_low < 0:
        raise ValueError(
            f"{where}: gap_s must be two lengths 0 <= shortest <= longest, got {gap_s}"
        )
    _positive(where, "sample_rate", sample_rate)
    if isinstance(seed, np.random.Generator):
        rng = seed
    elif isinstance(seed, (int, np.integer)) and not isinstance(seed, bool):
        rng = np.random.default_rng(int(seed))
    else:
        raise TypeError(f"{where}: seed must be an integer or a numpy Generator, got {seed!r}")

    utterances, transcripts = [], []
    for _ in range(n_utterances):
        count = int(rng.integers(low, high + 1))
        chosen = rng.integers(0, len(waves), size=count)
        gaps = rng.uniform(gap_low, gap_high, size=count + 1)
        parts = [np.zeros(int(gaps[0] * sample_rate), np.float32)]
        for i, gap in zip(chosen, gaps[1:], strict=True):
            parts += [waves[i], np.zeros(int(gap * sample_rate), np.float32)]
        utterances.append(np.concatenate(parts))
        transcripts.append(labels[chosen].astype(np.int64))
    return utterances, transcripts


def _pair(where: str, name: str, value) -> tuple[float, float]:
    try:
        low, high = value
        ok = float(low) <= float(high)
    except (TypeError, ValueError):
        ok = False
    if not ok:
        raise ValueError(
            f"{where}: {name} must be a pair (low, high) with low <= high, got {value!r}"
        )
    return low, high


# --- CTC and its scores ----------------------------------------------------------------------


def _as_ids(where: str, name: str, seq) -> list[int]:
    """A 1-D sequence of integer ids as a list of Python ints."""
    if isinstance(seq, (str, bytes)):
        raise TypeError(f"{where}: {name} must be a sequence of integer ids, got a string {seq!r}")
    array = np.asarray(seq)
    if array.ndim != 1:
        raise ValueError(f"{where}: {name} must be 1-D, got shape {array.shape}")
    if array.size and not np.issubdtype(array.dtype, np.integer):
        raise TypeError(f"{where}: {name} must hold integer ids, got dtype {array.dtype}")
    return [int(v) for v in array]


def ctc_collapse(path, blank: int = 0) -> list[int]:
    """CTC's collapse rule: merge runs of the same label, then drop the blanks.

    ``[3, 3, 0, 3, 5, 5, 0, 0]`` with ``blank=0`` gives ``[3, 3, 5]``: the blank between the
    two 3s keeps them apart, while the repeated 5s merge into one.

    Args:
        path: the label chosen at each frame (1-D integer ids).
        blank: the blank's id (``keras.losses.CTC`` uses 0).

    Returns:
        The labels the path stands for, as a list of ints.
    """
    ids = _as_ids("ctc_collapse", "path", path)
    result, previous = [], None
    for label in ids:
        if label != previous and label != blank:
            result.append(label)
        previous = label
    return result


def edit_distance(reference, hypothesis) -> int:
    """Levenshtein distance: the fewest substitutions, deletions and insertions between two.

    Args:
        reference, hypothesis: 1-D integer sequences (e.g. digits).

    Returns:
        The distance, an int.
    """
    ref = _as_ids("edit_distance", "reference", reference)
    hyp = _as_ids("edit_distance", "hypothesis", hypothesis)
    previous = list(range(len(hyp) + 1))  # distances from ref[:0] to each prefix of hyp
    for i, r in enumerate(ref, start=1):
        current = [i]
        for j, h in enumerate(hyp, start=1):
            current.append(min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (r != h)))
        previous = current
    return previous[-1]


def _pairs(where: str, references, hypotheses) -> tuple[list, list]:
    refs, hyps = list(references), list(hypotheses)
    if not refs:
        raise ValueError(f"{where}: references is empty")
    if len(refs) != len(hyps):
        raise ValueError(
            f"{where}: one hypothesis per reference: got {len(refs)} references and "
            f"{len(hyps)} hypotheses"
        )
    return refs, hyps


def digit_error_rate(references, hypotheses) -> float:
    """Edit distance summed over utterances, over the number of reference digits.

    The speech field's word (or character) error rate, for digits: substitutions + deletions +
    insertions, divided by the reference length. It can exceed 1 when a recogniser inserts a lot.
    """
    refs, hyps = _pairs("digit_error_rate", references, hypotheses)
    total = sum(len(_as_ids("digit_error_rate", "reference", r)) for r in refs)
    if total == 0:
        raise ValueError("digit_error_rate: the references hold no digits")
    return sum(edit_distance(r, h) for r, h in zip(refs, hyps, strict=True)) / total


def sequence_accuracy(references, hypotheses) -> float:
    """Share of utterances whose whole digit sequence is recognised exactly."""
    refs, hyps = _pairs("sequence_accuracy", references, hypotheses)
    right = 0
    for r, h in zip(refs, hyps, strict=True):
        right += _as_ids("sequence_accuracy", "reference", r) == _as_ids(
            "sequence_accuracy", "hypothesis", h
        )
    return right / len(refs)
