"""The isolation levels, their probes and report fields, and the client's defences."""

from __future__ import annotations

import json
import os
import re
import time
from pathlib import Path

import pytest

from grader import cli
from grader.exercise import load
from grader.grading import GradingOptions, grade
from grader.sandbox import client as client_module
from grader.sandbox import framing, levels
from grader.sandbox.client import WorkerClient, WorkerDied, WorkerStartError, printable
from grader.sandbox.levels import Isolation, IsolationUnavailable
from grader.sandbox.limits import Limits
from grader.submission import TreeSubmission

PROJECT = Path(__file__).resolve().parents[2]
AVAILABLE = [level for level in levels.LEVELS if levels.probe(level) is None]


def _readme_table() -> dict[str, dict[str, str]]:
    text = (PROJECT / "README.md").read_text()
    section = text.split("## Isolation", 1)[1].split("\n## ", 1)[0]
    rows = [line for line in section.splitlines() if line.startswith("|")]
    header = [cell.strip() for cell in rows[0].strip("|").split("|")]
    table = {}
    for row in rows[2:]:
        cells = [cell.strip() for cell in row.strip("|").split("|")]
        table[cells[0]] = dict(zip(header[1:], cells[1:]))
    return table


def test_readme_table_matches_protections() -> None:
    table = _readme_table()
    assert set(table) == {f"`{protection.key}`" for protection in levels.PROTECTIONS}
    for protection in levels.PROTECTIONS:
        row = table[f"`{protection.key}`"]
        assert row["Guarantee"] == protection.description
        for level in levels.LEVELS:
            if level in protection.levels:
                assert row[level] == "yes", (protection.key, level)
            elif level in protection.unless_root:
                assert row[level].startswith("yes, unless the grader runs as root"), (protection.key, level)
            else:
                assert row[level] == "no", (protection.key, level)


def test_unknown_level_is_rejected() -> None:
    with pytest.raises(IsolationUnavailable, match="unknown isolation level 'docker'"):
        levels.resolve("docker")


def test_auto_falls_back_to_process(monkeypatch) -> None:
    reasons = {"bwrap": "bubblewrap is not installed", "namespace": "the grader does not run as root"}
    monkeypatch.setattr(levels, "probe", lambda level: reasons.get(level))

    isolation = levels.resolve("auto")

    assert isolation.level == "process"
    assert isolation.to_dict()["unavailable"] == reasons


def test_named_level_that_does_not_work_raises(monkeypatch) -> None:
    monkeypatch.setattr(levels, "probe", lambda level: "bubblewrap is not installed" if level == "bwrap" else None)

    with pytest.raises(IsolationUnavailable, match="isolation level bwrap is unavailable: bubblewrap is not installed"):
        levels.resolve("bwrap")


def test_probe_reports_missing_bwrap(monkeypatch) -> None:
    monkeypatch.setattr(levels.shutil, "which", lambda name: None)
    levels.probe.cache_clear()
    try:
        problem = levels.probe("bwrap")
    finally:
        levels.probe.cache_clear()
    assert problem is not None
    assert "bubblewrap is not installed" in problem or "not run as root" in problem


def test_process_level_claims_caps_only_without_root() -> None:
    as_root = Isolation("process", as_root=True).to_dict()
    as_user = Isolation("process", as_root=False).to_dict()

    assert "caps_locked" in as_root["does_not_prevent"]
    assert "process_bomb" in as_root["does_not_prevent"]
    assert "caps_locked" in as_user["prevents"]
    assert "network" in as_user["does_not_prevent"]
    assert "runs as root" in as_root["summary"]


def test_confined_levels_claim_hidden_files() -> None:
    for level in ("namespace", "bwrap"):
        report = Isolation(level, as_root=True).to_dict()
        assert {"network", "hidden_files", "read_only", "grader_process"} <= set(report["prevents"])
    assert "nested_namespaces" in Isolation("bwrap").to_dict()["prevents"]
    assert "nested_namespaces" in Isolation("namespace").to_dict()["does_not_prevent"]


def test_printable_escapes_control_characters() -> None:
    assert printable("a\x1b[2J\rb\tc\nd\x7f\x9b") == "a\\x1b[2J\\x0db\tc\nd\\x7f\\x9b"


def test_deeply_nested_header_is_a_frame_error() -> None:
    body = b'{"a": ' + b"[" * 100_000 + b"]" * 100_000 + b"}"
    frame = framing._HEADER_LENGTH.pack(len(body)) + body

    with pytest.raises(framing.FrameError, match="not valid JSON"):
        framing.unpack(frame)


def test_write_times_out_when_the_peer_stops_reading() -> None:
    read_end, write_end = os.pipe()
    os.set_blocking(write_end, False)
    try:
        started = time.monotonic()
        with pytest.raises(framing.FrameTimeout):
            framing.write_frame_until(write_end, b"x" * (4 * 2**20), time.monotonic() + 0.3)
        assert time.monotonic() - started < 2
    finally:
        os.close(read_end)
        os.close(write_end)


def _module(folder: Path, name: str, source: str) -> Path:
    path = folder / f"{name}.py"
    path.write_text(source)
    return path


@pytest.mark.parametrize("level", AVAILABLE)
def test_cpu_time_cap_ends_a_busy_worker(level: str, tmp_path) -> None:
    source = "def spin():\n    while True:\n        pass\n"
    path = _module(tmp_path, "busy", source)
    isolation = levels.resolve(level)
    with WorkerClient(limits=Limits(cpu_seconds=1), scratch=tmp_path / "scratch", isolation=isolation, readable=[tmp_path]) as worker:
        assert worker.load_file("busy", path, timeout=10).status == "ok"
        with pytest.raises(WorkerDied, match="SIGXCPU|SIGKILL"):
            worker.call("busy", "spin", timeout=20)


@pytest.mark.parametrize("level", AVAILABLE)
def test_restart_reloads_only_the_namespace_in_use(level: str, tmp_path) -> None:
    crash = _module(tmp_path, "crash", "import os\n\n\ndef die():\n    os._exit(3)\n\n\ndef ok():\n    return 1\n")
    other = _module(tmp_path, "other", "print('other imported')\n\n\ndef ok():\n    return 2\n")
    isolation = levels.resolve(level)
    with WorkerClient(scratch=tmp_path / "scratch", isolation=isolation, readable=[tmp_path]) as worker:
        worker.load_file("crash", crash, timeout=10)
        worker.load_file("other", other, timeout=10)
        worker.take_output()

        with pytest.raises(WorkerDied, match="exited with status 3"):
            worker.call("crash", "die", timeout=10)
        assert worker.call("crash", "ok", timeout=10).value == 1
        assert "other imported" not in worker.take_output()
        assert worker.call("other", "ok", timeout=10).value == 2
        assert "other imported" in worker.take_output()


@pytest.mark.parametrize("level", [level for level in AVAILABLE if level != "process"])
def test_module_outside_the_view_is_copied(level: str, tmp_path) -> None:
    folder = tmp_path / "elsewhere"
    folder.mkdir()
    path = _module(folder, "outside", "from pathlib import Path\n\n\ndef where():\n    return str(Path(__file__).parent)\n")
    with WorkerClient(scratch=tmp_path / "scratch", isolation=levels.resolve(level)) as worker:
        assert worker.load_file("outside", path, timeout=10).status == "ok"
        assert worker.call("outside", "where", timeout=10).value.startswith(str(tmp_path / "scratch"))


def test_worker_that_cannot_start_is_a_grader_error(monkeypatch, tmp_path) -> None:
    monkeypatch.setattr(client_module, "_BOOTSTRAP", "import sys; sys.exit(3)")
    submission = tmp_path / "submission"
    (submission / "stable_sigmoid").mkdir(parents=True)
    (submission / "stable_sigmoid" / "activations.py").write_text("def sigmoid(z):\n    return z\n")
    exercise = load(PROJECT / "exercises" / "stable_sigmoid")

    with pytest.raises(WorkerStartError):
        WorkerClient(scratch=tmp_path / "scratch").start()
    report = grade([exercise], TreeSubmission(submission), GradingOptions(sandbox="process"))

    assert {check.status.value for _, check in report.checks()} == {"grader_error"}
    assert all(re.search("not your fault", check.message) for _, check in report.checks())


def test_cli_rejects_an_unavailable_level(monkeypatch, capsys) -> None:
    monkeypatch.setattr(levels, "probe", lambda level: "bubblewrap is not installed" if level == "bwrap" else None)

    code = cli.main(["run", str(PROJECT / "exercises"), "--submission", str(PROJECT / "solutions"), "--sandbox", "bwrap"])

    assert code == cli.ExitCode.USAGE_ERROR
    assert "isolation level bwrap is unavailable: bubblewrap is not installed" in capsys.readouterr().err


def test_summary_and_report_name_the_level(tmp_path, capsys) -> None:
    report_path = tmp_path / "report.json"

    code = cli.main([
        "run", str(PROJECT / "exercises"), "--submission", str(PROJECT / "solutions"),
        "--only", "stable_sigmoid", "--sandbox", "process", "--json", str(report_path),
    ])

    assert code == cli.ExitCode.OK
    assert "Isolation:  process (separate worker process with resource limits" in capsys.readouterr().out
    isolation = json.loads(report_path.read_text())["isolation"]
    assert isolation["level"] == "process"
    assert isolation["requested"] == "process"
    assert "hang" in isolation["prevents"]
