"""pytest configuration for the unit tests (tests/) and the nbval run of the notebooks (notebooks/).

It sits at the project root so that it applies to both folders, and to a run of either alone.
"""

import os

# Tests and the notebook kernels they start run in fast mode unless told otherwise.
os.environ.setdefault("RNN_COURSE_MODE", "fast")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")


def pytest_collectstart(collector):
    """Do not compare stderr (TensorFlow's log lines, warnings) in checked notebook cells."""
    path = getattr(collector, "path", None)
    if path is not None and path.suffix == ".ipynb":
        collector.skip_compare += ("stderr",)
