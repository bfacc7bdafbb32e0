"""The benchmark keeps working, and the report carries the phase timings it reads.

No test here asserts a time: speed is measured by bench/run.py, whose
figures depend on the machine and its load.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from conftest import ROOT, SOLUTIONS, grade_folder

from grader.checks.timing import ReferenceWorkers
from grader.report.model import Report
from grader.sandbox.limits import Limits

SECTIONS = [
    "1. One full submission",
    "2. The worker",
    "3. A class of 4 submissions",
    "4. Timing verdicts",
    "5. Peak memory",
    "Targets",
]


def test_bench_quick_mode_runs(tmp_path: Path) -> None:
    figures_path = tmp_path / "figures.json"
    completed = subprocess.run(
        [sys.executable, "bench/run.py", "--quick", "--json", str(figures_path)],
        cwd=ROOT, capture_output=True, text=True, timeout=600,
    )

    assert completed.returncode == 0, completed.stderr[-3000:]
    for section in SECTIONS:
        assert section in completed.stdout
    figures = json.loads(figures_path.read_text())
    assert set(figures) >= {"machine", "submission", "worker", "class", "timing", "memory", "targets"}
    assert figures["class"]["size"] == 4
    assert figures["submission"]["wall"]["runs"] == 1
    assert figures["submission"]["worker_starts"] >= 1
    assert figures["memory"]["grader_mib"] > 0
    # Verdicts are counted, not asserted: a flip on a busy CI machine is a figure, not a bug here.
    assert all(entry["runs"] == 1 for entry in figures["timing"].values())


def test_report_records_phase_timings() -> None:
    report = grade_folder(SOLUTIONS)

    timings = report.timings
    assert set(timings["exercises"]) == {exercise.name for exercise in report.exercises}
    assert timings["worker_starts"] >= 2
    for phase in ("worker_start", "load", "property_checks", "timing_checks", "stop_workers"):
        assert timings[phase] >= 0
    # Phases leave out worker starts, so together they fit in the whole grading time.
    assert sum(timings[phase] for phase in ("worker_start", "load", "property_checks", "timing_checks")) <= report.seconds


def test_report_timings_round_trip() -> None:
    report = Report(submission="s", exercises=[], timings={"load": 0.5, "exercises": {"stable_sigmoid": 1.0}})

    restored = Report.from_dict(json.loads(json.dumps(report.to_dict())))

    assert restored.timings == {"load": 0.5, "exercises": {"stable_sigmoid": 1.0}}


def test_prestarted_reference_worker_serves_requests(tmp_path: Path) -> None:
    workers = ReferenceWorkers(SOLUTIONS, tmp_path / "reference", Limits())
    workers.prestart()

    client = workers.client_for("stable_sigmoid", "activations.py", timeout=10)
    reply = client.call("reference:stable_sigmoid", "sigmoid", (0.0,), timeout=10)
    workers.close()

    assert reply.status == "ok"
    assert reply.value == 0.5
    assert client.starts == 1
    assert client.start_seconds >= 0


def test_prestarted_reference_worker_closes_unused(tmp_path: Path) -> None:
    workers = ReferenceWorkers(SOLUTIONS, tmp_path / "reference", Limits())
    workers.prestart()

    workers.close()

    assert workers.client is not None
    assert workers.client.process is None


def test_prestart_without_solutions_starts_nothing(tmp_path: Path) -> None:
    workers = ReferenceWorkers(None, tmp_path / "reference", Limits())
    workers.prestart()

    assert workers.client is None
