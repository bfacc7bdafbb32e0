"""The report as Markdown, for course pages, pull requests and CI step summaries."""

from __future__ import annotations

import re
from pathlib import Path

from grader.files import write_atomic
from grader.outcome import CheckOutcome, Status
from grader.report.model import Report
from grader.report.terminal import LABELS, points


def render(report: Report) -> str:
    lines = [
        "# Grading report",
        "",
        f"**Score: {points(report.score)} / {points(report.max_score)} ({report.percent:.0f}%)**",
        "",
        f"- Submission: `{report.submission}`",
        f"- Reference: {('`' + report.solutions + '`') if report.solutions else 'none available'}",
    ]
    if report.isolation:
        lines.append(f"- Isolation: {report.isolation.get('summary', report.isolation.get('level', ''))}")
    if report.unchecked_points:
        lines.append(f"- {points(report.unchecked_points)} points could not be checked without the reference solutions")
    lines.extend(f"- Note: {_inline(note)}" for note in report.notes)
    if report.submission_error:
        lines.append(f"- **Error: {_inline(report.submission_error)}**")
    if report.cell_notes:
        lines += ["", "## Notebook", ""]
        for note in report.cell_notes:
            lines.append(f"- {_inline(note.describe())}")
            if note.traceback:
                lines += ["", "  ```text", *("  " + line for line in note.traceback.rstrip().splitlines()), "  ```"]
    for exercise in report.exercises:
        lines += [
            "",
            f"## {_inline(exercise.title)} (`{exercise.name}`): {points(exercise.score)} / {points(exercise.max_score)}",
            "",
            "| Check | Kind | Status | Points |",
            "|---|---|---|---|",
        ]
        for check in exercise.checks:
            lines.append(
                f"| `{check.name}` | {check.kind} | {LABELS[check.status]} | "
                f"{points(check.score)} / {points(check.max_score)} |"
            )
        for check in exercise.checks:
            if check.status is not Status.PASSED:
                lines += ["", *_details(check)]
    return "\n".join(lines) + "\n"


def _details(check: CheckOutcome) -> list[str]:
    lines = [f"**`{check.name}`** ({LABELS[check.status]}): {_inline(check.message.splitlines()[0])}"]
    rest = check.message.splitlines()[1:]
    if rest:
        fence = _fence("\n".join(rest))
        lines += ["", f"{fence}text", *rest, fence]
    for label, value in (("Expected", check.expected), ("Found", check.found), ("Input", check.counterexample), ("Hint", check.hint)):
        if value:
            fence = _fence(value)
            lines += ["", f"- {label}: {_inline(value)}" if "\n" not in value else f"- {label}:\n\n{fence}text\n{value}\n{fence}"]
    return lines


def _fence(text: str) -> str:
    """Return a code fence longer than any run of backticks in ``text``, which student code may have written."""
    longest = max((len(run) for run in re.findall(r"`+", text)), default=0)
    return "`" * max(3, longest + 1)


def _inline(text: str) -> str:
    return text.replace("|", "\\|").replace("<", "&lt;").replace(">", "&gt;")


def write(report: Report, path: Path) -> None:
    write_atomic(path, render(report))
