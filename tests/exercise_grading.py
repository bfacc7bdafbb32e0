"""Grade one exercise through the real pipeline, for the tests of each exercise.

Each call starts fresh worker processes, exactly as ``grader run`` does, so
the tests cover the worker, the codec and the checks together.
"""

from __future__ import annotations

from pathlib import Path

from grader.exercise import load
from grader.grading import GradingOptions, grade
from grader.outcome import CheckOutcome
from grader.submission import TreeSubmission

ROOT = Path(__file__).resolve().parents[1]
EXERCISES = ROOT / "exercises"
SOLUTIONS = ROOT / "solutions"
EXAMPLES = ROOT / "examples" / "submissions"


def grade_exercise(exercise: str, submission: Path) -> dict[str, CheckOutcome]:
    """Grade ``submission`` on the exercise named ``exercise`` against the reference solutions.

    Returns the outcome of every check by check name.
    """
    definition = load(EXERCISES / exercise)
    report = grade([definition], TreeSubmission(submission), GradingOptions(solutions=SOLUTIONS))
    (result,) = report.exercises
    return {outcome.name: outcome for outcome in result.checks}


def grade_example(exercise: str, example: str) -> dict[str, CheckOutcome]:
    """Grade the example submission ``examples/submissions/<example>`` on ``exercise``."""
    return grade_exercise(exercise, EXAMPLES / example)


def statuses(outcomes: dict[str, CheckOutcome]) -> dict[str, str]:
    return {name: outcome.status.value for name, outcome in outcomes.items()}
