"""Every notebook is stored as the course expects: executed top to bottom, with its anatomy.

nbval (run over notebooks/ by the same pytest command) re-executes each notebook and compares
checked cells; these tests check what nbval does not: how the notebook was stored and built.
"""

import re
import tomllib
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

from rnn_course.student import student_version

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))
HOMEPAGE = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["urls"]["Homepage"]
REPO = HOMEPAGE.removeprefix("https://github.com/")


def test_there_are_notebooks():
    assert NOTEBOOKS, "notebooks/ holds no notebook"


@pytest.fixture(params=NOTEBOOKS, ids=lambda p: p.name)
def notebook(request):
    return request.param, nbformat.read(request.param, as_version=4)


def _code(nb):
    return [c for c in nb.cells if c.cell_type == "code"]


def test_name_is_numbered(notebook):
    path, _ = notebook
    assert re.fullmatch(r"\d\d_[a-z0-9_]+\.ipynb", path.name)


def test_stored_outputs_come_from_one_run_top_to_bottom(notebook):
    path, nb = notebook
    counts = [c.execution_count for c in _code(nb)]
    assert None not in counts, f"{path.name}: some code cells were never executed"
    assert counts == list(range(1, len(counts) + 1)), f"{path.name}: not run in order: {counts}"
    for cell in _code(nb):
        for output in cell.outputs:
            assert output.output_type != "error", f"{path.name}: stored error: {output.evalue}"
            assert output.get("name") != "stderr", f"{path.name}: stored stderr: {output.text!r}"


def test_stored_outputs_are_from_full_mode(notebook):
    path, nb = notebook
    text = "".join(o.get("text", "") for c in _code(nb) for o in c.outputs)
    assert "mode=full" in text, f"{path.name}: execute it in full mode before committing"
    assert "mode=fast" not in text


def test_anatomy(notebook):
    path, nb = notebook
    title = nb.cells[0]
    assert title.cell_type == "markdown" and title.source.startswith("# ")
    badge = f"https://colab.research.google.com/github/{REPO}/blob/main/notebooks/{path.name}"
    assert badge in title.source, f"{path.name}: Colab badge must point at {badge}"
    for part in ("You will learn", "Run time"):
        assert part in title.source, f"{path.name}: title cell lacks '{part}'"
    install, setup = _code(nb)[:2]
    assert "google.colab" in install.source and f"git+{HOMEPAGE}" in install.source
    assert "rnn_course.setup(" in setup.source
    headings = [c.source.splitlines()[0] for c in nb.cells if c.cell_type == "markdown"]
    for heading in ("## Exercises", "## Summary", "## References"):
        assert heading in headings, f"{path.name}: no '{heading}' section"
    assert any("# NBVAL_CHECK_OUTPUT" in c.source for c in _code(nb))


def test_every_solution_has_a_self_check(notebook):
    path, nb = notebook
    cells = _code(nb)
    solutions = [i for i, c in enumerate(cells) if "# BEGIN SOLUTION" in c.source]
    assert solutions, f"{path.name}: no exercise with a solution"
    for i in solutions:
        follow = cells[i + 1].source if i + 1 < len(cells) else ""
        assert "check_" in follow and "# NBVAL_CHECK_OUTPUT" in follow, (
            f"{path.name}: the cell after solution cell {i} must run a checked self-check"
        )


def test_student_version_runs_top_to_bottom(notebook, monkeypatch):
    """The student version (solutions removed) executes without error in fast mode."""
    path, nb = notebook
    student, removed = student_version(nb)
    assert removed >= 1
    assert "# BEGIN SOLUTION" not in "".join(c.source for c in student.cells)
    monkeypatch.setenv("RNN_COURSE_MODE", "fast")
    resources = {"metadata": {"path": str(path.parent)}}
    client = NotebookClient(student, timeout=600, kernel_name="python3", resources=resources)
    client.execute()
    text = "".join(o.get("text", "") for c in _code(student) for o in c.outputs)
    assert text.count("TODO ") == removed
