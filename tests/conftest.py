"""Shared fixtures: the repository's exercises and solutions, and a factory of student submissions.

Submissions are real files: notebooks written with nbformat, .py files and
folders laid out like exercises/.  Their code comes from a few variants of
each function (correct, naive, slow, wrong), so tests can compare the same
code in different shapes.
"""

from __future__ import annotations

import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

from grader.outcome import CheckOutcome, Status
from grader.report.model import CellNote, ExerciseResult, Report

REPOSITORY = Path(__file__).resolve().parents[1]
EXERCISES = REPOSITORY / "exercises"
SOLUTIONS = REPOSITORY / "solutions"
#: The exercises whose functions the SubmissionFactory writes; tests that assert scores grade only these.
CORE_EXERCISES = ("stable_sigmoid", "batched_forward")
ONLY_CORE = ("--only", "stable_sigmoid", "--only", "batched_forward")

IMPORTS = "import numpy as np\n"
SIGMOID = {
    "good": (SOLUTIONS / "stable_sigmoid" / "activations.py").read_text().split('"""', 2)[2].replace("import numpy as np\n", ""),
    # Overflows for large negative z and fails on booleans: some checks pass, some fail.
    "naive": "def sigmoid(z):\n    return 1 / (1 + np.exp(-np.asarray(z)))\n",
    "stub": "def sigmoid(z):\n    raise NotImplementedError\n",
}
FORWARD = {
    "good": (SOLUTIONS / "batched_forward" / "forward.py").read_text().split('"""', 2)[2].replace("import numpy as np\n", ""),
    # Right values, one sample at a time: fails only the speed check.
    "loop": (
        "def forward(X, params, activations):\n"
        "    columns = []\n"
        "    for j in range(X.shape[1]):\n"
        "        a = X[:, j]\n"
        "        for (W, b), f in zip(params, activations):\n"
        "            a = f(W @ a + b)\n"
        "        columns.append(a)\n"
        "    return np.stack(columns, axis=1)\n"
    ),
    # Samples as rows: wrong shapes everywhere.
    "transposed": (
        "def forward(X, params, activations):\n"
        "    A = X.T\n"
        "    for (W, b), f in zip(params, activations):\n"
        "        A = f(A @ W.T + b)\n"
        "    return A\n"
    ),
    "stub": "def forward(X, params, activations):\n    raise NotImplementedError\n",
}


@dataclass(frozen=True)
class Code:
    """Which variant of each function a submission holds; None leaves the function out."""

    sigmoid: str | None = "good"
    forward: str | None = "good"


def write_notebook(path: Path, cells: list, *, minor: int = 5) -> Path:
    """Write a notebook whose cells are code sources, or ("markdown", text) pairs."""
    notebook = new_notebook()
    notebook.nbformat_minor = minor
    for cell in cells:
        if isinstance(cell, tuple):
            notebook.cells.append(new_markdown_cell(cell[1]))
        else:
            notebook.cells.append(new_code_cell(cell))
    nbformat.write(notebook, str(path))
    return path


class SubmissionFactory:
    """Writes submissions of the three shapes holding the same code."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder

    def tree(self, name: str, code: Code) -> Path:
        root = self.folder / name
        if code.sigmoid:
            (root / "stable_sigmoid").mkdir(parents=True)
            (root / "stable_sigmoid" / "activations.py").write_text(IMPORTS + SIGMOID[code.sigmoid])
        if code.forward:
            (root / "batched_forward").mkdir(parents=True)
            (root / "batched_forward" / "forward.py").write_text(IMPORTS + FORWARD[code.forward])
        root.mkdir(exist_ok=True)
        return root

    def file(self, name: str, code: Code) -> Path:
        parts = [IMPORTS]
        if code.sigmoid:
            parts.append(SIGMOID[code.sigmoid])
        if code.forward:
            parts.append(FORWARD[code.forward])
        path = self.folder / f"{name}.py"
        path.write_text("\n\n".join(parts))
        return path

    def notebook(self, name: str, code: Code, *, minor: int = 5) -> Path:
        """A notebook as students write them: magics, an exploration cell that raises, a plot."""
        cells: list = [
            ("markdown", "# Homework: the batched forward pass"),
            "%matplotlib inline\nimport numpy as np\nimport matplotlib.pyplot as plt",
        ]
        if code.sigmoid:
            cells.append(SIGMOID[code.sigmoid])
        cells.append("!pip install numpy\nprint(undefined_variable)")
        if code.forward:
            cells.append("%%time\n" + FORWARD[code.forward])
        cells.append("%timeit np.ones(3)\nplt.plot([1, 2, 3])\nplt.show()\nprint('plotted')")
        return write_notebook(self.folder / f"{name}.ipynb", cells, minor=minor)

    def make(self, kind: str, name: str, code: Code) -> Path:
        return {"tree": self.tree, "file": self.file, "notebook": self.notebook}[kind](name, code)


@pytest.fixture
def submissions(tmp_path: Path) -> SubmissionFactory:
    folder = tmp_path / "submissions"
    folder.mkdir()
    return SubmissionFactory(folder)


def run_grader(*arguments: str, env: dict | None = None, timeout: float = 300, cwd: Path | None = None) -> subprocess.CompletedProcess:
    """Run ``python -m grader`` in a subprocess and return what it printed."""
    return subprocess.run(
        [sys.executable, "-m", "grader", *arguments],
        capture_output=True, text=True, timeout=timeout, env=env, cwd=cwd or REPOSITORY,
    )


def sample_report(student: str = "") -> Report:
    """Return a report with one check of every status, hostile text in the output and a hidden check."""
    def outcome(name: str, status: Status, score: float, **fields) -> CheckOutcome:
        fields.setdefault("message", "passed" if status is Status.PASSED else f"{name} went wrong")
        return CheckOutcome(name=name, kind="equivalence", status=status, score=score, max_score=2.0, description=f"checks {name}", seconds=0.25, **fields)

    first = ExerciseResult("stable_sigmoid", "Numerically stable sigmoid", [
        outcome("passes", Status.PASSED, 2.0),
        outcome("fails", Status.FAILED, 0.0, expected="shape (3,)", found="shape (1, 3)", counterexample="z = array([1., 2., 3.])", hint="Check the axis."),
        outcome("raises", Status.ERROR, 0.0, message='sigmoid raised ValueError: bad <value> & "quotes"\n  File "a.py", line 1', output="printed \x00 NUL, \x1b[31mcolour\x1b[0m and \ud800 a lone surrogate"),
        outcome("hidden_one", Status.PASSED, 2.0, hidden=True),
    ])
    second = ExerciseResult("batched_forward", "Batched forward pass", [
        outcome("slow", Status.TIMEOUT, 0.0),
        outcome("todo", Status.NOT_IMPLEMENTED, 0.0),
        outcome("needs_reference", Status.SKIPPED, 0.0, message="skipped: no reference solution is available"),
        outcome("crashes_grader", Status.GRADER_ERROR, 0.0, staff_detail="Traceback (most recent call last):\n  KeyError: 'x'"),
    ])
    return Report(
        submission="/tmp/class/alice.ipynb", exercises=[first, second], seconds=3.6, submission_kind="notebook", student=student,
        cell_notes=[CellNote(2, "skipped", "%matplotlib inline"), CellNote(4, "raised", "NameError: name 'x' is not defined", "print(x)", 'File "<cell 4>", line 1')],
    )


# Helpers for grading the shipped exercises and example submissions.

import shutil  # noqa: E402

from grader.exercise import discover, load  # noqa: E402
from grader.grading import GradingOptions, grade  # noqa: E402
from grader.submission import locate  # noqa: E402

ROOT = REPOSITORY
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
    return run_grader(*map(str, arguments), timeout=timeout, cwd=cwd)


@pytest.fixture
def exercises_copy(tmp_path: Path) -> Path:
    """Return a private copy of exercises/ and solutions/ that a test may edit or break."""
    shutil.copytree(EXERCISES, tmp_path / "exercises", ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copytree(SOLUTIONS, tmp_path / "solutions", ignore=shutil.ignore_patterns("__pycache__"))
    return tmp_path / "exercises"
