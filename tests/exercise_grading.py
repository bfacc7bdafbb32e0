"""Grade one exercise through the real pipeline, for the tests of each exercise.

Each call starts fresh worker processes, exactly as ``grader run`` does, so
the tests cover the worker, the codec and the checks together.
"""

from __future__ import annotations

from pathlib import Path

from conftest import EXAMPLES, EXERCISES, SOLUTIONS, grade_folder
from grader.outcome import CheckOutcome

__all__ = ["EXERCISES", "SOLUTIONS", "grade_example", "grade_exercise", "statuses"]


def grade_exercise(exercise: str, submission: Path) -> dict[str, CheckOutcome]:
    """Grade ``submission`` on the exercise named ``exercise`` against the reference solutions.

    Returns the outcome of every check by check name.
    """
    report = grade_folder(submission, only=[exercise])
    (result,) = report.exercises
    return {outcome.name: outcome for outcome in result.checks}


def grade_example(exercise: str, example: str) -> dict[str, CheckOutcome]:
    """Grade the example submission ``examples/submissions/<example>`` on ``exercise``."""
    return grade_exercise(exercise, EXAMPLES / example)


def statuses(outcomes: dict[str, CheckOutcome]) -> dict[str, str]:
    return {name: outcome.status.value for name, outcome in outcomes.items()}
