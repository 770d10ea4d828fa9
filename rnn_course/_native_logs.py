"""Keep TensorFlow's native start-up log lines out of a student's notebook.

TensorFlow 2.21 writes C++ log lines to file descriptor 2 while it loads and when it first
looks for a GPU (``I0000 ... oneDNN custom operations are on``, ``Could not find cuda
drivers``, ``E0000 ... failed call to cuInit``). They are not errors of the student's code,
Jupyter shows them in red, and ``TF_CPP_MIN_LOG_LEVEL`` does not silence the ones written
before absl's logging is initialised. :func:`filter_native_logs` captures descriptor 2 while
a block runs and writes back every line that is *not* such a message, so nothing else is lost.
"""

from __future__ import annotations

import contextlib
import logging
import os
import re
import sys
import tempfile
from collections.abc import Iterator

# One pattern per kind of line TensorFlow prints while loading or probing for a GPU.
NOISE = re.compile(
    r"^(WARNING: All log messages before absl::InitializeLog\(\) is called"
    r"|[IW]\d{4} [\d:.]+\s+\d+ \w+\.cc:\d+\]"  # absl info/warning: I0000 00:00:... port.cc:153]
    r"|E\d{4} [\d:.]+\s+\d+ cuda_\w+\.cc:\d+\]"  # a CPU-only machine's "failed call to cuInit"
    r"|To enable the following instructions:"  # the continuation of cpu_feature_guard's line
    r")"
)


def is_noise(line: str) -> bool:
    """Whether ``line`` is one of TensorFlow's start-up log lines (see :data:`NOISE`)."""
    return bool(NOISE.match(line))


@contextlib.contextmanager
def filter_native_logs() -> Iterator[None]:
    """Run a block with descriptor 2 captured; re-emit what is not TensorFlow start-up noise."""
    try:
        sys.stderr.flush()
        saved = os.dup(2)
    except (OSError, ValueError):  # no usable descriptor 2: nothing to filter
        yield
        return
    with tempfile.TemporaryFile() as capture:
        os.dup2(capture.fileno(), 2)
        try:
            yield
        finally:
            os.dup2(saved, 2)
            os.close(saved)
            capture.seek(0)
            text = capture.read().decode("utf-8", errors="replace")
            kept = [line for line in text.splitlines() if line.strip() and not is_noise(line)]
            if kept:
                print("\n".join(kept), file=sys.stderr)


class _NotRetracing(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        return "triggered tf.function retracing" not in record.getMessage()


def quiet_retracing_warnings() -> None:
    """Drop TensorFlow's "N out of the last M calls ... triggered tf.function retracing" warning.

    Keras compiles ``predict_on_batch`` once per input shape; a decoder called on batches of
    different lengths (e.g. ``seq2seq.Translator``) retraces a few times on purpose, and the
    warning, written into the notebook's output, is not the student's concern. Every other
    message of the ``tensorflow`` logger is kept. Idempotent.
    """
    logger = logging.getLogger("tensorflow")
    if not any(isinstance(f, _NotRetracing) for f in logger.filters):
        logger.addFilter(_NotRetracing())
