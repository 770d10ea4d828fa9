"""Make the student version of a notebook: solutions taken out, everything else kept.

A course notebook is an nbgrader source notebook. Its exercise cells carry nbgrader metadata
(``"solution": true`` on the cell that holds the answer, ``"grade": true`` on its self-check)
and mark the answer with either marker style nbgrader accepts::

    def param_count(m, n, k):
        # BEGIN SOLUTION            (also: ### BEGIN SOLUTION, #BEGIN SOLUTION)
        return ...
        # END SOLUTION

The student version replaces each solution region by ``raise NotImplementedError(...)`` at
the same indentation, deletes hidden-test regions (``### BEGIN HIDDEN TESTS`` …
``### END HIDDEN TESTS``) outright, removes markdown cells marked as solutions, clears every
output, and points the Colab badge at the student version itself. Anything it cannot strip is
an error naming the cell: a solution cell without a region (its answer would leak), a region
in a cell not marked as a solution (nbgrader refuses such a notebook), unbalanced markers.

This module only transforms files: it imports nbformat, never Keras or TensorFlow.

Usage::

    python -m rnn_course.student notebooks/*.ipynb --out student          # write
    python -m rnn_course.student notebooks/*.ipynb --out student --check  # compare only
"""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path

import nbformat

_MARK = r"^(?P<indent>[ \t]*)#+[ \t]*{word}[ \t]+{what}[ \t]*$"
BEGIN = re.compile(_MARK.format(word="BEGIN", what="SOLUTION"))
END = re.compile(_MARK.format(word="END", what="SOLUTION"))
BEGIN_HIDDEN = re.compile(_MARK.format(word="BEGIN", what="HIDDEN TESTS"))
END_HIDDEN = re.compile(_MARK.format(word="END", what="HIDDEN TESTS"))
ANY_MARKER = re.compile(r"#+[ \t]*(BEGIN|END)[ \t]+(SOLUTION|HIDDEN TESTS)")
STUB = 'raise NotImplementedError("your code here")'
STUDENT_NOTE = (
    "*Student version: the exercises' solutions are removed. Fill in each exercise's function "
    "and run its self-check cell.*"
)


class StudentVersionError(ValueError):
    """A notebook that cannot be turned into a student version safely."""


def strip_solutions(source: str) -> tuple[str, int]:
    """Replace every solution region in ``source`` and delete every hidden-test region.

    Returns:
        The new source and the number of solution regions replaced.

    Raises:
        StudentVersionError: a region is opened and not closed, closed and not opened, nested,
            or a line looks like a marker but is not one this module understands.
    """
    out: list[str] = []
    regions = 0
    inside: str | None = None  # "solution" or "hidden tests" while in a region
    for number, line in enumerate(source.splitlines(), start=1):
        if begin := BEGIN.match(line) or BEGIN_HIDDEN.match(line):
            kind = "solution" if BEGIN.match(line) else "hidden tests"
            if inside is not None:
                raise StudentVersionError(
                    f"line {number}: {line.strip()!r} inside a {inside} region"
                )
            inside = kind
            if kind == "solution":
                out.append(f"{begin.group('indent')}{STUB}")
                regions += 1
        elif END.match(line) or END_HIDDEN.match(line):
            kind = "solution" if END.match(line) else "hidden tests"
            if inside != kind:
                raise StudentVersionError(
                    f"line {number}: {line.strip()!r} without a matching BEGIN {kind.upper()}"
                )
            inside = None
        elif ANY_MARKER.search(line):
            raise StudentVersionError(
                f"line {number}: {line.strip()!r} looks like a marker but is not one; write "
                "'# BEGIN SOLUTION' / '# END SOLUTION' alone on their lines"
            )
        elif inside is None:
            out.append(line)
    if inside is not None:
        raise StudentVersionError(f"a {inside} region is never closed")
    return "\n".join(out), regions


def is_solution_cell(cell) -> bool:
    """Whether nbgrader metadata or the ``solution`` tag marks ``cell`` as a solution."""
    metadata = cell.get("metadata", {})
    return bool(metadata.get("nbgrader", {}).get("solution")) or "solution" in metadata.get(
        "tags", []
    )


def _describe(index: int, cell) -> str:
    first = next((line for line in cell.source.splitlines() if line.strip()), "")
    return f"cell {index} (id {cell.get('id', '?')}, starting {first[:60]!r})"


def student_version(
    notebook: nbformat.NotebookNode, *, badge: tuple[str, str] | None = None
) -> tuple[nbformat.NotebookNode, int]:
    """Return a copy of ``notebook`` with its solutions removed, and how many were removed.

    Args:
        notebook: a course notebook (nbformat 4).
        badge: ``(old, new)``: replace the text ``old`` (the notebook's path in its Colab
            badge, e.g. ``"notebooks/01_vanilla_rnn.ipynb"``) with ``new`` in the title cell,
            and add a line saying this is the student version.

    Raises:
        StudentVersionError: a cell cannot be stripped safely; the message names the cell.
    """
    notebook = nbformat.from_dict(notebook)  # a deep copy
    cells, removed = [], 0
    for index, cell in enumerate(notebook.cells):
        solution = is_solution_cell(cell)
        cell.metadata.pop("execution", None)
        cell.metadata.pop("nbgrader", None)
        if cell.cell_type == "markdown" and solution:
            removed += 1
            continue
        if cell.cell_type == "code":
            try:
                cell.source, count = strip_solutions(cell.source)
            except StudentVersionError as error:
                raise StudentVersionError(f"{_describe(index, cell)}: {error}") from None
            if solution and count == 0:
                raise StudentVersionError(
                    f"{_describe(index, cell)} is marked as a solution but has no "
                    "'# BEGIN SOLUTION' ... '# END SOLUTION' region: its answer would be "
                    "published. Mark the answer, or remove the solution marking."
                )
            if count and not solution:
                raise StudentVersionError(
                    f"{_describe(index, cell)} has a solution region but is not marked as a "
                    'solution cell (nbgrader metadata "solution": true): nbgrader refuses it.'
                )
            removed += count
            cell.outputs, cell.execution_count = [], None
        cells.append(cell)
    if badge is not None and cells and cells[0].cell_type == "markdown":
        old, new = badge
        title = cells[0]
        if old not in title.source:
            raise StudentVersionError(f"the title cell does not mention {old!r} (its Colab badge)")
        lines = title.source.replace(old, new).splitlines()
        badge_line = next(i for i, line in enumerate(lines) if new in line)
        lines[badge_line + 1 : badge_line + 1] = ["", STUDENT_NOTE]
        title.source = "\n".join(lines)
    notebook.cells = cells
    return notebook, removed


def student_text(path: Path, out: Path) -> tuple[str, int]:
    """The student version of the notebook at ``path``, as the text written to ``out``/name."""
    notebook = nbformat.read(path, as_version=4)
    badge = (f"notebooks/{path.name}", f"{out.name}/{path.name}")
    result, removed = student_version(notebook, badge=badge)
    return nbformat.writes(result) + "\n", removed


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("notebooks", nargs="+", type=Path, help="notebooks to convert")
    parser.add_argument("--out", type=Path, default=Path("student"), help="output folder")
    parser.add_argument(
        "--check", action="store_true", help="write nothing; fail if a student version is stale"
    )
    args = parser.parse_args(argv)
    stale = []
    for path in args.notebooks:
        if path.suffix != ".ipynb" or not path.is_file():
            parser.error(f"{path} is not a notebook file (.ipynb)")
        if path.resolve().parent == args.out.resolve():
            parser.error(f"--out must differ from the folder of {path}, or it is overwritten")
        try:
            text, removed = student_text(path, args.out)
        except StudentVersionError as error:
            print(f"error: {path}: {error}", file=sys.stderr)
            return 1
        target = args.out / path.name
        if args.check:
            if not target.is_file() or target.read_text(encoding="utf-8") != text:
                stale.append(target)
            continue
        if removed == 0:
            print(f"warning: {path} has no solution regions", file=sys.stderr)
        args.out.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8")
        print(f"{target}: {removed} solution(s) removed")
    if stale:
        names = ", ".join(str(p) for p in stale)
        print(f"stale student versions: {names}; run `make student`", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
