"""Gradescope's results.json, and the autograder scripts run in a simulated /autograder layout."""

import json
import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

from conftest import CORE_EXERCISES, EXERCISES, REPOSITORY, SOLUTIONS, Code, sample_report

from grader.report import gradescope

SCRIPTS = REPOSITORY / "examples" / "ci" / "gradescope"
TOP_LEVEL_KEYS = {"score", "execution_time", "output", "visibility", "stdout_visibility", "tests", "extra_data", "leaderboard"}
TEST_KEYS = {"name", "number", "score", "max_score", "status", "output", "tags", "visibility", "extra_data", "name_format", "output_format"}
VISIBILITY = {"visible", "hidden", "after_due_date", "after_published"}


def validate(results: dict) -> None:
    """Raise AssertionError unless ``results`` follows Gradescope's results.json fields and types."""
    assert set(results) <= TOP_LEVEL_KEYS, set(results) - TOP_LEVEL_KEYS
    assert isinstance(results["score"], (int, float))
    assert isinstance(results.get("execution_time", 0), int)
    assert isinstance(results.get("output", ""), str)
    assert results.get("visibility", "visible") in VISIBILITY
    assert results.get("stdout_visibility", "visible") in VISIBILITY
    for test in results["tests"]:
        assert set(test) <= TEST_KEYS, set(test) - TEST_KEYS
        assert isinstance(test["name"], str) and test["name"]
        assert isinstance(test["score"], (int, float)) and isinstance(test["max_score"], (int, float))
        assert 0 <= test["score"] <= test["max_score"] or test["max_score"] == 0 == test["score"]
        assert test["status"] in {"passed", "failed"}
        assert test["visibility"] in VISIBILITY
        assert isinstance(test["output"], str)
        assert all(isinstance(tag, str) for tag in test["tags"])
    assert sum(test["score"] for test in results["tests"]) == results["score"]


def test_report_follows_gradescope_format():
    results = gradescope.to_dict(sample_report())
    validate(results)
    json.dumps(results, allow_nan=False)
    assert results["score"] == 4.0
    assert [test["number"] for test in results["tests"]] == ["1.1", "1.2", "1.3", "1.4", "2.1", "2.2", "2.3", "2.4", "2.4.1"]


def test_tests_carry_status_visibility_and_output():
    tests = {test["name"]: test for test in gradescope.to_dict(sample_report())["tests"]}
    fails = tests["Numerically stable sigmoid: fails"]
    assert (fails["status"], fails["score"], fails["max_score"]) == ("failed", 0.0, 2.0)
    assert fails["output"] == "FAIL: fails went wrong\nExpected: shape (3,)\nFound: shape (1, 3)\nInput: z = array([1., 2., 3.])\nHint: Check the axis."
    assert tests["Numerically stable sigmoid: hidden_one"]["visibility"] == "hidden"
    assert tests["Numerically stable sigmoid: passes"]["visibility"] == "visible"
    assert tests["Batched forward pass: needs_reference"]["max_score"] == 0.0


def test_grader_error_traceback_is_staff_only():
    tests = gradescope.to_dict(sample_report())["tests"]
    visible = [test for test in tests if test["visibility"] == "visible"]
    assert all("Traceback" not in test["output"] for test in visible)
    staff = [test for test in tests if "staff only" in test["name"]]
    assert len(staff) == 1
    assert staff[0]["visibility"] == "hidden"
    assert "KeyError: 'x'" in staff[0]["output"]


def test_notebook_notes_in_overall_output():
    output = gradescope.to_dict(sample_report())["output"]
    assert output.splitlines()[0] == "Score: 4 / 16 (25%)"
    assert "- cell 4 (`print(x)`) raised NameError: name 'x' is not defined; the cells after it still ran" in output


def autograder_root(tmp_path: Path) -> Path:
    root = tmp_path / "autograder"
    (root / "source" / "grader").mkdir(parents=True)
    (root / "submission").mkdir()
    for name in CORE_EXERCISES:
        shutil.copytree(EXERCISES / name, root / "source" / "grader" / "exercises" / name)
    shutil.copytree(SOLUTIONS, root / "source" / "grader" / "solutions")
    return root


def run_autograder(root: Path) -> dict:
    environment = dict(os.environ, AUTOGRADER_ROOT=str(root), GRADER=str(Path(sys.executable).with_name("grader")))
    subprocess.run(["bash", str(SCRIPTS / "run_autograder")], env=environment, cwd=root, check=True, timeout=300, capture_output=True)
    return json.loads((root / "results" / "results.json").read_text())


def test_run_autograder_grades_notebook(tmp_path, submissions):
    root = autograder_root(tmp_path)
    notebook = submissions.notebook("homework", Code(sigmoid="naive"))
    shutil.copy(notebook, root / "submission")
    results = run_autograder(root)
    validate(results)
    assert 0 < results["score"] < 22
    assert len(results["tests"]) == 9
    assert "cell 4" in results["output"]


def test_run_autograder_grades_flat_modules(tmp_path, submissions):
    root = autograder_root(tmp_path)
    tree = submissions.tree("t", Code())
    for module in tree.glob("*/*.py"):
        shutil.copy(module, root / "submission")
    results = run_autograder(root)
    validate(results)
    assert results["score"] == 22


def test_run_autograder_rejects_two_notebooks(tmp_path, submissions):
    root = autograder_root(tmp_path)
    shutil.copy(submissions.notebook("a", Code()), root / "submission")
    shutil.copy(submissions.notebook("b", Code()), root / "submission")
    results = run_autograder(root)
    validate(results)
    assert results["score"] == 0
    assert results["output"] == "Found 2 notebooks (a.ipynb b.ipynb); submit exactly one."


def test_run_autograder_reports_failed_grader(tmp_path, submissions):
    root = autograder_root(tmp_path)
    shutil.rmtree(root / "source" / "grader" / "exercises")
    shutil.copy(submissions.file("f", Code()), root / "submission")
    results = run_autograder(root)
    validate(results)
    assert results["output"] == "The autograder could not grade this submission (exit status 2); your instructor can see why in its log."


def test_zip_holds_scripts_and_grader(tmp_path):
    output = tmp_path / "autograder.zip"
    subprocess.run(["bash", str(SCRIPTS / "make_autograder_zip.sh"), str(output)], check=True, capture_output=True, timeout=120)
    with zipfile.ZipFile(output) as archive:
        names = set(archive.namelist())
        mode = archive.getinfo("run_autograder").external_attr >> 16
    assert {"setup.sh", "run_autograder", "grader/pyproject.toml", "grader/grader/cli.py", "grader/exercises/batched_forward/exercise.yaml", "grader/solutions/batched_forward/forward.py"} <= names
    assert mode & 0o111
    assert not any("__pycache__" in name or ".venv" in name for name in names)


def test_setup_script_is_valid_bash():
    for script in ("setup.sh", "run_autograder", "make_autograder_zip.sh"):
        subprocess.run(["bash", "-n", str(SCRIPTS / script)], check=True)
