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


# Each file's share of the run (a notebook's nbval cells add up to that notebook), printed at
# the end so that the growth of the suite is visible; CI's budget is 10 minutes per run.
_SECONDS: dict[str, float] = {}


def pytest_runtest_logreport(report):
    path = report.nodeid.split("::")[0]
    _SECONDS[path] = _SECONDS.get(path, 0.0) + report.duration


def pytest_terminal_summary(terminalreporter):
    total = sum(_SECONDS.values())
    if not total:
        return
    terminalreporter.section("time per file (notebooks: the nbval run of every cell)")
    for path, seconds in sorted(_SECONDS.items(), key=lambda item: -item[1]):
        terminalreporter.write_line(f"{seconds:7.1f} s  {100 * seconds / total:5.1f} %  {path}")
    terminalreporter.write_line(f"{total:7.1f} s  100.0 %  in all")


def pytest_collection_modifyitems(config, items):
    """The notebooks and nbgrader's test (the longest units of work) first, in their order.

    With ``-n 2`` (``make test``) each worker takes whole files; started first, the long ones
    no longer leave one worker running a notebook alone at the end while the other is idle.
    ``make test`` passes ``--no-loadscope-reorder`` so that pytest-xdist keeps this order.
    """
    heavy = {"test_nbgrader.py"}
    items.sort(key=lambda item: 0 if item.path.suffix == ".ipynb" or item.path.name in heavy else 1)
