"""The grader command as students, instructors and CI run it."""

from __future__ import annotations

import json
import shutil
import time
from pathlib import Path

import jsonschema

from conftest import EXAMPLES, ROOT, run_cli
from grader.report.schema import REPORT


def test_stubs_score_zero_and_say_not_implemented():
    result = run_cli("run", "exercises/", "--only", "stable_sigmoid")
    assert result.returncode == 0, result.stderr
    assert "Total: 0 / 10 (0%)" in result.stdout
    assert result.stdout.count("TODO") == 4
    assert "not implemented: sigmoid still raises NotImplementedError" in result.stdout


def test_solutions_get_full_marks_with_json_and_markdown(tmp_path: Path):
    report_path, markdown_path = tmp_path / "report.json", tmp_path / "report.md"
    result = run_cli(
        "run", "exercises/", "--submission", "solutions", "--only", "stable_sigmoid", "--only", "batched_forward",
        "--json", report_path, "--markdown", markdown_path,
    )
    assert result.returncode == 0, result.stderr
    assert "Total: 22 / 22 (100%)" in result.stdout
    report = json.loads(report_path.read_text())
    jsonschema.validate(report, REPORT)
    assert report["score"] == report["max_score"] == 22
    assert [e["name"] for e in report["exercises"]] == ["stable_sigmoid", "batched_forward"]
    assert "**Score: 22 / 22 (100%)**" in markdown_path.read_text()


def test_failed_check_in_json_has_a_counterexample(tmp_path: Path):
    report_path = tmp_path / "report.json"
    result = run_cli(
        "run", "exercises/", "--submission", EXAMPLES / "bias_wrong_axis", "--only", "batched_forward", "--json", report_path
    )
    assert result.returncode == 0, result.stderr
    report = json.loads(report_path.read_text())
    jsonschema.validate(report, REPORT)
    shape = report["exercises"][0]["checks"][0]
    assert shape["status"] == "failed"
    assert shape["kind"] == "shape"
    assert shape["counterexample"].startswith("X of shape (3, 1)")


def test_fail_under_exits_with_one():
    result = run_cli("run", "exercises/", "--only", "stable_sigmoid", "--fail-under", "50")
    assert result.returncode == 1
    assert "below --fail-under 50%" in result.stderr


def test_missing_exercises_folder_is_a_usage_error(tmp_path: Path):
    result = run_cli("run", tmp_path / "missing")
    assert result.returncode == 2
    assert "exercises folder not found" in result.stderr
    assert "Traceback" not in result.stderr


def test_invalid_yaml_is_usage_error(exercises_copy: Path):
    path = exercises_copy / "batched_forward" / "exercise.yaml"
    path.write_text(path.read_text().replace("max_examples: 40", "max_examples: many"))
    result = run_cli("run", exercises_copy)
    assert result.returncode == 2
    assert "batched_forward/exercise.yaml: field hypothesis.max_examples" in result.stderr
    assert "Traceback" not in result.stderr


def test_unknown_exercise_name_lists_the_known_ones():
    result = run_cli("run", "exercises/", "--only", "sigmoid")
    assert result.returncode == 2
    assert "no exercise named sigmoid" in result.stderr
    assert "stable_sigmoid" in result.stderr


def test_missing_submission_is_a_usage_error(tmp_path: Path):
    result = run_cli("run", "exercises/", "--submission", tmp_path / "nobody")
    assert result.returncode == 2
    assert "submission not found" in result.stderr


def test_without_solutions_reference_checks_are_skipped(tmp_path: Path):
    shutil.copytree(ROOT / "exercises", tmp_path / "exercises", ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(ROOT / "solutions" / "stable_sigmoid" / "activations.py", tmp_path / "exercises" / "stable_sigmoid")
    report_path = tmp_path / "report.json"
    result = run_cli("run", tmp_path / "exercises", "--only", "stable_sigmoid", "--json", report_path)
    assert result.returncode == 0, result.stderr
    checks = {c["name"]: c for c in json.loads(report_path.read_text())["exercises"][0]["checks"]}
    assert checks["matches_reference"]["status"] == "skipped"
    assert "no reference solution" in checks["matches_reference"]["message"]
    assert checks["extreme_inputs"]["status"] == "passed"
    assert "3 points could not be checked" in result.stdout


def test_hanging_sigmoid_times_out_alone(tmp_path: Path):
    submission = tmp_path / "hangs"
    shutil.copytree(EXAMPLES / "correct_but_different", submission)
    (submission / "stable_sigmoid" / "activations.py").write_text("def sigmoid(z):\n    while True:\n        pass\n")
    report_path = tmp_path / "report.json"
    started = time.monotonic()
    result = run_cli("run", "exercises/", "--submission", submission, "--only", "stable_sigmoid", "--only", "batched_forward", "--json", report_path)
    elapsed = time.monotonic() - started
    assert result.returncode == 0, result.stderr
    assert elapsed < 30
    exercises = {e["name"]: e for e in json.loads(report_path.read_text())["exercises"]}
    for check in exercises["stable_sigmoid"]["checks"]:
        assert check["status"] == "timeout", check["name"]
        assert "did not return within 2 s" in check["message"]
    assert exercises["batched_forward"]["score"] == exercises["batched_forward"]["max_score"]


def test_syntax_error_fails_only_that_exercise(tmp_path: Path):
    submission = tmp_path / "broken"
    shutil.copytree(EXAMPLES / "correct_but_different", submission)
    (submission / "stable_sigmoid" / "activations.py").write_text("def sigmoid(z)\n    return z\n")
    report_path = tmp_path / "report.json"
    result = run_cli("run", "exercises/", "--submission", submission, "--only", "stable_sigmoid", "--only", "batched_forward", "--json", report_path)
    assert result.returncode == 0, result.stderr
    exercises = {e["name"]: e for e in json.loads(report_path.read_text())["exercises"]}
    for check in exercises["stable_sigmoid"]["checks"]:
        assert check["status"] == "error"
        assert "SyntaxError" in check["message"]
    assert exercises["batched_forward"]["score"] == exercises["batched_forward"]["max_score"]
