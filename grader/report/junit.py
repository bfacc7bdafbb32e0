"""The report as JUnit XML, which Jenkins, GitLab and most CI systems display as test results.

Each exercise is a ``<testsuite>`` and each check a ``<testcase>``.  A wrong
result, an exception in student code, a timeout and a missing function are
``<failure>``s (the student's code is at fault), a grader error is an
``<error>``, and a check that could not run here is ``<skipped>``.  Scores go
in each suite's ``<properties>`` and in each testcase's ``<system-out>``,
where every JUnit reader accepts them.

For a class, every student's exercises become suites named
``STUDENT.EXERCISE`` in one ``<testsuites>`` document.
"""

from __future__ import annotations

import datetime
import re
import socket
import xml.etree.ElementTree as ET
from pathlib import Path

from grader.files import write_atomic
from grader.outcome import CheckOutcome, Status
from grader.report.model import Report
from grader.report.terminal import LABELS, points

#: Characters that XML 1.0 forbids even when escaped; student output may contain them.
_INVALID_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")
MAX_TEXT_CHARS = 8000


def render(report: Report) -> str:
    """Render one submission's report."""
    return render_many([("", report)])


def render_many(reports: list[tuple[str, Report]]) -> str:
    """Render several reports into one document; each pair is (student name or "", report)."""
    timestamp = datetime.datetime.now(datetime.timezone.utc).replace(microsecond=0).isoformat()
    hostname = socket.gethostname()
    root = ET.Element("testsuites", name="grader")
    totals = {"tests": 0, "failures": 0, "errors": 0, "skipped": 0}
    seconds = 0.0
    for student, report in reports:
        for exercise in report.exercises:
            suite_name = f"{student}.{exercise.name}" if student else exercise.name
            counts = _counts(exercise.checks)
            suite_seconds = sum(check.seconds for check in exercise.checks)
            suite = ET.SubElement(
                root, "testsuite",
                name=_clean(suite_name),
                tests=str(counts["tests"]),
                failures=str(counts["failures"]),
                errors=str(counts["errors"]),
                skipped=str(counts["skipped"]),
                time=f"{suite_seconds:.3f}",
                timestamp=timestamp,
                hostname=hostname,
            )
            properties = ET.SubElement(suite, "properties")
            for name, value in (
                ("title", exercise.title),
                ("score", points(exercise.score)),
                ("max_score", points(exercise.max_score)),
                ("submission", report.submission),
            ):
                ET.SubElement(properties, "property", name=name, value=_clean(value))
            for check in exercise.checks:
                _add_testcase(suite, suite_name, check)
            for key in totals:
                totals[key] += counts[key]
            seconds += suite_seconds
    for key, value in totals.items():
        root.set(key, str(value))
    root.set("time", f"{seconds:.3f}")
    ET.indent(root)
    return ET.tostring(root, encoding="unicode", xml_declaration=True) + "\n"


def write(report: Report, path: Path) -> None:
    write_atomic(path, render(report))


def write_many(reports: list[tuple[str, Report]], path: Path) -> None:
    write_atomic(path, render_many(reports))


def _counts(checks: list[CheckOutcome]) -> dict[str, int]:
    return {
        "tests": len(checks),
        "failures": sum(1 for check in checks if _element(check.status) == "failure"),
        "errors": sum(1 for check in checks if _element(check.status) == "error"),
        "skipped": sum(1 for check in checks if _element(check.status) == "skipped"),
    }


def _element(status: Status) -> str | None:
    if status is Status.PASSED:
        return None
    if status is Status.SKIPPED:
        return "skipped"
    if status is Status.GRADER_ERROR:
        return "error"
    return "failure"


def _add_testcase(suite: ET.Element, classname: str, check: CheckOutcome) -> None:
    case = ET.SubElement(suite, "testcase", classname=_clean(classname), name=_clean(check.name), time=f"{check.seconds:.3f}")
    kind = _element(check.status)
    first_line = check.message.splitlines()[0] if check.message else LABELS[check.status]
    if kind == "skipped":
        ET.SubElement(case, "skipped", message=_clean(first_line))
    elif kind is not None:
        detail = ET.SubElement(case, kind, message=_clean(first_line), type=check.status.value)
        detail.text = _clean(_details(check))
    out = ET.SubElement(case, "system-out")
    out.text = _clean(f"score: {points(check.score)} / {points(check.max_score)} ({LABELS[check.status]})\n{check.description}")


def _details(check: CheckOutcome) -> str:
    lines = [check.message]
    for label, value in (
        ("expected", check.expected),
        ("found", check.found),
        ("input", check.counterexample),
        ("hint", check.hint),
        ("printed", check.output),
    ):
        if value:
            lines.append(f"{label}: {value}")
    return "\n".join(lines)


def _clean(text: str) -> str:
    text = _INVALID_XML.sub("\ufffd", str(text))
    if len(text) > MAX_TEXT_CHARS:
        text = text[:MAX_TEXT_CHARS] + f"\n[{len(text) - MAX_TEXT_CHARS} more characters not shown]"
    return text
