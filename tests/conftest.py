"""pytest configuration shared by the unit tests and the nbval run of the notebooks."""

import os

# Tests and the notebook kernels they start run in fast mode unless told otherwise.
os.environ.setdefault("RNN_COURSE_MODE", "fast")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")


def pytest_collectstart(collector):
    """Do not compare stderr (TensorFlow's log lines, warnings) in checked notebook cells."""
    if collector.fspath and collector.fspath.ext == ".ipynb":
        collector.skip_compare += ("stderr",)
