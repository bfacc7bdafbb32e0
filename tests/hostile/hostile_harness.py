"""Run the grader on a hostile submission and collect what it changed.

Every run uses a fresh copy of the grader package, the two exercises and
their solutions in a temporary folder.  It grades through the command line
in a subprocess, so a submission that gets past the sandbox can only damage
the copy.  The exercise copies use shorter limits and fewer examples than
the real ones, which keeps the corpus fast; ``test_hostile_budget.py`` uses the real
limits.

A run lays out a small class folder::

    class/
      <case>/            the submission: the case's modules, the rest from solutions/
      other_student/     a correct submission that must not change
      report.json        written by the grader through --json

Cases with the same ``group`` share one run: each gets its own copy of the
sigmoid exercise, named after the case, inside one submission that also
contains a correct forward pass.  So a group also shows that one broken
exercise leaves the others' points alone.
"""

from __future__ import annotations

import hashlib
import json
import os
import secrets
import shutil
import socket
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import yaml

from grader.sandbox import levels

PROJECT = Path(__file__).resolve().parents[2]
CASES = Path(__file__).resolve().parent
EXERCISES = ("stable_sigmoid", "batched_forward")
MODULES = {"stable_sigmoid": "activations.py", "batched_forward": "forward.py"}

#: Limits written into the copied exercise.yaml files, in seconds.
FAST_LIMITS = {"call_timeout": 0.5, "import_timeout": 3, "check_timeout": 20}
FAST_EXAMPLES = 10
#: A variable only the grader's environment holds; submissions must not find it where the level claims so.
SECRET = f"grader-test-secret-{secrets.token_hex(8)}"

#: Starts the copied grader's command line.  Shrinking is left out, since these tests
#: look at statuses and messages, not at minimal counterexamples, and it dominates their time.
_BOOTSTRAP = (
    "import sys; sys.path.insert(0, sys.argv.pop(1)); "
    "import hypothesis; "
    "hypothesis.settings.register_profile('corpus', phases=[hypothesis.Phase.explicit, hypothesis.Phase.generate]); "
    "hypothesis.settings.load_profile('corpus'); "
    "from grader.cli import main; sys.exit(main(sys.argv[1:]))"
)


@dataclass
class Case:
    """One hostile submission and its ``expected.yaml``."""

    name: str
    folder: Path
    summary: str
    expect: dict[str, Any]
    messages: dict[str, str] = field(default_factory=dict)
    bound: float = 20.0
    claim: str | None = None
    requires: list[str] = field(default_factory=list)
    tamper: bool = False
    network: bool = False
    settle: float = 0.0
    #: ``all`` levels, ``best`` (the strongest available) or ``both`` (process and the strongest).
    levels: str = ""
    group: str | None = None
    alone: bool = False

    @classmethod
    def load(cls, folder: Path) -> "Case":
        data = yaml.safe_load((folder / "expected.yaml").read_text())
        known = set(cls.__dataclass_fields__) - {"name", "folder"}
        unknown = set(data) - known
        if unknown:
            raise ValueError(f"{folder / 'expected.yaml'}: unknown keys {sorted(unknown)}")
        return cls(name=folder.name, folder=folder, **data)

    @property
    def level_choice(self) -> str:
        return self.levels or ("all" if self.claim or self.requires else "both")

    def allowed(self, exercise: str, check: str) -> list[str] | None:
        """The statuses ``check`` may end with, or None when any status is fine."""
        rule = self.expect.get(exercise, "passed")
        if isinstance(rule, dict):
            rule = rule.get(check, rule.get("default", "passed"))
        if rule == "any":
            return None
        return [rule] if isinstance(rule, str) else list(rule)


def all_cases() -> list[Case]:
    return [Case.load(folder) for folder in sorted(CASES.iterdir()) if (folder / "expected.yaml").is_file()]


def strongest_level() -> str:
    return next((level for level in ("bwrap", "namespace") if levels.probe(level) is None), "process")


@dataclass
class Run:
    """What one grader run produced and changed."""

    level: str
    returncode: int
    seconds: float
    stdout: str
    stderr: str
    report_text: str
    report: dict[str, Any]
    before: dict[str, dict[str, str]]
    after: dict[str, dict[str, str]]
    connections: list[bytes]
    report_later: str
    markdown: str

    def checks(self) -> list[tuple[str, dict[str, Any]]]:
        return [(exercise["name"], check) for exercise in self.report["exercises"] for check in exercise["checks"]]

    def exercise(self, name: str) -> dict[str, Any]:
        return next(exercise for exercise in self.report["exercises"] if exercise["name"] == name)


def snapshot(folder: Path) -> dict[str, str]:
    """Map every file below ``folder`` to a hash of its bytes and mode; caches are left out."""
    found = {}
    for path in sorted(folder.rglob("*")):
        if "__pycache__" in path.parts or path.is_dir():
            continue
        found[str(path.relative_to(folder))] = hashlib.sha256(path.read_bytes()).hexdigest() + oct(path.stat().st_mode)
    return found


def _fast_exercise(folder: Path) -> None:
    path = folder / "exercise.yaml"
    data = yaml.safe_load(path.read_text())
    data["limits"] = dict(FAST_LIMITS)
    data.setdefault("hypothesis", {})["max_examples"] = FAST_EXAMPLES
    timing = data.get("settings", {}).get("timing")
    if timing:
        # Timing is not under test here, and on a loaded machine three rounds
        # of a correct forward pass can differ fivefold from the reference.
        timing.update(call_timeout=2, rounds=3, max_slowdown=1000)
    path.write_text(yaml.safe_dump(data, sort_keys=False))


def make_project(root: Path, sigmoid_copies: list[str] = ()) -> Path:
    """Copy the grader package, the exercises and their solutions into ``root``.

    Each name in ``sigmoid_copies`` becomes one more exercise, a copy of the
    sigmoid exercise with its solution.
    """
    ignore = shutil.ignore_patterns("__pycache__")
    shutil.copytree(PROJECT / "grader", root / "grader", ignore=ignore)
    for name in EXERCISES:
        shutil.copytree(PROJECT / "exercises" / name, root / "exercises" / name, ignore=ignore)
        shutil.copytree(PROJECT / "solutions" / name, root / "solutions" / name, ignore=ignore)
        _fast_exercise(root / "exercises" / name)
    for copy in sigmoid_copies:
        shutil.copytree(root / "exercises" / "stable_sigmoid", root / "exercises" / copy)
        shutil.copytree(root / "solutions" / "stable_sigmoid", root / "solutions" / copy)
    return root


def make_submission(case_folder: Path | None, target: Path) -> Path:
    """Lay out a submission: the case's modules where it has them, the reference solution elsewhere."""
    for name in EXERCISES:
        source = case_folder / name if case_folder is not None else None
        if source is not None and source.is_dir():
            shutil.copytree(source, target / name)
        else:
            (target / name).mkdir(parents=True)
            shutil.copy(PROJECT / "solutions" / name / MODULES[name], target / name / MODULES[name])
    return target


class Listener:
    """A TCP server on 127.0.0.1 that records what connecting clients send."""

    def __init__(self) -> None:
        self.server = socket.create_server(("127.0.0.1", 0))
        self.server.settimeout(0.2)
        self.port = self.server.getsockname()[1]
        self.received: list[bytes] = []
        self.stopped = threading.Event()
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _serve(self) -> None:
        while not self.stopped.is_set():
            try:
                connection, _ = self.server.accept()
            except (TimeoutError, OSError):
                continue
            with connection:
                connection.settimeout(1)
                try:
                    self.received.append(connection.recv(1024))
                except OSError:
                    self.received.append(b"")

    def close(self) -> None:
        self.stopped.set()
        self.thread.join(timeout=2)
        self.server.close()


def run_grader(
    project: Path,
    submission: Path,
    report: Path,
    level: str,
    *,
    timeout: float,
    extra: list[str] = (),
) -> tuple[subprocess.CompletedProcess, float]:
    """Run the copied grader's command line on ``submission``; returns the process and its wall time."""
    command = [
        sys.executable, "-I", "-c", _BOOTSTRAP, str(project),
        "run", str(project / "exercises"), "--submission", str(submission),
        "--solutions", str(project / "solutions"), "--sandbox", level, "--colour", "never",
        "--json", str(report), "--markdown", str(report.with_suffix(".md")),
        *extra,
    ]
    environment = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "LANG": "C.UTF-8", "GRADER_TEST_SECRET": SECRET}
    started = time.monotonic()
    completed = subprocess.run(
        command, cwd=project, env=environment, capture_output=True, text=True, errors="replace", timeout=timeout
    )
    return completed, time.monotonic() - started


def run_case(case: Case, level: str, tmp_path: Path) -> Run:
    """Grade ``case`` alone at ``level``."""
    project = make_project(tmp_path / "project")
    submission = make_submission(case.folder, tmp_path / "class" / case.name)
    return _run(project, submission, level, network=case.network, settle=case.settle, bound=case.bound)


def run_group(cases: list[Case], level: str, tmp_path: Path) -> Run:
    """Grade ``cases`` in one submission at ``level``, each as an exercise named after it."""
    project = make_project(tmp_path / "project", [case.name for case in cases])
    submission = make_submission(None, tmp_path / "class" / "group")
    for case in cases:
        shutil.copytree(case.folder / "stable_sigmoid", submission / case.name)
    return _run(project, submission, level, network=False, settle=0.0, bound=sum(case.bound for case in cases))


def _run(project: Path, submission: Path, level: str, *, network: bool, settle: float, bound: float) -> Run:
    klass = submission.parent
    make_submission(None, klass / "other_student")
    report_path = klass / "report.json"
    watched = {
        "grader": project / "grader",
        "exercises": project / "exercises",
        "solutions": project / "solutions",
        "other_student": klass / "other_student",
    }
    before = {name: snapshot(folder) for name, folder in watched.items()}
    listener = Listener() if network else None
    if listener is not None:
        (submission / "port.txt").write_text(str(listener.port))
    try:
        completed, seconds = run_grader(project, submission, report_path, level, timeout=bound + 60)
        report_text = report_path.read_text() if report_path.is_file() else ""
        if settle:
            time.sleep(settle)
    finally:
        if listener is not None:
            listener.close()
    after = {name: snapshot(folder) for name, folder in watched.items()}
    try:
        report = json.loads(report_text)
    except ValueError:
        report = {}
    return Run(
        level=level,
        returncode=completed.returncode,
        seconds=seconds,
        stdout=completed.stdout,
        stderr=completed.stderr,
        report_text=report_text,
        report=report,
        before=before,
        after=after,
        connections=list(listener.received) if listener is not None else [],
        report_later=report_path.read_text() if report_path.is_file() else "",
        markdown=report_path.with_suffix(".md").read_text() if report_path.with_suffix(".md").is_file() else "",
    )


@pytest.fixture(scope="module", autouse=True)
def checkout_unchanged():
    """Fail the module's last test if any run changed the real grader package, exercises or solutions.

    Test modules import this fixture by name.  A conftest.py here would be
    imported as ``conftest`` and hide the one the other test folders import.
    """
    watched = [PROJECT / "grader", PROJECT / "exercises", PROJECT / "solutions"]
    before = [snapshot(folder) for folder in watched]
    yield
    after = [snapshot(folder) for folder in watched]
    for folder, old, new in zip(watched, before, after):
        assert old == new, f"a test changed files in {folder}"
