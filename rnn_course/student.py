"""Make the student version of a notebook: solutions taken out, everything else kept.

In a code cell, the lines between ``# BEGIN SOLUTION`` and ``# END SOLUTION`` are replaced
by ``raise NotImplementedError(...)`` at the same indentation, and the cell's outputs are
cleared. A markdown cell tagged ``solution`` is removed. The exercise's self-check then prints
"not attempted yet", so the student version still runs from top to bottom.

Usage::

    python -m rnn_course.student notebooks/01_vanilla_rnn.ipynb --out student/
"""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path

import nbformat

BEGIN = re.compile(r"^(?P<indent>\s*)# BEGIN SOLUTION\s*$")
END = re.compile(r"^\s*# END SOLUTION\s*$")
STUB = 'raise NotImplementedError("your code here")'


def strip_solutions(source: str) -> tuple[str, int]:
    """Replace every solution region in ``source``; return the new source and the count.

    Raises:
        ValueError: a region is opened and not closed, or closed and not opened.
    """
    out, regions, indent = [], 0, None
    for number, line in enumerate(source.splitlines(), start=1):
        begin = BEGIN.match(line)
        if begin:
            if indent is not None:
                raise ValueError(f"line {number}: '# BEGIN SOLUTION' inside another solution")
            indent = begin.group("indent")
            out.append(f"{indent}{STUB}")
            regions += 1
        elif END.match(line):
            if indent is None:
                raise ValueError(f"line {number}: '# END SOLUTION' without '# BEGIN SOLUTION'")
            indent = None
        elif indent is None:
            out.append(line)
    if indent is not None:
        raise ValueError("'# BEGIN SOLUTION' is never closed by '# END SOLUTION'")
    return "\n".join(out), regions


def student_version(notebook: nbformat.NotebookNode) -> tuple[nbformat.NotebookNode, int]:
    """Return a copy of ``notebook`` with its solutions removed, and how many were removed."""
    notebook = nbformat.from_dict(notebook)  # a deep copy
    cells, removed = [], 0
    for cell in notebook.cells:
        tags = cell.get("metadata", {}).get("tags", [])
        if cell.cell_type == "markdown" and "solution" in tags:
            removed += 1
            continue
        if cell.cell_type == "code":
            try:
                cell.source, count = strip_solutions(cell.source)
            except ValueError as error:
                raise ValueError(f"cell {cell.get('id', '?')}: {error}") from None
            removed += count
            cell.outputs, cell.execution_count = [], None
        cells.append(cell)
    notebook.cells = cells
    return notebook, removed


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("notebooks", nargs="+", type=Path, help="notebooks to convert")
    parser.add_argument("--out", type=Path, default=Path("student"), help="output folder")
    args = parser.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    for path in args.notebooks:
        if path.resolve().parent == args.out.resolve():
            parser.error(f"--out must differ from the folder of {path}, or it is overwritten")
        notebook, removed = student_version(nbformat.read(path, as_version=4))
        if removed == 0:
            print(f"warning: {path} has no solution regions", file=sys.stderr)
        target = args.out / path.name
        nbformat.write(notebook, target)
        print(f"{target}: {removed} solution(s) removed")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
