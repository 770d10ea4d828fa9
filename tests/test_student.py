import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

from rnn_course import student


def test_strip_solutions_keeps_indentation_and_the_rest():
    source = "def f(x):\n    y = 1\n    # BEGIN SOLUTION\n    return x + y\n    # END SOLUTION\n"
    stripped, count = student.strip_solutions(source)
    assert count == 1
    assert stripped == f"def f(x):\n    y = 1\n    {student.STUB}"
    assert "return x + y" not in stripped


@pytest.mark.parametrize(
    "source",
    [
        "# BEGIN SOLUTION\nx = 1\n",
        "x = 1\n# END SOLUTION\n",
        "# BEGIN SOLUTION\n# BEGIN SOLUTION\n# END SOLUTION\n",
    ],
)
def test_unbalanced_markers_are_an_error(source):
    with pytest.raises(ValueError, match="SOLUTION"):
        student.strip_solutions(source)


def test_student_version_clears_outputs_and_drops_solution_markdown(tmp_path):
    solution = new_code_cell("def f():\n    # BEGIN SOLUTION\n    return 42\n    # END SOLUTION")
    solution.outputs = [nbformat.v4.new_output("stream", text="42\n")]
    solution.execution_count = 3
    hint = new_markdown_cell("The answer is 42.", metadata={"tags": ["solution"]})
    notebook = new_notebook(cells=[new_markdown_cell("# Title"), solution, hint])
    path = tmp_path / "nb.ipynb"
    nbformat.write(notebook, path)

    out = tmp_path / "student"
    assert student.main([str(path), "--out", str(out)]) == 0
    result = nbformat.read(out / "nb.ipynb", as_version=4)
    assert [c.cell_type for c in result.cells] == ["markdown", "code"]
    assert "42" not in result.cells[1].source
    assert result.cells[1].outputs == [] and result.cells[1].execution_count is None
    assert notebook.cells[1].outputs  # the original is untouched
