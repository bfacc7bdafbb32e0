"""The report model round-trips through JSON and renders readably."""

from __future__ import annotations

import json

import jsonschema

from grader.outcome import CheckOutcome, Status
from grader.report import json_report, markdown, terminal
from grader.report.model import ExerciseResult, Report
from grader.report.schema import REPORT


def sample_report() -> Report:
    checks = [
        CheckOutcome("shape", "shape", Status.PASSED, 2, 2, "passed"),
        CheckOutcome(
            "values", "equivalence", Status.FAILED, 0, 3, "differs | badly",
            counterexample="z = [710.]", expected="1.0", found="nan", hint="use a stable formula",
        ),
        CheckOutcome("timing", "timing", Status.SKIPPED, 0, 1, "skipped: no reference solution is available"),
    ]
    return Report(submission="student", exercises=[ExerciseResult("stable_sigmoid", "Sigmoid", checks)])


def test_json_report_round_trips():
    report = sample_report()
    data = json.loads(json_report.render(report))
    jsonschema.validate(data, REPORT)
    assert Report.from_dict(data).to_dict() == report.to_dict()


def test_scores_add_up():
    report = sample_report()
    assert report.score == 2
    assert report.max_score == 6
    assert report.unchecked_points == 1


def test_terminal_shows_failure_details():
    text = terminal.render(sample_report())
    assert "FAIL" in text
    assert "input:    z = [710.]" in text
    assert "hint:     use a stable formula" in text
    assert "Total: 2 / 6 (33%)" in text


def test_markdown_escapes_table_pipes():
    text = markdown.render(sample_report())
    assert "differs \\| badly" in text
    assert "| `values` | equivalence | FAIL | 0 / 3 |" in text
