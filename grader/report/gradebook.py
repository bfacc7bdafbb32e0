"""A class's results: the gradebook as CSV and a summary for instructors as Markdown.

Both take ``(student, report)`` pairs sorted by student name, so that the
files do not depend on the order in which submissions finished grading.
"""

from __future__ import annotations

import csv
import io
import statistics
from collections import Counter
from pathlib import Path

from grader.files import write_atomic
from grader.outcome import Status
from grader.report.model import Report
from grader.report.plots import CHECKS_FILE, SCORES_FILE, pass_rates
from grader.report.terminal import LABELS, points

#: Fixed columns of gradebook.csv; one score column per exercise follows them, then ``notes``.
COLUMNS = ("student", "submission", "kind", "score", "max_score", "percent")


def render_csv(entries: list[tuple[str, Report]]) -> str:
    """Return gradebook.csv: one row per student with the total and each exercise's score."""
    exercise_names = _exercise_names(entries)
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow([*COLUMNS, *exercise_names, "notes"])
    for student, report in entries:
        scores = {exercise.name: points(exercise.score) for exercise in report.exercises}
        writer.writerow(
            [
                student,
                Path(report.submission).name,
                report.submission_kind,
                points(report.score),
                points(report.max_score),
                f"{report.percent:.1f}",
                *(scores.get(name, "") for name in exercise_names),
                "; ".join(report.problems()),
            ]
        )
    return buffer.getvalue()


def render_summary(entries: list[tuple[str, Report]], *, plots: bool = True, skipped_entries: list[str] = ()) -> str:
    """Return summary.md: the class's score distribution and the pass rate of every check."""
    reports = [report for _, report in entries]
    lines = ["# Class summary", ""]
    if not reports:
        return "\n".join(lines + ["No submissions were graded.", ""])

    maximum = max(report.max_score for report in reports)
    percents = [report.percent for report in reports]
    scores = [report.score for report in reports]
    lines += [
        f"{len(reports)} students graded, maximum score {points(maximum)}.",
        "",
        "| Statistic | Score | Percent |",
        "|---|---|---|",
    ]
    for label, function in (("mean", statistics.fmean), ("median", statistics.median), ("minimum", min), ("maximum", max)):
        lines.append(f"| {label} | {function(scores):.1f} | {function(percents):.1f}% |")
    if len(reports) > 1:
        lines.append(f"| standard deviation | {statistics.stdev(scores):.1f} | {statistics.stdev(percents):.1f}% |")

    lines += ["", "## Score distribution", ""]
    if plots:
        lines += [f"![Score distribution]({SCORES_FILE})", ""]
    lines += ["| Score (% of maximum) | Students |", "|---|---|"]
    bins = Counter(min(9, int(percent // 10)) for percent in percents)
    for index in range(10):
        upper = "100" if index == 9 else f"{index * 10 + 9}"
        lines.append(f"| {index * 10}–{upper} | {bins.get(index, 0)} |")

    lines += ["", "## Exercises", "", "| Exercise | Points | Mean | Full marks |", "|---|---|---|---|"]
    for name in _exercise_names(entries):
        results = [exercise for report in reports for exercise in report.exercises if exercise.name == name]
        full = sum(1 for exercise in results if exercise.score == exercise.max_score and exercise.max_score > 0)
        mean = statistics.fmean(exercise.score for exercise in results)
        lines.append(f"| `{name}` | {points(results[0].max_score)} | {mean:.1f} | {full} of {len(results)} |")

    lines += ["", "## Checks", ""]
    if plots:
        lines += [f"![Pass rate of every check]({CHECKS_FILE})", ""]
    lines += ["| Exercise | Check | Passed | Pass rate | Most common other outcome |", "|---|---|---|---|---|"]
    for exercise, check, passed, graded in pass_rates(reports):
        rate = f"{100 * passed / graded:.0f}%" if graded else "not graded"
        lines.append(f"| `{exercise}` | `{check}` | {passed} of {graded} | {rate} | {_commonest_failure(reports, exercise, check)} |")

    attention = [(student, report.problems()) for student, report in entries if report.problems()]
    if attention or skipped_entries:
        lines += ["", "## Submissions to look at", ""]
        lines.extend(f"- `{student}`: {'; '.join(found)} (see `{student}/report.md`)" for student, found in attention)
        lines.extend(f"- `{entry}`: not graded, because it is not a folder, a .py file or a .ipynb notebook" for entry in skipped_entries)
    return "\n".join(lines) + "\n"


def write_csv(entries: list[tuple[str, Report]], path: Path) -> None:
    write_atomic(path, render_csv(entries))


def write_summary(entries: list[tuple[str, Report]], path: Path, *, plots: bool = True, skipped_entries: list[str] = ()) -> None:
    write_atomic(path, render_summary(entries, plots=plots, skipped_entries=skipped_entries))


def _exercise_names(entries: list[tuple[str, Report]]) -> list[str]:
    names: dict[str, None] = {}
    for _, report in entries:
        for exercise in report.exercises:
            names.setdefault(exercise.name, None)
    return list(names)


def _commonest_failure(reports: list[Report], exercise_name: str, check_name: str) -> str:
    statuses = Counter(
        check.status
        for report in reports
        for exercise, check in report.checks()
        if exercise.name == exercise_name and check.name == check_name and check.status is not Status.PASSED
    )
    if not statuses:
        return "–"
    status, count = statuses.most_common(1)[0]
    return f"{LABELS[status]} ({count})"
