"""Time bounds with the real exercise limits: hangs cost one call timeout per check.

These use the limits of the real exercise.yaml files (2 s per call, 10 s per
import), not the shortened ones of the corpus.
"""

from __future__ import annotations

import dataclasses
import json
import shutil
from pathlib import Path

import pytest

from hostile_harness import checkout_unchanged, PROJECT, run_grader, strongest_level
from grader.exercise import load
from grader.grading import GradingOptions, grade
from grader.submission import TreeSubmission

HANG = '''"""Sleeps in every call, as a submission stuck on a lock would."""

import time


def sigmoid(z):
    time.sleep(3600)
'''
SLOW_IMPORT = '''"""Hangs while it is imported."""

import time

time.sleep(3600)
'''


def _five_sigmoid_exercises(project: Path) -> None:
    """Copy the grader and make five exercises, each a copy of the sigmoid exercise with its real limits."""
    shutil.copytree(PROJECT / "grader", project / "grader", ignore=shutil.ignore_patterns("__pycache__"))
    for number in range(1, 6):
        name = f"sigmoid_{number}"
        shutil.copytree(PROJECT / "exercises" / "stable_sigmoid", project / "exercises" / name)
        shutil.copytree(PROJECT / "solutions" / "stable_sigmoid", project / "solutions" / name)


def _submission(folder: Path, source: str) -> Path:
    for number in range(1, 6):
        (folder / f"sigmoid_{number}").mkdir(parents=True)
        (folder / f"sigmoid_{number}" / "activations.py").write_text(source)
    return folder


def test_twenty_hanging_checks_take_under_a_minute(tmp_path) -> None:
    project = tmp_path / "project"
    _five_sigmoid_exercises(project)
    submission = _submission(tmp_path / "class" / "stuck", HANG)
    report = tmp_path / "class" / "report.json"

    completed, seconds = run_grader(project, submission, report, strongest_level(), timeout=180)

    assert completed.returncode == 0, completed.stderr[-3000:]
    assert seconds < 60, f"twenty hanging checks took {seconds:.1f} s"
    checks = [check for exercise in json.loads(report.read_text())["exercises"] for check in exercise["checks"]]
    assert len(checks) == 20
    assert {check["status"] for check in checks} == {"timeout"}
    assert all("did not return within 2 s" in check["message"] for check in checks)


def test_hanging_import_costs_one_timeout(tmp_path) -> None:
    folder = tmp_path / "class" / "stuck"
    (folder / "stable_sigmoid").mkdir(parents=True)
    (folder / "stable_sigmoid" / "activations.py").write_text(SLOW_IMPORT)
    exercise = load(PROJECT / "exercises" / "stable_sigmoid")
    exercise = dataclasses.replace(exercise, limits=dataclasses.replace(exercise.limits, import_timeout=1.0))
    options = GradingOptions(solutions=PROJECT / "solutions", sandbox="process")

    report = grade([exercise], TreeSubmission(folder), options)

    assert report.seconds < 1.0 + 2.0, f"one hanging import cost {report.seconds:.1f} s"
    assert [check.status.value for _, check in report.checks()] == ["timeout"] * 4
    assert all("importing activations.py did not finish within 1 s" in check.message for _, check in report.checks())


def test_submission_budget_stops_later_checks(tmp_path) -> None:
    folder = tmp_path / "class" / "stuck"
    (folder / "stable_sigmoid").mkdir(parents=True)
    (folder / "stable_sigmoid" / "activations.py").write_text(HANG)
    (folder / "batched_forward").mkdir()
    shutil.copy(PROJECT / "solutions" / "batched_forward" / "forward.py", folder / "batched_forward")
    exercises = [load(PROJECT / "exercises" / "stable_sigmoid"), load(PROJECT / "exercises" / "batched_forward")]
    options = GradingOptions(solutions=PROJECT / "solutions", submission_timeout=3.0, sandbox="process")

    report = grade(exercises, TreeSubmission(folder), options)

    assert report.seconds < 10
    statuses = [check.status.value for _, check in report.checks()]
    assert statuses == ["timeout"] * 9
    last = report.exercises[-1].checks[-1]
    assert last.message == "not run: the submission used up its total time limit"


@pytest.mark.parametrize("level", ["process", "best"])
def test_correct_submission_scores_full_marks(level: str, tmp_path) -> None:
    level = strongest_level() if level == "best" else level
    report_path = tmp_path / "report.json"

    completed, _ = run_grader(PROJECT, PROJECT / "solutions", report_path, level, timeout=120)

    assert completed.returncode == 0, completed.stderr[-3000:]
    report = json.loads(report_path.read_text())
    assert report["isolation"]["level"] == level
    for exercise in report["exercises"]:
        for check in exercise["checks"]:
            # Timing checks compare medians of a few runs, which a busy machine can upset.
            if check["kind"] != "timing":
                assert check["status"] == "passed", f"{exercise['name']}.{check['name']}: {check['message']}"
