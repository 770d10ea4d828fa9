"""Every notebook is stored as the course expects: executed top to bottom, with its anatomy.

nbval (run over notebooks/ by the same pytest command) re-executes each notebook and compares
checked cells; these tests check what nbval does not: how the notebook was stored and built.
"""

import base64
import os
import re
import struct
import tomllib

import nbformat
import pytest
from nbclient import NotebookClient

from rnn_course.student import BEGIN, student_text, student_version

from course_notebooks import NOTEBOOKS, ROOT, STUDENT_DIR, exercise_section

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


def _png_size(data: str) -> tuple[int, int]:
    raw = base64.b64decode(data)
    assert raw[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
    width, height = struct.unpack(">II", raw[16:24])
    return width, height


def test_stored_figures_fit_the_notebook_width(notebook):
    """Figures are drawn at most 10 in wide (1,000 px at the inline backend's 100 dpi)."""
    path, nb = notebook
    for index, cell in enumerate(_code(nb)):
        for output in cell.outputs:
            png = output.get("data", {}).get("image/png")
            if png:
                width, _ = _png_size(png)
                assert width <= 1050, f"{path.name}: code cell {index} has a {width}-px figure"


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


def test_exercises_are_nbgrader_cells(notebook):
    """Solution cells and their self-checks carry the metadata nbgrader needs."""
    path, nb = notebook
    cells = _code(nb)
    solutions = [i for i, c in enumerate(cells) if any(map(BEGIN.match, c.source.splitlines()))]
    assert solutions, f"{path.name}: no exercise with a solution"
    grade_ids = []
    for i, cell in enumerate(cells):
        meta = cell.metadata.get("nbgrader")
        if i in solutions:
            assert meta and meta.get("solution") is True and meta.get("grade") is False, (
                f"{path.name}: solution cell {i} needs nbgrader metadata solution=true"
            )
            check = cells[i + 1] if i + 1 < len(cells) else None
            assert check is not None and "check_" in check.source, (
                f"{path.name}: the cell after solution cell {i} must run a self-check"
            )
            assert "# NBVAL_CHECK_OUTPUT" in check.source
            cmeta = check.metadata.get("nbgrader", {})
            assert cmeta.get("grade") is True and cmeta.get("locked") is True, (
                f"{path.name}: self-check after solution cell {i} needs grade=true, locked=true"
            )
            assert cmeta.get("points", 0) > 0 and cmeta.get("solution") is False
            grade_ids += [meta["grade_id"], cmeta["grade_id"]]
        elif meta and meta.get("solution"):
            raise AssertionError(f"{path.name}: cell {i} is a solution cell without a region")
    assert len(set(grade_ids)) == len(grade_ids), f"{path.name}: duplicate grade_id"
    stem = path.name.split("_")[0]
    assert all(g.startswith(f"nb{stem}_") for g in grade_ids), grade_ids


def test_setup_cell_loads_keras_after_rnn_course_setup(notebook):
    """setup() loads TensorFlow with its start-up log lines filtered: it must come first."""
    path, nb = notebook
    setup = _code(nb)[1].source
    assert setup.index("rnn_course.setup(") < setup.index("import keras"), path.name


def test_student_versions_are_published_and_in_sync(notebook):
    path, _ = notebook
    expected, removed = student_text(path, STUDENT_DIR)
    target = STUDENT_DIR / path.name
    assert removed >= 1
    assert target.is_file(), f"{target} is missing: run `make student` and commit student/"
    assert target.read_text(encoding="utf-8") == expected, (
        f"{target} is out of date with {path.name}: run `make student` and commit student/"
    )
    badge = f"https://colab.research.google.com/github/{REPO}/blob/main/student/{path.name}"
    assert badge in expected


@pytest.fixture(scope="module")
def student_exercise_runs():
    """Every student version's exercise section, run in one fresh kernel after its setup.

    TF_CPP_MIN_LOG_LEVEL is unset, as on a student's machine, so the first setup cell shows
    whatever TensorFlow prints when it loads.
    """
    sections, owners = [], []
    for path in NOTEBOOKS:
        student, _ = student_version(nbformat.read(path, as_version=4))
        section = exercise_section(student)
        sections += section.cells
        owners += [path.name] * len(section.cells)
    combined = nbformat.v4.new_notebook(cells=sections)
    env = {k: v for k, v in os.environ.items() if k not in ("TF_CPP_MIN_LOG_LEVEL",)}
    env.pop("NBGRADER_EXECUTION", None)
    env["RNN_COURSE_MODE"] = "fast"
    resources = {"metadata": {"path": str(ROOT / "notebooks")}}
    client = NotebookClient(combined, timeout=600, kernel_name="python3", resources=resources)
    saved = dict(os.environ)
    os.environ.clear()
    os.environ.update(env)  # the kernel inherits this process's environment
    try:
        client.execute()
    finally:
        os.environ.clear()
        os.environ.update(saved)
    runs = {}
    for name, cell in zip(owners, combined.cells, strict=True):
        runs.setdefault(name, []).append(cell)
    return runs


TF_LOG_LINE = re.compile(r"^([IWEF]\d{4} |WARNING: All log messages before absl)", re.M)


def test_student_version_exercises_run_and_report_todo(notebook, student_exercise_runs):
    """The student version's exercises run (every self-check says TODO), without re-training.

    The student version differs from the notebook only in its solution cells, and the
    exercise section runs after the setup cell alone (see course_notebooks.py), so running
    that section is what a student's "run all" adds to the notebook CI already ran.
    """
    path, nb = notebook
    cells = [c for c in student_exercise_runs[path.name] if c.cell_type == "code"]
    texts = ["".join(o.get("text", "") for o in c.outputs) for c in cells]
    removed = student_version(nb)[1]
    assert sum(t.count("TODO ") for t in texts) == removed, texts
    assert not any(o.output_type == "error" for c in cells for o in c.outputs)


def test_a_students_setup_cell_prints_one_line(student_exercise_runs):
    """In a fresh kernel the setup cell shows the rnn_course line and no TensorFlow log text."""
    first = next(iter(student_exercise_runs.values()))
    setup = [c for c in first if c.cell_type == "code"][1]
    stdout = "".join(o.text for o in setup.outputs if o.get("name") == "stdout")
    stderr = "".join(o.text for o in setup.outputs if o.get("name") == "stderr")
    assert stdout.startswith("rnn_course: mode=fast") and stdout.count("\n") == 1, stdout
    assert not TF_LOG_LINE.search(stderr), f"TensorFlow log lines reach the student:\n{stderr}"
