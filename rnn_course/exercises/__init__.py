"""Self-checks for the notebooks' exercises.

An exercise cell holds a function with its solution between ``# BEGIN SOLUTION`` and
``# END SOLUTION``. The student version of a notebook (``python -m rnn_course.student``)
replaces that region with ``raise NotImplementedError``; the self-check then reports "not
attempted yet" instead of failing, so the student version still runs top to bottom.

Each check compares the student's function with Keras itself or with properties any right
answer has, never with a copy of the solution.
"""

from __future__ import annotations

from collections.abc import Callable


def self_check(title: str, check: Callable[[], None]) -> None:
    """Run ``check`` and report on exercise ``title``.

    Prints ``PASS`` when the check passes and ``TODO`` when the exercise is not attempted yet
    (the function raises ``NotImplementedError``).

    Raises:
        AssertionError: the answer is wrong; the message says what differed.
    """
    try:
        check()
    except NotImplementedError:
        print(f"TODO  {title}: not attempted yet; fill in the cell above and run both again.")
        return
    except AssertionError as error:
        raise AssertionError(f"{title}: not right yet. {error}") from None
    print(f"PASS  {title}: correct")
