"""The summary printed in the terminal after grading."""

from __future__ import annotations

import statistics
import textwrap

from grader.outcome import CheckOutcome, Status
from grader.report.model import Report

LABELS = {
    Status.PASSED: "PASS",
    Status.FAILED: "FAIL",
    Status.ERROR: "ERROR",
    Status.TIMEOUT: "TIMEOUT",
    Status.NOT_IMPLEMENTED: "TODO",
    Status.SKIPPED: "SKIP",
    Status.GRADER_ERROR: "GRADER ERROR",
}
COLOURS = {
    Status.PASSED: "32",
    Status.FAILED: "31",
    Status.ERROR: "31",
    Status.TIMEOUT: "35",
    Status.NOT_IMPLEMENTED: "33",
    Status.SKIPPED: "36",
    Status.GRADER_ERROR: "1;31",
}
WIDTH = 80


def points(value: float) -> str:
    return f"{value:g}"


def render(report: Report, *, colour: bool = False, verbose: bool = False) -> str:
    """Render ``report`` as text; passed checks get one line, others their message too."""

    def paint(text: str, code: str) -> str:
        return f"\x1b[{code}m{text}\x1b[0m" if colour else text

    lines = [f"Submission: {report.submission}"]
    lines.append(f"Reference:  {report.solutions or 'none available (checks that need it are skipped)'}")
    if report.isolation:
        lines.append(f"Isolation:  {report.isolation.get('summary', report.isolation.get('level', ''))}")
    if report.submission_error:
        lines.append("")
        for line in textwrap.wrap(f"Error: {report.submission_error}", WIDTH, subsequent_indent="  "):
            lines.append(paint(line, "1;31"))
    if report.cell_notes:
        lines += ["", paint("Notebook", "1")]
        for note in report.cell_notes:
            lines.extend(textwrap.wrap(note.describe(), WIDTH - 4, initial_indent="  ", subsequent_indent="    "))
            if note.traceback:
                lines.extend("      " + line for line in note.traceback.rstrip().splitlines()[-6:])
    for exercise in report.exercises:
        lines.append("")
        heading = f"{exercise.name}: {exercise.title}"
        score = f"{points(exercise.score)} / {points(exercise.max_score)}"
        lines.append(paint(heading.ljust(WIDTH - len(score)) + score, "1"))
        for check in exercise.checks:
            label = paint(f"{LABELS[check.status]:<12}", COLOURS[check.status])
            score = f"{points(check.score)} / {points(check.max_score)}"
            lines.append(f"  {label} {check.name:<{WIDTH - 16 - len(score)}} {score}")
            if check.status is not Status.PASSED or verbose:
                lines.extend(_details(check))
    lines.append("")
    total = f"Total: {points(report.score)} / {points(report.max_score)} ({report.percent:.0f}%)"
    if report.unchecked_points:
        total += f"; {points(report.unchecked_points)} points could not be checked without the reference solutions"
    lines.append(paint(total, "1"))
    lines.extend(f"Note: {note}" for note in report.notes)
    return "\n".join(lines) + "\n"


def render_class(entries: list[tuple[str, Report]], *, graded: int, reused: int, seconds: float) -> str:
    """Render one line per student with the score, then the class's mean and median."""
    width = max([len(student) for student, _ in entries] + [7])
    lines = [f"{'Student':<{width}}  {'Kind':<8}  {'Score':>11}  {'%':>4}  Notes"]
    for student, report in entries:
        score = f"{points(report.score)} / {points(report.max_score)}"
        notes = "; ".join(report.problems())
        lines.append(f"{student:<{width}}  {report.submission_kind:<8}  {score:>11}  {report.percent:>3.0f}%  {notes}".rstrip())
    percents = [report.percent for _, report in entries]
    if percents:
        lines += [
            "",
            f"{len(percents)} students: mean {statistics.fmean(percents):.1f}%, median {statistics.median(percents):.1f}%; "
            f"{graded} graded now, {reused} unchanged since their reports, in {seconds:.1f} s",
        ]
    return "\n".join(lines) + "\n"


def _details(check: CheckOutcome) -> list[str]:
    out: list[str] = []

    def block(prefix: str, text: str | None) -> None:
        if not text:
            return
        first = True
        for raw in text.rstrip().splitlines():
            for piece in textwrap.wrap(raw, WIDTH - 8, subsequent_indent="  ") or [""]:
                out.append("      " + (prefix if first else " " * len(prefix)) + piece)
                first = False

    block("", check.message if check.status is not Status.PASSED else check.description)
    block("expected: ", check.expected)
    block("found:    ", check.found)
    block("input:    ", check.counterexample)
    block("hint:     ", check.hint)
    if check.output and check.status is not Status.PASSED:
        block("printed:  ", _last_lines(check.output, 6))
    return out


def _last_lines(text: str, count: int) -> str:
    """Keep the last lines, printed while the final (shrunk) input ran."""
    lines = text.splitlines()
    shown = "\n".join(lines[-count:])
    if len(lines) > count:
        shown = f"... ({len(lines) - count} earlier lines)\n" + shown
    return shown
