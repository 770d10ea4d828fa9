"""What the notebook tests share: the course's notebooks, and their exercise sections.

A notebook's exercise section (from its "## Exercises" heading to its "## Summary") runs after
the notebook's install and setup cells alone: its cells use only what the setup cell imports
and what the section defines. Cells tagged ``needs-notebook`` (e.g. one that generates text
with the model trained above) are the exception: they handle an unattempted exercise
themselves and are left out when the section runs alone. This lets the tests run every
student version's exercises, and nbgrader's autograding, without training any model again.
"""

from __future__ import annotations

from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))
STUDENT_DIR = ROOT / "student"
NEEDS_NOTEBOOK = "needs-notebook"


def heading(cell) -> str:
    return cell.source.splitlines()[0] if cell.cell_type == "markdown" and cell.source else ""


def exercise_section(notebook: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """The install and setup cells, then the exercise section without ``needs-notebook`` cells.

    Cell metadata (nbgrader's included) is kept, so the result is a valid nbgrader notebook.
    """
    heads = [heading(c) for c in notebook.cells]
    start, stop = heads.index("## Exercises"), heads.index("## Summary")
    code = [i for i, c in enumerate(notebook.cells) if c.cell_type == "code"]
    keep = [notebook.cells[0], *(notebook.cells[i] for i in code[:2])]
    for cell in notebook.cells[start:stop]:
        if NEEDS_NOTEBOOK not in cell.get("metadata", {}).get("tags", []):
            keep.append(cell)
    result = nbformat.from_dict(notebook)
    result.cells = [nbformat.from_dict(c) for c in keep]
    return result
