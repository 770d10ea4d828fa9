import subprocess
import sys

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

from rnn_course import student

SOLUTION_META = {"tags": ["solution"], "nbgrader": {"solution": True, "grade": False}}


def test_strip_solutions_keeps_indentation_and_the_rest():
    source = "def f(x):\n    y = 1\n    # BEGIN SOLUTION\n    return x + y\n    # END SOLUTION\n"
    stripped, count = student.strip_solutions(source)
    assert count == 1
    assert stripped == f"def f(x):\n    y = 1\n    {student.STUB}"
    assert "return x + y" not in stripped


@pytest.mark.parametrize(
    "begin, end",
    [
        ("# BEGIN SOLUTION", "# END SOLUTION"),
        ("### BEGIN SOLUTION", "### END SOLUTION"),
        ("#BEGIN SOLUTION", "#END SOLUTION"),
    ],
)
def test_nbgraders_marker_styles(begin, end):
    source = f"def f():\n    {begin}\n    return 42\n    {end}\n"
    stripped, count = student.strip_solutions(source)
    assert count == 1 and "42" not in stripped and student.STUB in stripped


def test_hidden_tests_are_deleted_without_a_stub():
    source = "check(f)\n### BEGIN HIDDEN TESTS\nassert f() == 42\n### END HIDDEN TESTS\nprint(1)"
    stripped, count = student.strip_solutions(source)
    assert count == 0
    assert stripped == "check(f)\nprint(1)"


@pytest.mark.parametrize(
    "source",
    [
        "# BEGIN SOLUTION\nx = 1\n",
        "x = 1\n# END SOLUTION\n",
        "# BEGIN SOLUTION\n# BEGIN SOLUTION\n# END SOLUTION\n",
        "### BEGIN HIDDEN TESTS\nx = 1\n# END SOLUTION\n",
        "x = 1  # BEGIN SOLUTION\n",  # a marker that is not alone on its line would leak
    ],
)
def test_unbalanced_or_malformed_markers_are_an_error(source):
    with pytest.raises(student.StudentVersionError, match="(?i)solution|hidden|marker"):
        student.strip_solutions(source)


def test_a_solution_cell_it_cannot_strip_is_an_error_naming_the_cell():
    leaky = new_code_cell("def f():\n    return 42", metadata=SOLUTION_META, id="ex1-solution")
    notebook = new_notebook(cells=[new_markdown_cell("# T"), leaky])
    with pytest.raises(student.StudentVersionError, match="cell 1 \\(id ex1-solution.*published"):
        student.student_version(notebook)


def test_a_region_outside_a_solution_cell_is_an_error():
    cell = new_code_cell("# BEGIN SOLUTION\nx = 1\n# END SOLUTION", id="plain")
    with pytest.raises(student.StudentVersionError, match="id plain.*not marked as a solution"):
        student.student_version(new_notebook(cells=[cell]))


def _course_notebook():
    solution = new_code_cell(
        "def f():\n    # BEGIN SOLUTION\n    return 42\n    # END SOLUTION", metadata=SOLUTION_META
    )
    solution.outputs = [nbformat.v4.new_output("stream", text="42\n")]
    solution.execution_count = 3
    solution.metadata["execution"] = {"iopub.execute_input": "2026-01-01T00:00:00Z"}
    title = new_markdown_cell(
        "# Title\n\n[![Open In Colab](badge.svg)](https://x/notebooks/nb.ipynb)"
    )
    hint = new_markdown_cell("The answer is 42.", metadata={"tags": ["solution"]})
    return new_notebook(cells=[title, solution, hint])


def test_student_version_clears_outputs_drops_solution_markdown_and_moves_the_badge(tmp_path):
    notebook = _course_notebook()
    path = tmp_path / "nb.ipynb"
    nbformat.write(notebook, path)

    out = tmp_path / "student"
    assert student.main([str(path), "--out", str(out)]) == 0
    result = nbformat.read(out / "nb.ipynb", as_version=4)
    assert [c.cell_type for c in result.cells] == ["markdown", "code"]
    assert "https://x/student/nb.ipynb" in result.cells[0].source
    assert "notebooks/nb.ipynb" not in result.cells[0].source
    assert "Student version" in result.cells[0].source
    assert "42" not in result.cells[1].source
    assert result.cells[1].outputs == [] and result.cells[1].execution_count is None
    assert (
        "execution" not in result.cells[1].metadata and "nbgrader" not in result.cells[1].metadata
    )
    assert notebook.cells[1].outputs  # the original is untouched

    assert student.main([str(path), "--out", str(out), "--check"]) == 0
    (out / "nb.ipynb").write_text("stale", encoding="utf-8")
    assert student.main([str(path), "--out", str(out), "--check"]) == 1


def test_the_command_line_tool_does_not_load_tensorflow(tmp_path):
    path = tmp_path / "nb.ipynb"
    nbformat.write(_course_notebook(), path)
    code = (
        "import sys; from rnn_course import student; "
        f"student.main([{str(path)!r}, '--out', {str(tmp_path / 'student')!r}]); "
        "print(sorted(m for m in ('keras', 'tensorflow') if m in sys.modules))"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().endswith("[]"), result.stdout
    assert result.stderr == ""
