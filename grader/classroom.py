"""Grading a whole class: every entry of a folder is one student's submission.

Submissions are graded in parallel by a pool of grader processes, each
grading one submission at a time with its own workers, because generating
inputs with Hypothesis is CPU-bound and runs in the grader.  Reports cross
back to this process as plain dicts.  Each report is written atomically as
soon as it arrives, with content hashes of the submission and of everything
else that grading depends on.  A later run skips every student whose report
is still current, so a killed run can simply be started again.
"""

from __future__ import annotations

import concurrent.futures
import hashlib
import json
import logging
import multiprocessing
import os
import signal
import threading
import time
import traceback
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import grader
from grader import __version__
from grader.exercise import Exercise, discover, load
from grader.grading import GradingOptions, grade, load_references
from grader.outcome import CheckOutcome, Status
from grader.progress import Progress
from grader.report import gradebook, json_report, junit, markdown
from grader.report.model import ExerciseResult, Report
from grader.submission import SubmissionError, hash_files, locate, walk_files

logger = logging.getLogger(__name__)

REPORT_JSON = "report.json"
REPORT_MARKDOWN = "report.md"
GRADEBOOK_FILE = "gradebook.csv"
SUMMARY_FILE = "summary.md"
#: File names in the output folder that a student's folder must not take.
RESERVED_NAMES = frozenset({GRADEBOOK_FILE, SUMMARY_FILE, "scores.png", "checks.png"})
#: Attempts at one submission when its grading process dies (for example, killed for memory).
MAX_ATTEMPTS = 2


class ClassError(Exception):
    """The class folder or the output folder cannot be used.  The message names it and the reason."""


@dataclass(frozen=True)
class Student:
    """One entry of the class folder: a folder, a .py file or a .ipynb notebook."""

    name: str
    path: Path


@dataclass(frozen=True)
class ClassSettings:
    """Settings that every grading process needs, as plain data that pickles."""

    exercises_root: Path
    only: tuple[str, ...] | None
    solutions: Path | None
    diagnostics: bool = False
    #: Folder for each student's pictures (``PLOTS/<student>/``), or None for none.
    plots: Path | None = None
    log_level: int = logging.WARNING
    #: Isolation level for student code, one of ``grader.sandbox.levels.CHOICES``.
    sandbox: str = "auto"


@dataclass
class ClassResult:
    """The reports of a class run, sorted by student, and what happened to each."""

    entries: list[tuple[str, Report]] = field(default_factory=list)
    graded: list[str] = field(default_factory=list)
    reused: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)
    skipped_entries: list[str] = field(default_factory=list)
    seconds: float = 0.0


def find_students(folder: Path, *, exclude: Path | None = None) -> tuple[list[Student], list[str]]:
    """Return the students in ``folder`` sorted by name, and the entries that are not submissions.

    A student is named after the entry without its suffix (``alice.ipynb`` is
    ``alice``), unless two entries share that name, which then keep their
    full names.  Hidden entries and Python caches are ignored.
    """
    if not folder.is_dir():
        raise ClassError(f"--submissions {folder}: folder not found")
    candidates, skipped = [], []
    for entry in sorted(folder.iterdir()):
        if entry.name.startswith((".", "_")):
            continue
        if exclude is not None and entry.resolve() == exclude.resolve():
            continue
        if entry.is_dir() or entry.suffix in (".py", ".ipynb"):
            candidates.append(entry)
        else:
            skipped.append(entry.name)
            logger.warning("%s: not graded, because it is not a folder, a .py file or a .ipynb notebook", entry)
    stems = [entry.stem if entry.is_file() else entry.name for entry in candidates]
    students = [
        Student(stem if stems.count(stem) == 1 else entry.name, entry) for stem, entry in zip(stems, candidates)
    ]
    clashing = sorted(student.name for student in students if student.name in RESERVED_NAMES)
    if clashing:
        raise ClassError(
            f"{folder}: {', '.join(clashing)} would overwrite the class files of the same name; rename those entries"
        )
    return sorted(students, key=lambda student: student.name), skipped


def load_exercises(root: Path, only: tuple[str, ...] | None) -> list[Exercise]:
    """Load the exercises under ``root`` (those named in ``only``, if given), in the order they are graded."""
    folders = discover(root)
    if only:
        folders = [folder for folder in folders if folder.name in only]
    return sorted((load(folder) for folder in folders), key=lambda exercise: (exercise.order, exercise.name))


def grading_fingerprint(settings: ClassSettings, exercises: list[Exercise]) -> str:
    """Return a SHA-256 over everything besides the submission that can change a grade.

    That is the grader's version and source, the exercises graded (their
    whole folders) and the reference solutions.
    """
    digest = hashlib.sha256(f"grader {__version__}\n".encode())
    package = Path(grader.__file__).parent
    digest.update(hash_files(package, [path for path in walk_files(package) if path.suffix == ".py"]).encode())
    for exercise in exercises:
        digest.update(f"exercise {exercise.name}\n".encode())
        digest.update(hash_files(exercise.folder, list(walk_files(exercise.folder))).encode())
        if settings.solutions is not None and (settings.solutions / exercise.name).is_dir():
            folder = settings.solutions / exercise.name
            digest.update(hash_files(folder, list(walk_files(folder))).encode())
    return digest.hexdigest()


def submission_fingerprint(student: Student) -> str:
    try:
        return locate(student.path).fingerprint()
    except (SubmissionError, OSError):
        return ""


# The grading processes.

#: Exercises and references loaded once in each grading process by ``_start_process``.
_process_state: dict[str, Any] = {}


def _start_process(settings: ClassSettings, parent: int) -> None:
    """Prepare a grading process: load the exercises once and exit when the parent does."""
    logging.basicConfig(level=settings.log_level, format="%(levelname)s %(name)s: %(message)s")
    # Ctrl-C goes to the parent, which stops the run; a grading process must not print a traceback for it.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    exercises = load_exercises(settings.exercises_root, settings.only)
    _process_state.update(
        settings=settings,
        exercises=exercises,
        references=load_references(exercises, settings.solutions),
    )
    threading.Thread(target=_exit_with_parent, args=(parent,), daemon=True, name="parent-watch").start()


def _exit_with_parent(parent: int) -> None:
    # A parent killed with SIGKILL cannot stop its pool, so each process watches for being orphaned.
    while os.getppid() == parent:
        time.sleep(0.5)
    os._exit(1)


def _grade_student(student: Student) -> dict[str, Any]:
    """Grade one submission in a grading process; return the report as a dict, or the error."""
    settings: ClassSettings = _process_state["settings"]
    try:
        submission = locate(student.path)
        options = GradingOptions(solutions=settings.solutions, diagnostics=settings.diagnostics, sandbox=settings.sandbox)
        report = grade(_process_state["exercises"], submission, options, _process_state["references"])
        report.student = student.name
        if settings.plots is not None:
            from grader.report import plots

            _, missing = plots.write_submission_plots(report, settings.plots / student.name)
            report.notes.extend(missing)
        return {"report": report.to_dict()}
    except Exception:  # noqa: BLE001 - one broken submission or grader bug must not stop the class
        return {"error": traceback.format_exc()[-8000:]}


# The parent process.


class ClassGrader:
    """Grades the students of a class and writes their reports as they arrive."""

    def __init__(
        self,
        settings: ClassSettings,
        exercises: list[Exercise],
        *,
        out: Path | None,
        jobs: int,
        force: bool = False,
        progress: Progress | None = None,
    ) -> None:
        self.settings = settings
        self.exercises = exercises
        self.out = out
        self.jobs = max(1, jobs)
        self.force = force
        self.progress = progress or Progress()
        self.grading_hash = grading_fingerprint(settings, exercises)

    def run(self, students: list[Student]) -> ClassResult:
        started = time.monotonic()
        result = ClassResult()
        reports: dict[str, Report] = {}
        if self.out is not None:
            remove_stale_temporaries(self.out)

        pending: list[tuple[Student, dict[str, str]]] = []
        for student in students:
            fingerprint = {"submission": submission_fingerprint(student), "grading": self.grading_hash}
            cached = None if self.force else self._current_report(student, fingerprint)
            if cached is not None:
                reports[student.name] = cached
                result.reused.append(student.name)
            else:
                pending.append((student, fingerprint))

        self.progress.start(total=len(students), done=len(result.reused), jobs=min(self.jobs, max(1, len(pending))))
        try:
            if pending:
                self._grade_all(pending, reports, result)
        finally:
            self.progress.close()
        result.entries = sorted(reports.items())
        result.seconds = time.monotonic() - started
        return result

    def _grade_all(self, pending: list[tuple[Student, dict[str, str]]], reports: dict[str, Report], result: ClassResult) -> None:
        attempts = {student.name: 0 for student, _ in pending}
        waiting = list(pending)
        while waiting:
            retry: list[tuple[Student, dict[str, str]]] = []
            executor = concurrent.futures.ProcessPoolExecutor(
                max_workers=min(self.jobs, len(waiting)),
                mp_context=multiprocessing.get_context("spawn"),
                initializer=_start_process,
                initargs=(self.settings, os.getpid()),
            )
            try:
                futures = {executor.submit(_grade_student, student): (student, fingerprint) for student, fingerprint in waiting}
                for future in concurrent.futures.as_completed(futures):
                    student, fingerprint = futures[future]
                    attempts[student.name] += 1
                    try:
                        outcome = future.result()
                    except concurrent.futures.process.BrokenProcessPool:
                        if attempts[student.name] < MAX_ATTEMPTS:
                            retry.append((student, fingerprint))
                            continue
                        outcome = {"error": "the grading process died while grading this submission, twice"}
                    report = self._accept(student, fingerprint, outcome, result)
                    reports[student.name] = report
                    self.progress.advance(student.name, report, failed=student.name in result.failed)
            except BaseException:
                _stop_pool(executor)
                raise
            executor.shutdown(wait=True)
            if retry:
                logger.warning("a grading process died; grading %d submissions again", len(retry))
            waiting = retry

    def _accept(self, student: Student, fingerprint: dict[str, str], outcome: dict[str, Any], result: ClassResult) -> Report:
        if "report" in outcome:
            report = Report.from_dict(outcome["report"])
            if report.grader_failed:
                result.failed.append(student.name)
            else:
                report.fingerprint = fingerprint
            result.graded.append(student.name)
        else:
            logger.error("grading %s failed:\n%s", student.name, outcome["error"])
            report = grader_error_report(student, self.exercises, outcome["error"])
            result.failed.append(student.name)
        if self.out is not None:
            write_student_report(self.out / student.name, report)
        return report

    def _current_report(self, student: Student, fingerprint: dict[str, str]) -> Report | None:
        """Return the student's report from the output folder when it is still current, else None."""
        if self.out is None or not fingerprint["submission"]:
            return None
        folder = self.out / student.name
        try:
            report = Report.from_dict(json.loads((folder / REPORT_JSON).read_text(encoding="utf-8")))
        except (OSError, ValueError, KeyError, TypeError):
            return None
        if report.fingerprint != fingerprint:
            return None
        if self.settings.diagnostics and "activations" not in report.diagnostics:
            return None
        if not (folder / REPORT_MARKDOWN).is_file():
            markdown.write(report, folder / REPORT_MARKDOWN)
        pictures = None if self.settings.plots is None else self.settings.plots / student.name
        if pictures is not None and not pictures.exists():
            from grader.report import plots

            plots.write_submission_plots(report, pictures)
        return report


def write_class_files(result: ClassResult, *, out: Path | None, plots: Path | None, junit_file: Path | None) -> list[Path]:
    """Write the gradebook, the summary, the class pictures and the JUnit XML requested; return their paths."""
    written: list[Path] = []
    reports = [report for _, report in result.entries]
    picture_folders = [folder for folder in (out, plots) if folder is not None]
    if picture_folders:
        from grader.report import plots as pictures

        for folder in dict.fromkeys(picture_folders):
            written += pictures.write_class_plots(reports, folder)
    if out is not None:
        gradebook.write_csv(result.entries, out / GRADEBOOK_FILE)
        gradebook.write_summary(result.entries, out / SUMMARY_FILE, skipped_entries=result.skipped_entries)
        written += [out / GRADEBOOK_FILE, out / SUMMARY_FILE]
    if junit_file is not None:
        junit.write_many(result.entries, junit_file)
        written.append(junit_file)
    return written


def write_student_report(folder: Path, report: Report) -> None:
    """Write report.md, then report.json, whose presence marks the pair as complete."""
    markdown.write(report, folder / REPORT_MARKDOWN)
    json_report.write(report, folder / REPORT_JSON)


def grader_error_report(student: Student, exercises: list[Exercise], detail: str) -> Report:
    """Build the report of a submission whose grading crashed: every check is a grader error."""
    message = "grader error: grading this submission failed; this is not your fault, so please tell your instructor"
    results = [
        ExerciseResult(
            exercise.name,
            exercise.title,
            [
                CheckOutcome(
                    name=spec.name, kind=spec.kind, status=Status.GRADER_ERROR, score=0.0, max_score=spec.points,
                    message=message, description=spec.description, staff_detail=detail, hidden=spec.hidden,
                )
                for spec in exercise.checks
            ],
        )
        for exercise in exercises
    ]
    return Report(submission=str(student.path), exercises=results, grader_version=__version__, student=student.name)


def remove_stale_temporaries(folder: Path) -> None:
    """Delete temporary files that a killed run left behind in the output folder (``.NAME.*.tmp``)."""
    if not folder.is_dir():
        return
    for path in [*folder.glob(".*.tmp"), *folder.glob("*/.*.tmp")]:
        try:
            path.unlink()
            logger.info("removed %s, left by an interrupted run", path)
        except OSError as error:
            logger.warning("could not remove %s: %s", path, error)


def _stop_pool(executor: concurrent.futures.ProcessPoolExecutor) -> None:
    """Stop the pool at once, killing grading processes that are still busy."""
    # NOTE: ProcessPoolExecutor has no public way to end busy processes before Python 3.14
    # (terminate_workers), so this reads its private table of processes, which shutdown clears.
    processes = list((getattr(executor, "_processes", None) or {}).values())
    executor.shutdown(wait=False, cancel_futures=True)
    for process in processes:
        try:
            process.terminate()
        except (OSError, ValueError):
            pass
