"""Instructors grade with nbgrader: the course notebooks are valid nbgrader source notebooks.

These tests drive nbgrader itself (installed by the ``instructor`` extra): generate_assignment
on every notebook, and autograde on notebook 01's exercises for three students: one who
handed in the blank student version (0 points), one with a wrong answer (partial), and one
with right answers (full marks).
"""

from __future__ import annotations

import os
import re
import subprocess
import sys

import nbformat
import pytest

from rnn_course.student import BEGIN, END, is_solution_cell

from course_notebooks import NOTEBOOKS, ROOT, exercise_section

pytest.importorskip("nbgrader", reason="nbgrader is in the 'instructor' extra")
from nbgrader.api import Gradebook  # noqa: E402

# nbgrader runs the `alembic` command to set up its gradebook: find it beside this Python.
BIN = os.path.dirname(sys.executable)


@pytest.fixture(autouse=True)
def _venv_on_path(monkeypatch):
    monkeypatch.setenv("PATH", BIN + os.pathsep + os.environ.get("PATH", ""))


def nbgrader(course, *args):
    env = {k: v for k, v in os.environ.items() if k != "NBGRADER_EXECUTION"}
    env.setdefault("RNN_COURSE_MODE", "fast")
    env["PYTHONPATH"] = str(ROOT)  # the kernels import rnn_course from this checkout
    command = [sys.executable, "-m", "nbgrader", *args, f"--CourseDirectory.root={course}"]
    result = subprocess.run(command, cwd=course, env=env, capture_output=True, text=True)
    assert result.returncode == 0, f"nbgrader {' '.join(args)} failed:\n{result.stderr[-4000:]}"
    return result


def test_generate_assignment_accepts_every_notebook(tmp_path):
    source = tmp_path / "source" / "course"
    source.mkdir(parents=True)
    for path in NOTEBOOKS:
        (source / path.name).write_bytes(path.read_bytes())
    nbgrader(tmp_path, "generate_assignment", "course", "--force")
    for path in NOTEBOOKS:
        release = nbformat.read(tmp_path / "release" / "course" / path.name, as_version=4)
        text = "\n".join(c.source for c in release.cells)
        assert "BEGIN SOLUTION" not in text and "NotImplementedError" in text, path.name


def _replace_solutions(notebook, answers):
    """Put ``answers[grade_id]`` (a function body) into each solution cell's stub."""
    for cell in notebook.cells:
        grade_id = cell.metadata.get("nbgrader", {}).get("grade_id")
        if grade_id in answers:
            cell.source = re.sub(
                r"(?m)^(\s*)# YOUR CODE HERE\n\s*raise NotImplementedError\(\)",
                lambda m, body=answers[grade_id]: "\n".join(
                    m.group(1) + line for line in body.splitlines()
                ),
                cell.source,
            )
    return notebook


def _solutions(notebook):
    """Each solution cell's answer (the lines between its markers), by grade_id."""
    answers = {}
    for cell in notebook.cells:
        if cell.cell_type == "code" and is_solution_cell(cell):
            lines = cell.source.splitlines()
            begin = next(i for i, line in enumerate(lines) if BEGIN.match(line))
            end = next(i for i, line in enumerate(lines) if END.match(line))
            indent = len(lines[begin]) - len(lines[begin].lstrip())
            body = [line[indent:] for line in lines[begin + 1 : end]]
            answers[cell.metadata["nbgrader"]["grade_id"]] = "\n".join(body)
    return answers


def test_autograde_scores_blank_wrong_and_right_submissions(tmp_path):
    source_nb = exercise_section(nbformat.read(ROOT / "notebooks/01_vanilla_rnn.ipynb", 4))
    name = "01_exercises.ipynb"
    (tmp_path / "source" / "ps1").mkdir(parents=True)
    nbformat.write(source_nb, tmp_path / "source" / "ps1" / name)
    nbgrader(tmp_path, "generate_assignment", "ps1", "--force")
    release = nbformat.read(tmp_path / "release" / "ps1" / name, as_version=4)

    right = _solutions(source_nb)
    assert len(right) == 3, "notebook 01 has three exercises"
    wrong = dict(right, nb01_ex1_solution="return sum(n * (n + m + 1) for n in sizes) + k")
    submissions = {
        "blank": release,
        "wrong": _replace_solutions(nbformat.from_dict(release), wrong),
        "right": _replace_solutions(nbformat.from_dict(release), right),
    }
    for student, notebook in submissions.items():
        folder = tmp_path / "submitted" / student / "ps1"
        folder.mkdir(parents=True)
        nbformat.write(notebook, folder / name)

    nbgrader(tmp_path, "autograde", "ps1", "--force", "--Autograde.create_student=True")
    with Gradebook(f"sqlite:///{tmp_path / 'gradebook.db'}") as gradebook:
        scores = {s: gradebook.find_submission("ps1", s).score for s in submissions}
        max_score = gradebook.find_assignment("ps1").max_score
    assert max_score == 3
    assert scores == {"blank": 0, "wrong": 2, "right": 3}, scores
