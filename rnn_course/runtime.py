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

from rnn_course._native_logs import filter_native_logs

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
    """
    return full if get_mode() == "full" else fast


def set_seed(seed: int = DEFAULT_SEED) -> None:
    """Seed Python's, NumPy's and Keras's random generators (and so the backend's)."""
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
    """The one-line report that :func:`setup` prints."""
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
    TensorFlow's native start-up log lines filtered out, so the student sees one line.

    Args:
        seed: the seed for Python, NumPy and Keras (and so the backend).
        verbose: print the environment line.

    Returns:
        The run mode, ``"full"`` or ``"fast"``.

    Raises:
        ValueError: ``RNN_COURSE_MODE`` holds a value that is not a mode.
    """
    mode = get_mode()
    # Loading Keras (and so TensorFlow) and probing for a GPU print native log lines that
    # are not the student's concern; any other line still reaches stderr.
    with filter_native_logs():
        set_seed(seed)
        line = environment_line(mode)
        import keras

        keras.ops.convert_to_numpy(keras.ops.zeros((1,)))  # the backend's first op probes CUDA
    if verbose:
        print(line)
    return mode
