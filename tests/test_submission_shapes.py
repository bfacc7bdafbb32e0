"""Grading submissions of every shape: a folder, one .py file, a notebook, and broken ones."""

import pytest
from conftest import CORE_EXERCISES, EXERCISES, SOLUTIONS, Code, run_grader, write_notebook

from grader.exercise import discover, load
from grader.grading import GradingOptions, grade, load_references
from grader.notebook import read_notebook
from grader.outcome import Status
from grader.submission import FileSubmission, NotebookSubmission, TreeSubmission, locate


@pytest.fixture(scope="module")
def exercises():
    folders = [folder for folder in discover(EXERCISES) if folder.name in CORE_EXERCISES]
    return sorted((load(folder) for folder in folders), key=lambda exercise: exercise.order)


@pytest.fixture(scope="module")
def references(exercises):
    return load_references(exercises, SOLUTIONS)


def grade_path(path, exercises, references, submission=None):
    return grade(exercises, submission or locate(path), GradingOptions(solutions=SOLUTIONS), references)


def outcomes(report):
    return [(exercise.name, check.name, check.status, check.score) for exercise, check in report.checks()]


def test_locate_picks_shape_by_path(submissions):
    assert isinstance(locate(submissions.tree("t", Code())), TreeSubmission)
    assert isinstance(locate(submissions.file("f", Code())), FileSubmission)
    assert isinstance(locate(submissions.notebook("n", Code())), NotebookSubmission)


def test_folder_with_one_file_is_that_file(tmp_path, submissions):
    notebook = submissions.notebook("homework", Code())
    (tmp_path / "alice").mkdir()
    (tmp_path / "alice" / "homework.ipynb").write_bytes(notebook.read_bytes())
    (tmp_path / "alice" / "notes.txt").write_text("read me")
    located = locate(tmp_path / "alice")
    assert isinstance(located, NotebookSubmission)
    assert located.root == tmp_path / "alice" / "homework.ipynb"


def test_same_code_scores_same_in_every_shape(submissions, exercises, references):
    code = Code(sigmoid="naive", forward="good")
    reports = {kind: grade_path(submissions.make(kind, kind, code), exercises, references) for kind in ("tree", "file", "notebook")}
    assert outcomes(reports["file"]) == outcomes(reports["tree"])
    assert outcomes(reports["notebook"]) == outcomes(reports["tree"])
    assert 0 < reports["tree"].score < reports["tree"].max_score
    assert [report.submission_kind for report in reports.values()] == ["tree", "file", "notebook"]


def test_correct_notebook_gets_full_marks(submissions, exercises, references):
    report = grade_path(submissions.notebook("n", Code()), exercises, references)
    assert report.score == report.max_score == 22
    kinds = [(note.cell, note.kind, note.text) for note in report.cell_notes]
    assert kinds == [
        (2, "skipped", "%matplotlib inline"),
        (4, "skipped", "!pip install numpy"),
        (4, "raised", "NameError: name 'undefined_variable' is not defined"),
        (5, "skipped", "%%time"),
        (6, "skipped", "%timeit np.ones(3)"),
    ]
    raised = report.cell_notes[2]
    assert raised.preview == "!pip install numpy"
    assert 'File "<cell 4>", line 2' in raised.traceback


def test_missing_function_fails_only_its_exercise(submissions, exercises, references):
    report = grade_path(submissions.file("only_sigmoid", Code(forward=None)), exercises, references)
    sigmoid, forward = report.exercises
    assert sigmoid.score == sigmoid.max_score
    assert {check.status for check in forward.checks} == {Status.ERROR}
    assert {check.message for check in forward.checks} == {"missing: define `forward` in your submission"}


def test_notebook_missing_function_points_at_failed_cells(tmp_path, exercises, references):
    path = write_notebook(tmp_path / "n.ipynb", ["import numpy as np", "def forward(X, params, activations):\n    return X\n1 / 0\ndef sigmoid(z):\n    return z"])
    report = grade_path(path, exercises, references)
    sigmoid_check = report.exercises[0].checks[0]
    assert sigmoid_check.message == "missing: define `sigmoid` in your submission"
    assert sigmoid_check.hint == "cell 2 stopped with an error, so a definition in it may not have run; see the notebook notes"


def test_tree_with_missing_function_names_module(submissions, exercises, references):
    root = submissions.tree("t", Code())
    (root / "batched_forward" / "forward.py").write_text("def other():\n    pass\n")
    report = grade_path(root, exercises, references)
    assert report.exercises[1].checks[0].message == "missing: define `forward` in batched_forward/forward.py"


def test_name_bound_to_value_is_not_a_function(submissions, exercises, references):
    path = submissions.file("f", Code(forward=None))
    path.write_text(path.read_text() + "\nforward = 3\n")
    report = grade_path(path, exercises, references)
    assert report.exercises[1].checks[0].message == "`forward` in your submission is not a function; define it with `def forward(...)`"


def test_flat_folder_of_modules_is_a_tree(tmp_path, submissions, exercises, references):
    root = submissions.tree("t", Code())
    flat = tmp_path / "flat"
    flat.mkdir()
    for module in root.glob("*/*.py"):
        (flat / module.name).write_text(module.read_text())
    assert outcomes(grade_path(flat, exercises, references)) == outcomes(grade_path(root, exercises, references))


def test_file_traceback_shows_file_name(submissions, exercises, references):
    path = submissions.file("broken", Code(forward=None))
    path.write_text(path.read_text() + "\nvalue = 1 / 0\n")
    report = grade_path(path, exercises, references)
    message = report.exercises[0].checks[0].message
    assert message.startswith("importing broken.py failed with ZeroDivisionError: division by zero")
    assert 'File "broken.py", line' in message
    assert "submission-code" not in message


def test_file_siblings_are_not_importable(submissions, exercises, references):
    submissions.file("numpy", Code())
    path = submissions.file("alice", Code(forward=None))
    path.write_text(path.read_text() + "\nimport numpy\nassert hasattr(numpy, 'ndarray')\n")
    report = grade_path(path, exercises, references)
    assert report.exercises[0].score == report.exercises[0].max_score


def test_endless_cell_does_not_stop_notebook(tmp_path, exercises, references):
    sigmoid = (SOLUTIONS / "stable_sigmoid" / "activations.py").read_text()
    path = write_notebook(tmp_path / "n.ipynb", ["while True:\n    pass", sigmoid])
    submission = NotebookSubmission(path, read_notebook(path), cell_timeout=1.0)
    report = grade(exercises[:1], submission, GradingOptions(solutions=SOLUTIONS), references)
    assert report.score == report.max_score
    assert [(note.cell, note.kind) for note in report.cell_notes] == [(1, "timeout")]
    assert report.cell_notes[0].describe() == "cell 1 (`while True:`) was interrupted: it ran longer than the time limit for one cell"


def test_malformed_notebook_reports_every_check(tmp_path, exercises, references):
    path = tmp_path / "broken.ipynb"
    path.write_text('{"cells": [')
    report = grade_path(path, exercises, references)
    assert report.score == 0
    assert report.submission_error.startswith("your notebook broken.ipynb could not be read: invalid JSON at line 1")
    assert {check.message for _, check in report.checks()} == {report.submission_error}


def test_malformed_notebook_cli_prints_no_traceback(tmp_path):
    path = tmp_path / "broken.ipynb"
    path.write_text('{"nbformat": 3, "cells": []}')
    result = run_grader("run", str(EXERCISES), "--submission", str(path))
    assert result.returncode == 0
    assert "Traceback" not in result.stdout + result.stderr
    printed = " ".join(result.stdout.split())
    assert "Error: your notebook broken.ipynb could not be read: notebook format version 3 is not supported" in printed


def test_unknown_file_type_is_usage_error(tmp_path):
    path = tmp_path / "homework.txt"
    path.write_text("x")
    result = run_grader("run", str(EXERCISES), "--submission", str(path))
    assert result.returncode == 2
    assert "cannot grade a .txt file; a submission is a folder laid out like the exercises folder, a .py file or a .ipynb notebook" in result.stderr
