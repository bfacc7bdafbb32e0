"""The report as Gradescope's autograder ``results.json``.

Gradescope's autograder specification (gradescope-autograders.readthedocs.io,
"Autograder Specifications") documents these top-level fields: ``score``,
``execution_time`` (seconds), ``output``, ``visibility``,
``stdout_visibility`` and a list of ``tests``.  Each test has ``name``,
``number``, ``score``, ``max_score``, ``status`` (``passed`` or ``failed``),
``output``, ``tags`` and ``visibility`` (``visible``, ``hidden``,
``after_due_date`` or ``after_published``).

Checks that exercise.yaml marks hidden get ``visibility: hidden``.  A grader
error is shown to the student as a polite failure, and its traceback goes to
an extra hidden test worth no points, so staff can see it.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from grader.files import write_atomic
from grader.outcome import CheckOutcome, Status
from grader.report.model import Report
from grader.report.terminal import LABELS, points

#: Maximum characters of output kept for one test, because Gradescope shows each output in full.
MAX_OUTPUT_CHARS = 8000


def to_dict(report: Report) -> dict[str, Any]:
    """Return the results.json content for ``report``."""
    tests: list[dict[str, Any]] = []
    for exercise_number, exercise in enumerate(report.exercises, start=1):
        for check_number, check in enumerate(exercise.checks, start=1):
            number = f"{exercise_number}.{check_number}"
            tests.append(
                {
                    "name": f"{exercise.title}: {check.name}",
                    "number": number,
                    "score": check.score,
                    "max_score": check.max_score if check.status.counts_toward_score else 0.0,
                    "status": "passed" if check.status.passed else "failed",
                    "output": _check_output(check),
                    "tags": [exercise.name, check.kind],
                    "visibility": "hidden" if check.hidden else "visible",
                }
            )
            if check.status is Status.GRADER_ERROR and check.staff_detail:
                tests.append(
                    {
                        "name": f"{exercise.title}: {check.name} (grader traceback, staff only)",
                        "number": f"{number}.1",
                        "score": 0.0,
                        "max_score": 0.0,
                        "status": "failed",
                        "output": _cut(check.staff_detail),
                        "tags": [exercise.name, "grader_error"],
                        "visibility": "hidden",
                    }
                )
    return {
        "score": report.score,
        "execution_time": round(report.seconds),
        "output": _summary(report),
        "visibility": "visible",
        "stdout_visibility": "hidden",
        "tests": tests,
    }


def render(report: Report) -> str:
    return json.dumps(to_dict(report), indent=2, allow_nan=False) + "\n"


def write(report: Report, path: Path) -> None:
    write_atomic(path, render(report))


def _summary(report: Report) -> str:
    lines = [f"Score: {points(report.score)} / {points(report.max_score)} ({report.percent:.0f}%)"]
    lines.extend(f"Note: {note}" for note in report.notes)
    if report.submission_error:
        lines.append(f"Error: {report.submission_error}")
    if report.cell_notes:
        lines += ["", "Notebook:"]
        lines.extend(f"- {note.describe()}" for note in report.cell_notes)
    return "\n".join(lines)


def _check_output(check: CheckOutcome) -> str:
    lines = [f"{LABELS[check.status]}: {check.message if not check.status.passed else check.description}"]
    for label, value in (
        ("Expected", check.expected),
        ("Found", check.found),
        ("Input", check.counterexample),
        ("Hint", check.hint),
        ("Printed", check.output if not check.status.passed else None),
    ):
        if value:
            lines.append(f"{label}: {value}")
    return _cut("\n".join(lines))


def _cut(text: str) -> str:
    if len(text) <= MAX_OUTPUT_CHARS:
        return text
    return text[:MAX_OUTPUT_CHARS] + f"\n[{len(text) - MAX_OUTPUT_CHARS} more characters not shown]"
