"""Shared fixtures: the project's folders and a way to grade a submission for real."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from grader.exercise import discover, load
from grader.grading import GradingOptions, grade
from grader.report.model import Report
from grader.submission import locate

ROOT = Path(__file__).resolve().parents[1]
EXERCISES = ROOT / "exercises"
SOLUTIONS = ROOT / "solutions"
EXAMPLES = ROOT / "examples" / "submissions"


def grade_folder(submission: Path, only: list[str] | None = None, solutions: Path | None = SOLUTIONS) -> Report:
    """Grade ``submission`` through the real pipeline (worker processes included)."""
    folders = [folder for folder in discover(EXERCISES) if only is None or folder.name in only]
    exercises = sorted((load(folder) for folder in folders), key=lambda e: (e.order, e.name))
    return grade(exercises, locate(submission), GradingOptions(solutions=solutions))


def statuses(report: Report) -> dict[str, dict[str, str]]:
    """Map exercise name to {check name: status value}."""
    return {e.name: {c.name: c.status.value for c in e.checks} for e in report.exercises}


def run_cli(*arguments: str | Path, cwd: Path = ROOT, timeout: float = 300) -> subprocess.CompletedProcess:
    """Run the grader command in a subprocess, as a user would."""
    return subprocess.run(
        [sys.executable, "-m", "grader", *map(str, arguments)],
        cwd=cwd, capture_output=True, text=True, timeout=timeout,
    )


@pytest.fixture
def exercises_copy(tmp_path: Path) -> Path:
    """A private copy of exercises/ and solutions/ that a test may edit or break."""
    shutil.copytree(EXERCISES, tmp_path / "exercises", ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copytree(SOLUTIONS, tmp_path / "solutions", ignore=shutil.ignore_patterns("__pycache__"))
    return tmp_path / "exercises"
