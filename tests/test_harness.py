"""The nbval harness itself: what it lets through and what it catches.

A scratch notebook with stored outputs is run by pytest with the project's own nbval options,
sanitize file and conftest.py, as `make test` runs the course's notebooks.
"""

import re
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import nbformat
from nbformat.v4 import new_code_cell, new_notebook, new_output

ROOT = Path(__file__).resolve().parents[1]

CELLS = {
    # name: (source, stored stdout, expected result)
    "measured_number_differs": (
        "# NBVAL_CHECK_OUTPUT\nimport sys\nprint('PASS  a vs b: max |difference| < 1e-06 "
        "(measured 3.1e-08)')\nprint('TF log line', file=sys.stderr)",
        "PASS  a vs b: max |difference| < 1e-06 (measured 2.4e-07)\n",
        "PASSED",
    ),
    "timing_differs": (
        "# NBVAL_CHECK_OUTPUT\nprint('200/200 [==============================] - 3s 15ms/step')",
        "200/200 [==============================] - 5s 24ms/step\n",
        "PASSED",
    ),
    "unchecked_cell_differs": ("print('epoch 1: loss 2.7')", "epoch 1: loss 1.6\n", "PASSED"),
    "checked_shape_differs": (
        "# NBVAL_CHECK_OUTPUT\nprint('W_xh (4, 3)')",
        "W_xh (3, 4)\n",
        "FAILED",
    ),
    "checked_check_fails": (
        "# NBVAL_CHECK_OUTPUT\nprint('PASS  parameters: 92768')",
        "PASS  parameters: 92769\n",
        "FAILED",
    ),
    "cell_raises": ("raise AssertionError('outside the band')", "", "FAILED"),
}


def test_nbval_masks_noise_and_catches_real_changes(tmp_path):
    cells = []
    for count, (source, stored, _) in enumerate(CELLS.values(), start=1):
        cell = new_code_cell(source, execution_count=count)
        if stored:
            cell.outputs = [new_output("stream", name="stdout", text=stored)]
        cells.append(cell)
    nb = new_notebook(cells=cells)
    nb.metadata["kernelspec"] = {
        "name": "python3",
        "display_name": "Python 3",
        "language": "python",
    }
    nbformat.write(nb, tmp_path / "scratch.ipynb")
    shutil.copy(ROOT / "conftest.py", tmp_path / "conftest.py")

    options = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["pytest"]["ini_options"]
    addopts = [
        f"--nbval-sanitize-with={ROOT / 'tests' / 'sanitize.cfg'}"
        if opt.startswith("--nbval-sanitize-with")
        else opt
        for opt in options["addopts"]
    ]
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "-v",
            "-p",
            "no:randomly",
            "--rootdir",
            str(tmp_path),
            "-c",
            "/dev/null",
            *addopts,
            "scratch.ipynb",
        ],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=300,
    )
    outcomes = re.findall(r"::Cell (\d+) (PASSED|FAILED)", result.stdout)
    assert len(outcomes) == len(CELLS), result.stdout + result.stderr
    for (name, (_, _, expected)), (_, outcome) in zip(CELLS.items(), outcomes, strict=True):
        assert outcome == expected, (
            f"cell {name!r}: {outcome}, expected {expected}\n{result.stdout}"
        )
    assert result.returncode == 1
