"""Self-checks for the notebooks' exercises.

An exercise is a solution cell (a function whose answer lies between ``# BEGIN SOLUTION`` and
``# END SOLUTION``, nbgrader metadata ``"solution": true``) followed by a self-check cell
(nbgrader metadata ``"grade": true``) that calls one ``check_...`` function of the notebook's
module here, e.g. ``rnn_course.exercises.nb01.check_param_count(param_count)``.

Each check compares the student's function with Keras itself or with properties any right
answer has, never with a copy of the solution, and reports through :func:`self_check`:

- right: prints ``PASS  <exercise>: correct``;
- wrong: raises :class:`SelfCheckFailed`, shown in a notebook as one short message that says
  what to look at, not a traceback through the course's code;
- not attempted (the function still raises ``NotImplementedError``, as in the student
  version): prints ``TODO ...`` so the notebook still runs top to bottom, except under
  nbgrader's autograding (``NBGRADER_EXECUTION`` is set), where it fails and scores 0.
"""

from __future__ import annotations

import os
import sys
import traceback
from collections.abc import Callable
from pathlib import Path

AUTOGRADING_VARIABLE = "NBGRADER_EXECUTION"


class SelfCheckFailed(AssertionError):
    """An exercise's answer is wrong (or missing while autograding).

    IPython shows an exception through its ``_render_traceback_`` method when it has one, so a
    student sees this short message instead of a traceback through the check's code.
    """

    def _render_traceback_(self) -> list[str]:
        return [f"\x1b[0;31mSelfCheckFailed\x1b[0m: {self}"]


def autograding() -> bool:
    """Whether nbgrader is executing the notebook (autograde or validate)."""
    return bool(os.environ.get(AUTOGRADING_VARIABLE))


def self_check(
    title: str,
    check: Callable[[], None],
    *,
    explain: Callable[[Exception], str | None] | None = None,
) -> None:
    """Run ``check`` and report on exercise ``title``.

    Args:
        title: the exercise's name as the notebook states it, e.g. ``"Exercise 1 (...)"``.
        check: a function of no arguments that calls the student's function and raises
            ``AssertionError`` with a helpful message when the answer is wrong.
        explain: optional; given an exception other than ``AssertionError`` or
            ``NotImplementedError`` raised by the student's code, return a sentence that
            explains it (e.g. what a shape mismatch means here), or ``None``.

    Raises:
        SelfCheckFailed: the answer is wrong, the student's function raised, or (while
            autograding) the exercise was not attempted.
        TypeError: ``title`` or ``check`` is not what this function needs (the notebook's
            own mistake, not the student's).
    """
    if not isinstance(title, str) or not title.strip():
        raise TypeError(f"self_check: title must be a non-empty string, got {title!r}")
    if not callable(check):
        raise TypeError(f"self_check: check must be a function of no arguments, got {check!r}")
    try:
        check()
    except NotImplementedError:
        if autograding():
            raise SelfCheckFailed(
                f"{title}: not attempted (the function is not written)."
            ) from None
        print(f"TODO  {title}: not attempted yet; fill in the cell above and run both again.")
        return
    except AssertionError as error:
        raise SelfCheckFailed(f"{title}: not right yet. {error}") from None
    except Exception as error:
        if not _raised_in_student_code(error):
            raise  # the check's own failure: show it as it is, never blame the student
        hint = explain(error) if explain is not None else None
        message = f"{title}: your function raised {type(error).__name__}: {error}"
        raise SelfCheckFailed(message + (f"\n{hint}" if hint else "")) from None
    print(f"PASS  {title}: correct")


_PACKAGE = Path(__file__).resolve().parents[1]
_LIBRARIES = {Path(p).resolve() for p in (sys.prefix, sys.base_prefix, sys.exec_prefix)}


def _raised_in_student_code(error: BaseException) -> bool:
    """Whether the traceback of ``error`` passes through code outside the course and libraries.

    A student's function lives in the notebook (or a file of theirs); the checks live in this
    package; NumPy and Keras live under the interpreter's prefix.
    """
    for frame, _ in traceback.walk_tb(error.__traceback__):
        path = Path(frame.f_code.co_filename).resolve()
        if _PACKAGE in path.parents:
            continue
        if any(prefix in path.parents for prefix in _LIBRARIES):
            continue
        return True
    return False
