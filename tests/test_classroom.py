"""Grading a whole class: naming students, parallel grading, reports that survive a kill, class files."""

import csv
import io
import json
import os
import signal
import shutil
import subprocess
import sys
import time
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from conftest import EXERCISES, ONLY_CORE, REPOSITORY, Code, SubmissionFactory, run_grader, sample_report

from grader.classroom import ClassError, Progress, find_students, remove_stale_temporaries

#: The code variants of the class, with the total each must score in every shape (None: not fixed here).
VARIANTS = {
    "good": (Code(), 22),
    "naive-sigmoid": (Code(sigmoid="naive"), None),
    "loop-forward": (Code(forward="loop"), 20),
    "transposed": (Code(forward="transposed"), None),
    "stubs": (Code(sigmoid="stub", forward="stub"), 0),
    "no-forward": (Code(forward=None), 10),
}
KINDS = ("tree", "file", "notebook")
BROKEN = ("broken-json", "broken-version", "broken-syntax", "broken-empty")


def make_class(folder: Path, copies: int = 2) -> list[str]:
    """Write a class: every variant in every shape, ``copies`` times, plus four broken submissions."""
    factory = SubmissionFactory(folder)
    names = []
    for variant, (code, _) in VARIANTS.items():
        for kind in KINDS:
            for copy in range(1, copies + 1):
                name = f"{variant}-{kind}-{copy}"
                factory.make(kind, name, code)
                names.append(name)
    (folder / "broken-json.ipynb").write_text('{"cells": [')
    (folder / "broken-version.ipynb").write_text('{"nbformat": 3, "nbformat_minor": 0, "cells": []}')
    (folder / "broken-syntax.py").write_text("def sigmoid(z)\n    return z\n")
    (folder / "broken-empty").mkdir()
    return sorted(names + list(BROKEN))


def read_gradebook(path: Path) -> list[dict]:
    return list(csv.DictReader(io.StringIO(path.read_text())))


def report_times(out: Path) -> dict[str, int]:
    return {path.parent.name: path.stat().st_mtime_ns for path in out.glob("*/report.json")}


@pytest.fixture(scope="module")
def graded_class(tmp_path_factory):
    """A class of 40 graded once with --out and -j 2; yields (submissions folder, output folder, result)."""
    root = tmp_path_factory.mktemp("class")
    folder = root / "submissions"
    folder.mkdir()
    names = make_class(folder)
    assert len(names) == 40
    started = time.monotonic()
    result = run_grader(
        "run", str(EXERCISES), *ONLY_CORE, "--submissions", str(folder), "--out", str(root / "out"), "-j", "2",
        "--junit", str(root / "junit.xml"),
    )
    seconds = time.monotonic() - started
    print(f"graded a class of 40 in {seconds:.1f} s")
    return folder, root / "out", result


# Finding students.


def test_students_named_after_entries(tmp_path):
    for name in ("alice.py", "bob.ipynb", "dan.py", "dan.ipynb", "notes.txt", ".hidden.py", "_draft.py"):
        (tmp_path / name).write_text("")
    for name in ("carol", "__pycache__", ".git", "out"):
        (tmp_path / name).mkdir()
    students, skipped = find_students(tmp_path, exclude=tmp_path / "out")
    assert [(student.name, student.path.name) for student in students] == [
        ("alice", "alice.py"), ("bob", "bob.ipynb"), ("carol", "carol"), ("dan.ipynb", "dan.ipynb"), ("dan.py", "dan.py"),
    ]
    assert skipped == ["notes.txt"]


def test_student_cannot_take_class_file_name(tmp_path):
    (tmp_path / "summary.md").mkdir()
    with pytest.raises(ClassError, match="summary.md would overwrite the class files of the same name"):
        find_students(tmp_path)


def test_stale_temporary_files_removed(tmp_path):
    (tmp_path / "alice").mkdir()
    stale = [tmp_path / ".gradebook.csv.x1.tmp", tmp_path / "alice" / ".report.json.abc.tmp"]
    for path in stale:
        path.write_text("half")
    (tmp_path / "alice" / "report.json").write_text("{}")
    remove_stale_temporaries(tmp_path)
    assert not any(path.exists() for path in stale)
    assert (tmp_path / "alice" / "report.json").exists()


def test_progress_logs_plain_lines():
    stream = io.StringIO()
    progress = Progress(stream=stream)
    progress.start(total=3, done=1, jobs=2)
    progress.advance("bob", sample_report("bob"), failed=False)
    lines = stream.getvalue().splitlines()
    assert lines[0] == "grading 2 of 3 submissions with 2 processes; 1 unchanged since their reports were written"
    assert lines[1].startswith("[2/3] bob: 4 / 16 (25%) at ")


def test_progress_bar_on_terminal():
    stream = io.StringIO()
    progress = Progress(stream=stream, bar=True)
    progress.start(total=2, done=0, jobs=2)
    progress.advance("ann", sample_report("ann"), failed=False)
    progress.advance("ben", sample_report("ben"), failed=True)
    progress.close()
    text = stream.getvalue()
    assert "grading 2 of 2 submissions with 2 processes" in text
    assert "2/2 [" in text
    assert "ben: 4 / 16 (25%), grader error (see the log)" in text


# A class of 40, graded once for the tests below.


def test_class_of_40_gradebook(graded_class):
    folder, out, result = graded_class
    names = sorted(path.stem if path.is_file() else path.name for path in folder.iterdir())
    assert result.returncode == 0, result.stderr
    rows = read_gradebook(out / "gradebook.csv")
    assert [row["student"] for row in rows] == names
    assert list(rows[0]) == ["student", "submission", "kind", "score", "max_score", "percent", "stable_sigmoid", "batched_forward", "notes"]
    by_name = {row["student"]: row for row in rows}

    for variant, (_, total) in VARIANTS.items():
        group = [by_name[f"{variant}-{kind}-{copy}"] for kind in KINDS for copy in (1, 2)]
        scores = {(row["stable_sigmoid"], row["batched_forward"], row["score"]) for row in group}
        assert len(scores) == 1, f"{variant} scored differently across shapes: {scores}"
        if total is not None:
            assert group[0]["score"] == str(total), variant
    assert [by_name[f"good-{kind}-1"]["kind"] for kind in KINDS] == ["tree", "file", "notebook"]
    assert by_name["good-notebook-1"]["notes"] == "errors in cells 4"
    for name in BROKEN:
        assert by_name[name]["score"] == "0", name
    assert by_name["broken-json"]["notes"] == "notebook could not be read"
    assert by_name["broken-version"]["notes"] == "notebook could not be read"


def test_class_of_40_reports_and_summary(graded_class):
    folder, out, result = graded_class
    for name in [path.stem if path.is_file() else path.name for path in folder.iterdir()]:
        report = json.loads((out / name / "report.json").read_text())
        assert report["student"] == name
        assert set(report["fingerprint"]) == {"submission", "grading"}
        assert (out / name / "report.md").read_text().startswith("# Grading report")
    summary = (out / "summary.md").read_text()
    assert "40 students graded, maximum score 22." in summary
    assert "![Score distribution](scores.png)" in summary
    assert "| `batched_forward` | `speed` | 12 of 40 | 30% | FAIL (12) |" in summary
    assert "- `broken-json`: notebook could not be read (see `broken-json/report.md`)" in summary
    for picture in ("scores.png", "checks.png"):
        assert (out / picture).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert not list(out.rglob("*.tmp"))


def test_class_of_40_junit(graded_class):
    folder, out, result = graded_class
    root = ET.parse(out.parent / "junit.xml").getroot()
    suites = root.findall("testsuite")
    assert len(suites) == 80
    assert suites[0].get("name") == "broken-empty.stable_sigmoid"
    assert int(root.get("tests")) == 40 * 9


def test_second_run_regrades_nothing(graded_class):
    folder, out, result = graded_class
    before = report_times(out)
    gradebook = (out / "gradebook.csv").read_text()
    again = run_grader("run", str(EXERCISES), *ONLY_CORE, "--submissions", str(folder), "--out", str(out), "-j", "2")
    assert again.returncode == 0, again.stderr
    assert "0 graded now, 40 unchanged since their reports" in again.stdout
    assert report_times(out) == before
    assert (out / "gradebook.csv").read_text() == gradebook


def test_killed_run_finishes_with_same_results(graded_class, tmp_path):
    folder, class_out, _ = graded_class
    subset = tmp_path / "submissions"
    subset.mkdir()
    chosen = [entry for entry in sorted(folder.iterdir()) if not entry.name.startswith("broken")][:12]
    for entry in chosen:
        (shutil.copytree if entry.is_dir() else shutil.copy)(entry, subset / entry.name)
    out = tmp_path / "out"
    command = [
        sys.executable, "-m", "grader", "run", str(EXERCISES), *ONLY_CORE,
        "--submissions", str(subset), "--out", str(out), "-j", "2",
    ]
    process = subprocess.Popen(command, cwd=REPOSITORY, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 120
        while len(list(out.glob("*/report.json"))) < 3:
            assert process.poll() is None, "the run ended before it could be killed"
            assert time.monotonic() < deadline, "no reports were written within 120 s"
            time.sleep(0.05)
        pool = _children(process.pid)
        process.send_signal(signal.SIGKILL)
        process.wait(timeout=10)
    finally:
        if process.poll() is None:
            process.kill()
    done = len(list(out.glob("*/report.json")))
    assert 3 <= done < 12
    assert not (out / "gradebook.csv").exists()
    for path in out.glob("*/report.json"):
        json.loads(path.read_text())
    _wait_until_gone(pool)

    restarted = run_grader("run", str(EXERCISES), *ONLY_CORE, "--submissions", str(subset), "--out", str(out), "-j", "2")
    assert restarted.returncode == 0, restarted.stderr
    assert f"{12 - done} graded now, {done} unchanged since their reports" in restarted.stdout
    expected = {row["student"]: row for row in read_gradebook(class_out / "gradebook.csv")}
    for row in read_gradebook(out / "gradebook.csv"):
        assert row == expected[row["student"]]


def _children(pid: int) -> list[int]:
    children = []
    for task in Path(f"/proc/{pid}/task").iterdir():
        children += [int(child) for child in (task / "children").read_text().split()]
    return children


def _wait_until_gone(pids: list[int], seconds: float = 10.0) -> None:
    """Wait for the grading processes of a killed run to exit on their own (they watch their parent)."""
    deadline = time.monotonic() + seconds
    alive = list(pids)
    while alive and time.monotonic() < deadline:
        alive = [pid for pid in alive if _running(pid)]
        time.sleep(0.1)
    assert not alive, f"grading processes {alive} outlived their killed parent"


def _running(pid: int) -> bool:
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except FileNotFoundError:
        return False
    return "\nState:\tZ" not in status


# Smaller classes, graded on one exercise to stay quick.


def test_results_do_not_depend_on_jobs(tmp_path):
    folder = tmp_path / "submissions"
    folder.mkdir()
    factory = SubmissionFactory(folder)
    for index, (kind, code) in enumerate([("file", Code()), ("notebook", Code(sigmoid="naive")), ("tree", Code(sigmoid="stub")), ("file", Code(sigmoid="naive")), ("notebook", Code())]):
        factory.make(kind, f"student{index}", code)
    gradebooks = []
    for jobs in ("1", "2"):
        out = tmp_path / f"out{jobs}"
        result = run_grader("run", str(EXERCISES), "--submissions", str(folder), "--out", str(out), "-j", jobs, "--only", "stable_sigmoid")
        assert result.returncode == 0, result.stderr
        gradebooks.append(read_gradebook(out / "gradebook.csv"))
    assert gradebooks[0] == gradebooks[1]
    assert [row["score"] for row in gradebooks[0]] == ["10", "3", "0", "3", "10"]


def test_changed_submission_is_regraded(tmp_path):
    folder = tmp_path / "submissions"
    folder.mkdir()
    factory = SubmissionFactory(folder)
    for name in ("a", "b", "c"):
        factory.file(name, Code(forward=None))
    out = tmp_path / "out"
    arguments = ("run", str(EXERCISES), "--submissions", str(folder), "--out", str(out), "--only", "stable_sigmoid")
    assert run_grader(*arguments).returncode == 0
    factory.file("b", Code(sigmoid="naive", forward=None))
    again = run_grader(*arguments)
    assert "1 graded now, 2 unchanged since their reports" in again.stdout
    assert [row["score"] for row in read_gradebook(out / "gradebook.csv")] == ["10", "3", "10"]
    forced = run_grader(*arguments, "--force")
    assert "3 graded now, 0 unchanged since their reports" in forced.stdout


def test_class_plots_per_student(tmp_path, submissions):
    submissions.file("ann", Code())
    submissions.notebook("ben", Code(forward=None))
    plots = tmp_path / "plots"
    result = run_grader("run", str(EXERCISES), "--submissions", str(submissions.folder), "--plots", str(plots), "-j", "2")
    assert result.returncode == 0, result.stderr
    assert sorted(str(path.relative_to(plots)) for path in plots.rglob("*.png")) == [
        "ann/activations.png", "ann/timing.png", "checks.png", "scores.png",
    ]


def test_step_summary_appended(tmp_path, submissions):
    summary = tmp_path / "summary.md"
    summary.write_text("earlier step\n")
    environment = dict(os.environ, GITHUB_STEP_SUMMARY=str(summary))
    path = submissions.file("one", Code(forward=None))
    assert run_grader("run", str(EXERCISES), "--submission", str(path), "--only", "stable_sigmoid", env=environment).returncode == 0
    assert run_grader("run", str(EXERCISES), "--submissions", str(submissions.folder), "--only", "stable_sigmoid", env=environment).returncode == 0
    text = summary.read_text()
    assert text.startswith("earlier step\n# Grading report\n")
    assert "\n# Class summary\n\n1 students graded, maximum score 10." in text
    assert "](scores.png)" not in text


@pytest.mark.parametrize(
    "arguments, message",
    [
        (["--out", "x"], "--out needs --submissions DIR; for one submission use --json and --markdown"),
        (["--submissions", "x", "--submission", "y"], "--submission and --submissions cannot be combined"),
        (["--submissions", "x", "--gradescope", "r.json"], "--gradescope describes one submission; with --submissions, use --out DIR"),
        (["--submissions", "does-not-exist"], "--submissions does-not-exist: folder not found"),
    ],
)
def test_class_usage_errors(arguments, message):
    result = run_grader("run", str(EXERCISES), *arguments)
    assert result.returncode == 2
    assert message in result.stderr


def test_jobs_must_be_positive():
    result = run_grader("run", str(EXERCISES), "--submissions", "x", "-j", "0")
    assert result.returncode == 2
    assert "argument -j/--jobs: 0 is less than 1" in result.stderr


def write_broken_exercise(root: Path) -> Path:
    """Write an exercises folder whose only check has a bug, so every submission gets a grader error."""
    folder = root / "exercises" / "broken"
    folder.mkdir(parents=True)
    (folder / "exercise.yaml").write_text(
        "title: Broken check\nmodule: activations.py\nfunctions: [sigmoid]\n"
        "checks:\n  - {name: crashes, kind: shape, points: 1, description: a check with a bug}\n"
    )
    (folder / "checks.py").write_text(
        "from grader.checks import check\n\n\n@check('crashes')\ndef crashes(context):\n    raise KeyError('bug in the check')\n"
    )
    return root / "exercises"


def test_grader_error_is_never_cached(tmp_path, submissions):
    exercises = write_broken_exercise(tmp_path)
    submissions.file("ann", Code(forward=None))
    out = tmp_path / "out"
    arguments = ("run", str(exercises), "--submissions", str(submissions.folder), "--out", str(out))
    first = run_grader(*arguments)
    assert first.returncode == 3
    assert "grader: grading failed for ann; their reports say why" in first.stderr
    report = json.loads((out / "ann" / "report.json").read_text())
    assert report["exercises"][0]["checks"][0]["status"] == "grader_error"
    assert report["fingerprint"] == {}
    assert read_gradebook(out / "gradebook.csv")[0]["notes"] == "grader error"
    second = run_grader(*arguments)
    assert "1 graded now, 0 unchanged since their reports" in second.stdout


def test_crashed_grading_gives_grader_error_report(tmp_path):
    from grader.classroom import ClassGrader, ClassResult, ClassSettings, Student, load_exercises

    exercises = load_exercises(EXERCISES, ("stable_sigmoid",))
    settings = ClassSettings(exercises_root=EXERCISES, only=("stable_sigmoid",), solutions=None)
    runner = ClassGrader(settings, exercises, out=tmp_path, jobs=1)
    result = ClassResult()
    student = Student("ann", tmp_path / "ann.py")
    report = runner._accept(student, {"submission": "x", "grading": "y"}, {"error": "Traceback: OSError"}, result)
    assert result.failed == ["ann"]
    assert {check.status.value for _, check in report.checks()} == {"grader_error"}
    assert {check.staff_detail for _, check in report.checks()} == {"Traceback: OSError"}
    written = json.loads((tmp_path / "ann" / "report.json").read_text())
    assert written["fingerprint"] == {}
    assert written["student"] == "ann"
