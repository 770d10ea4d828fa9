"""The package's front door: every advertised name resolves, and importing it is instant."""

import subprocess
import sys

import pytest

import rnn_course


@pytest.mark.parametrize("name", rnn_course.__all__)
def test_every_public_name_resolves(name):
    assert getattr(rnn_course, name) is not None


def test_unknown_names_are_an_attribute_error():
    with pytest.raises(AttributeError, match="no attribute 'LTSM'"):
        rnn_course.LTSM  # noqa: B018


def test_importing_the_package_loads_no_framework():
    code = "import sys, rnn_course; print([m for m in ('keras', 'tensorflow') if m in sys.modules])"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.stdout.strip() == "[]", result.stdout + result.stderr
