"""The course runtime: run mode, reproducible seeds, and the one-line environment report.

Every notebook starts with ``rnn_course.setup()``. The run mode comes from the environment
variable ``RNN_COURSE_MODE``:

- ``full`` (the default) is what students run: real data sizes and epochs.
- ``fast`` is what CI runs: the same code on a subset and fewer steps.

Notebooks never test the mode themselves; they ask :func:`by_mode` for a value.
"""

from __future__ import annotations

import os
import platform
import random
from typing import TypeVar

import numpy as np

from rnn_course._native_logs import filter_native_logs, quiet_retracing_warnings

MODES = ("full", "fast")
MODE_VARIABLE = "RNN_COURSE_MODE"
DEFAULT_SEED = 0

T = TypeVar("T")


def get_mode() -> str:
    """Return the run mode, ``"full"`` or ``"fast"``, read from ``RNN_COURSE_MODE``.

    An unset or empty variable means ``"full"``. Case and surrounding spaces are ignored.

    Raises:
        ValueError: the variable holds anything else.
    """
    raw = os.environ.get(MODE_VARIABLE, "")
    mode = raw.strip().lower() or "full"
    if mode not in MODES:
        raise ValueError(
            f"{MODE_VARIABLE}={raw!r} is not a run mode. Expected one of {', '.join(MODES)} "
            f"(unset means 'full'). Example: {MODE_VARIABLE}=fast jupyter lab"
        )
    return mode


def by_mode(*, full: T, fast: T) -> T:
    """Return ``full`` or ``fast`` according to the current run mode.

    This is the only place a notebook's behaviour depends on the mode::

        epochs = rnn_course.by_mode(full=20, fast=2)

    Raises:
        TypeError: ``full`` and ``fast`` are plain values of different kinds (a number and a
            string, a bool and a number), which is always a typo. None on either side, and any
            other objects (arrays, datasets), are not checked.
        ValueError: ``RNN_COURSE_MODE`` holds a value that is not a mode.
    """
    kinds = (_plain_kind(full), _plain_kind(fast))
    if None not in kinds and kinds[0] != kinds[1]:
        raise TypeError(
            f"by_mode: full= and fast= must be values of the same kind, one for each mode; got "
            f"full={full!r} ({kinds[0]}) and fast={fast!r} ({kinds[1]})."
        )
    return full if get_mode() == "full" else fast


def _plain_kind(value) -> str | None:
    """The kind of a plain scalar for :func:`by_mode`; None for anything else."""
    if isinstance(value, (bool, np.bool_)):
        return "a bool"
    if isinstance(value, (int, float, np.integer, np.floating)):
        return "a number"
    if isinstance(value, str):
        return "a string"
    return None


def _check_seed(func: str, seed) -> int:
    """A seed for every generator: an int in [0, 2**32), as NumPy's legacy seeding needs."""
    if isinstance(seed, (bool, np.bool_)) or not isinstance(seed, (int, np.integer)):
        raise TypeError(
            f"{func}: seed must be a non-negative integer below 2**32, got "
            f"{type(seed).__name__} {seed!r}."
        )
    if not 0 <= seed < 2**32:
        raise ValueError(f"{func}: seed must be a non-negative integer below 2**32, got {seed}.")
    return int(seed)


def set_seed(seed: int = DEFAULT_SEED) -> None:
    """Seed Python's, NumPy's and Keras's random generators (and so the backend's).

    Raises:
        TypeError, ValueError: ``seed`` is not an integer in ``[0, 2**32)``.
    """
    seed = _check_seed("set_seed", seed)
    import keras

    random.seed(seed)
    np.random.seed(seed)
    keras.utils.set_random_seed(seed)


def device_name() -> str:
    """Describe the device that Keras computes on: a GPU's name, or ``CPU``."""
    import keras

    backend = keras.backend.backend()
    try:
        if backend == "tensorflow":
            import tensorflow as tf

            gpus = tf.config.list_physical_devices("GPU")
            if gpus:
                details = tf.config.experimental.get_device_details(gpus[0])
                return f"GPU ({details.get('device_name', gpus[0].name)})"
        elif backend == "jax":
            import jax

            gpus = [d for d in jax.devices() if d.platform == "gpu"]
            if gpus:
                return f"GPU ({gpus[0].device_kind})"
        elif backend == "torch":
            import torch

            if torch.cuda.is_available():
                return f"GPU ({torch.cuda.get_device_name(0)})"
    except Exception:  # a device query must never stop a notebook
        pass
    return "CPU"


def environment_line(mode: str | None = None) -> str:
    """The one-line report that :func:`setup` prints; ``mode`` defaults to the current one."""
    if mode is not None and mode not in MODES:
        raise ValueError(f"environment_line: mode must be None or one of {MODES}, got {mode!r}.")
    import keras

    mode = mode or get_mode()
    backend = keras.backend.backend()
    versions = [f"Python {platform.python_version()}", f"Keras {keras.__version__}"]
    try:
        backend_module = __import__({"tensorflow": "tensorflow"}.get(backend, backend))
        versions.append(f"{backend} {backend_module.__version__}")
    except ImportError:
        pass
    versions.append(f"NumPy {np.__version__}")
    return f"rnn_course: mode={mode} | backend={backend} | device={device_name()} | " + ", ".join(
        versions
    )


def setup(seed: int = DEFAULT_SEED, *, verbose: bool = True) -> str:
    """Prepare a notebook: check the mode, seed every generator, print the environment.

    Call it before importing Keras in a notebook: it loads Keras (and TensorFlow) itself with
    TensorFlow's native start-up log lines filtered out, so the student sees one line, and
    TensorFlow's warning about retracing a function for new input shapes silenced.

    Args:
        seed: the seed for Python, NumPy and Keras (and so the backend).
        verbose: print the environment line.

    Returns:
        The run mode, ``"full"`` or ``"fast"``.

    Raises:
        ValueError: ``RNN_COURSE_MODE`` holds a value that is not a mode.
        TypeError, ValueError: ``seed`` is not an integer in ``[0, 2**32)``, or ``verbose`` is
            not a bool.
    """
    seed = _check_seed("setup", seed)
    if not isinstance(verbose, (bool, np.bool_)):
        raise TypeError(
            f"setup: verbose must be True or False, got {type(verbose).__name__} {verbose!r}."
        )
    mode = get_mode()
    # Loading Keras (and so TensorFlow) and probing for a GPU print native log lines that
    # are not the student's concern; any other line still reaches stderr.
    with filter_native_logs():
        set_seed(seed)
        line = environment_line(mode)
        import keras

        keras.ops.convert_to_numpy(keras.ops.zeros((1,)))  # the backend's first op probes CUDA
    quiet_retracing_warnings()
    if verbose:
        print(line)
    return mode
