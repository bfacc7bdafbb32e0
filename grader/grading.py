"""Grade one submission: load its code into a worker, run every check, build the report."""

from __future__ import annotations

import importlib.util
import itertools
import logging
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType
from typing import Any, Callable

from grader import __version__
from grader.checks.context import CheckContext
from grader.checks.runner import run_check
from grader.checks.timing import ReferenceWorkers
from grader.diagnostics import collect_diagnostics
from grader.exercise import CheckSpec, Exercise, ExerciseError
from grader.outcome import CheckOutcome, Status
from grader.report.model import CellNote, ExerciseResult, Report
from grader.sandbox import levels
from grader.sandbox.client import Reply, WorkerClient, WorkerDied, WorkerError, WorkerStartError, WorkerTimeout, printable
from grader.sandbox.limits import Limits
from grader.submission import NotebookSubmission, Submission

logger = logging.getLogger(__name__)


@dataclass
class GradingOptions:
    """How to grade: where the references are, and the limits on student code."""

    solutions: Path | None = None
    limits: Limits = field(default_factory=Limits)
    #: Wall-clock budget for one whole submission, in seconds.
    submission_timeout: float = 600.0
    #: Also collect data for pictures: per-layer activations and the timing of a per-sample loop.
    diagnostics: bool = False
    #: Isolation level for student code: one of ``grader.sandbox.levels.CHOICES``.
    sandbox: str = "auto"


def load_references(exercises: list[Exercise], solutions: Path | None) -> dict[str, ModuleType]:
    """Import each exercise's reference solution into the grader process (instructor code, trusted).

    Raises ExerciseError when a reference exists but fails to import, since
    no submission can be graded fairly against a broken reference.
    """
    references: dict[str, ModuleType] = {}
    if solutions is None:
        return references
    for exercise in exercises:
        path = solutions / exercise.name / exercise.module
        if not path.is_file():
            continue
        module_name = f"grader_reference.{exercise.name}"
        spec = importlib.util.spec_from_file_location(module_name, path)
        assert spec is not None and spec.loader is not None
        module = importlib.util.module_from_spec(spec)
        sys.modules[module_name] = module
        try:
            spec.loader.exec_module(module)
        except Exception as error:
            raise ExerciseError(f"{path}: the reference solution failed to import: {type(error).__name__}: {error}") from error
        references[exercise.name] = module
    return references


def grade(
    exercises: list[Exercise],
    submission: Submission,
    options: GradingOptions,
    references: dict[str, ModuleType] | None = None,
) -> Report:
    """Grade ``submission`` on ``exercises`` and return the report; student code never runs here."""
    started = time.perf_counter()
    if references is None:
        references = load_references(exercises, options.solutions)
    isolation = levels.resolve(options.sandbox)
    deadline = time.monotonic() + options.submission_timeout
    diagnostics: dict[str, Any] = {}
    with tempfile.TemporaryDirectory(prefix="grader-") as scratch:
        started_workers = itertools.count(1)

        reference_workers = ReferenceWorkers(options.solutions, Path(scratch) / "reference", options.limits)
        times = PhaseTimes(reference_workers)

        #: Workers started ahead of time for a namespace not yet loaded.
        spares: dict[str, WorkerClient] = {}

        def start_worker(namespace: str) -> WorkerClient:
            if namespace in spares:
                return spares.pop(namespace)
            folder = Path(scratch) / "student" / f"{next(started_workers)}-{namespace}"
            worker = WorkerClient(limits=options.limits, scratch=folder, isolation=isolation, readable=_readable_paths(submission))
            times.track(worker)
            return worker

        def prestart_worker(namespace: str) -> None:
            # The next exercise's worker imports NumPy while this exercise's
            # first checks run.  Timing checks come last in an exercise, so the
            # new worker has usually finished starting before they measure.
            if namespace != loader.worker_namespace and namespace not in spares:
                spares[namespace] = start_worker(namespace)
                spares[namespace].prestart()

        loader = StudentCode(submission, start_worker, deadline)
        if any(spec.kind == "timing" for exercise in exercises for spec in exercise.checks):
            reference_workers.prestart()
        try:
            results = []
            for index, exercise in enumerate(exercises):
                if index + 1 < len(exercises):
                    prestart_worker(submission.namespace(exercises[index + 1]))
                with times.exercise(exercise.name):
                    results.append(
                        _grade_exercise(exercise, loader, references.get(exercise.name), reference_workers, deadline, options, times)
                    )
            if options.diagnostics:
                with times.phase("diagnostics"):
                    diagnostics = collect_diagnostics(exercises, loader, deadline)
            _tidy_messages(results, submission, loader.worker)
        finally:
            with times.phase("stop_workers"):
                loader.close()
                reference_workers.close()
                for spare in spares.values():
                    spare.close()

    report = Report(
        submission=str(getattr(submission, "root", submission)),
        exercises=results,
        solutions=str(options.solutions) if options.solutions else None,
        isolation=isolation.to_dict(),
        grader_version=__version__,
        seconds=time.perf_counter() - started,
        submission_kind=submission.kind,
        submission_error=loader.submission_error,
        cell_notes=loader.cell_notes,
        diagnostics=diagnostics,
        timings=times.to_dict(),
    )
    report.notes.extend(loader.notes)
    if report.unchecked_points:
        report.notes.append(
            f"{report.unchecked_points:g} points need the reference solutions and could not be checked here"
        )
    return report


class PhaseTimes:
    """Wall-clock seconds of each phase of grading one submission, for the report's ``timings``.

    Time the grader spends waiting for worker processes to start is counted
    once, as ``worker_start``, and left out of the phase during which the
    wait happened (loading the student's code, or the first check that needs
    the reference worker).  A worker started ahead of time counts only for
    the time the grader still waited for it.
    """

    def __init__(self, reference_workers: ReferenceWorkers) -> None:
        self.reference_workers = reference_workers
        self.workers: list[WorkerClient] = []
        self.phases: dict[str, float] = {}
        self.exercises: dict[str, float] = {}

    def track(self, worker: WorkerClient) -> None:
        """Count the starts of a worker that runs student code."""
        self.workers.append(worker)

    def _waited(self) -> float:
        reference = self.reference_workers.client
        return sum(worker.start_seconds for worker in [*self.workers, reference] if worker is not None)

    def _clock(self) -> float:
        return time.perf_counter() - self._waited()

    @contextmanager
    def phase(self, name: str) -> Iterator[None]:
        """Add the time of the ``with`` body, less waits for workers to start, to phase ``name``."""
        began = self._clock()
        try:
            yield
        finally:
            self.phases[name] = self.phases.get(name, 0.0) + self._clock() - began

    @contextmanager
    def exercise(self, name: str) -> Iterator[None]:
        """Record the whole time of the ``with`` body, worker starts included, as exercise ``name``'s."""
        began = time.perf_counter()
        try:
            yield
        finally:
            self.exercises[name] = time.perf_counter() - began

    def to_dict(self) -> dict[str, Any]:
        reference = self.reference_workers.client
        return {
            "worker_start": round(self._waited(), 4),
            "worker_starts": sum(worker.starts for worker in self.workers) + (reference.starts if reference is not None else 0),
            **{name: round(seconds, 4) for name, seconds in self.phases.items()},
            "exercises": {name: round(seconds, 4) for name, seconds in self.exercises.items()},
        }


@dataclass
class LoadProblem:
    """Why an exercise's checks cannot run: the student's code failed to load or lacks a function."""

    status: Status
    message: str
    output: str = ""
    hint: str | None = None


class StudentCode:
    """Loads a submission's code into a worker once per namespace and remembers how that went.

    A tree loads one module per exercise; a file or notebook loads once and
    serves every exercise, so a notebook's cells run only once.  Each
    namespace gets a worker of its own from ``start_worker``, so what one
    exercise's module does at import (a thread left running, a patched
    library) costs no other exercise its points.  ``worker`` is the worker of
    the namespace last prepared, and the one before it is closed.
    """

    def __init__(self, submission: Submission, start_worker: Callable[[str], WorkerClient], deadline: float) -> None:
        self.submission = submission
        self.start_worker = start_worker
        self.worker: WorkerClient | None = None
        self.worker_namespace: str | None = None
        self.deadline = deadline
        self.loads: dict[str, LoadProblem | None] = {}
        self.cell_notes: list[CellNote] = []
        self.notes: list[str] = []
        #: Why a file or notebook submission could not be read at all; empty when it could.
        self.submission_error = ""

    def prepare(self, exercise: Exercise) -> LoadProblem | None:
        """Load the code ``exercise`` needs and check that it defines the exercise's functions."""
        namespace = self.submission.namespace(exercise)
        if namespace != self.worker_namespace:
            self.close()
            self.loads.pop(namespace, None)  # a new worker has loaded nothing yet
            self.worker, self.worker_namespace = self.start_worker(namespace), namespace
        if namespace not in self.loads:
            self.loads[namespace] = self._load(exercise)
        problem = self.loads[namespace]
        if problem is not None:
            return problem
        return self._check_functions(exercise, namespace)

    def close(self) -> None:
        if self.worker is not None:
            self.worker.close()
        self.worker = self.worker_namespace = None

    def _load(self, exercise: Exercise) -> LoadProblem | None:
        submission, worker = self.submission, self.worker
        action = "running your notebook" if submission.kind == "notebook" else f"importing {_module_name(submission, exercise)}"
        timeout = max(0.1, min(exercise.limits.import_timeout, self.deadline - time.monotonic()))
        try:
            reply = submission.load(worker, exercise, timeout)
        except WorkerStartError as error:
            logger.error("the worker for %s did not start: %s", exercise.name, error)
            message = (
                f"grader error: the process for your code could not be started ({error}); "
                "this is not your fault, so please tell your instructor"
            )
            return LoadProblem(Status.GRADER_ERROR, message)
        except WorkerTimeout as error:
            return LoadProblem(Status.TIMEOUT, f"{action} did not finish within {error.seconds:g} s (is there a long-running loop at the top level?)", error.output)
        except WorkerDied as error:
            return LoadProblem(Status.ERROR, f"the process running your code {error} while {action}", error.output)
        if reply is None:
            message = submission.describe_missing(exercise)
            if submission.kind != "tree":
                self.submission_error = message
            return LoadProblem(Status.ERROR, message)
        output = worker.take_output()
        if reply.status == "raised":
            message = f"{action} failed with {reply.error_type}: {reply.message}"
            if reply.traceback:
                message += "\n" + reply.traceback.rstrip()
            return LoadProblem(Status.ERROR, message, output)
        if isinstance(submission, NotebookSubmission):
            self._record_cells(submission, reply)
        return None

    def _record_cells(self, submission: NotebookSubmission, reply: Reply) -> None:
        assert submission.notebook is not None
        previews = {cell.number: cell.preview for cell in submission.notebook.cells}
        notes = [CellNote(line.cell, "skipped", line.text) for line in submission.notebook.skipped]
        for cell in reply.cells:
            if cell.status == "raised":
                notes.append(CellNote(cell.number, "raised", f"{cell.error_type}: {cell.message}", previews.get(cell.number, ""), cell.traceback))
            elif cell.status == "timeout":
                notes.append(CellNote(cell.number, "timeout", "it ran longer than the time limit for one cell", previews.get(cell.number, "")))
        self.cell_notes = sorted(notes, key=lambda note: note.cell)
        self.notes.extend(submission.notebook.warnings)
        for note in self.cell_notes:
            if note.kind != "skipped":
                logger.info("%s: %s", submission.root, note.describe())

    def _check_functions(self, exercise: Exercise, namespace: str) -> LoadProblem | None:
        try:
            kinds = self.worker.lookup(namespace, list(exercise.functions))
        except WorkerError as error:
            return LoadProblem(Status.ERROR, f"the process running your code {error}", error.output)
        missing = [name for name in exercise.functions if kinds[name] == "missing"]
        not_callable = [name for name in exercise.functions if kinds[name] == "not_callable"]
        if not missing and not not_callable:
            return None
        if missing:
            message = self.submission.describe_missing_functions(exercise, missing)
        else:
            message = f"`{not_callable[0]}` in your submission is not a function; define it with `def {not_callable[0]}(...)`"
        failed = sorted({note.cell for note in self.cell_notes if note.kind != "skipped"})
        hint = None
        if len(failed) == 1:
            hint = f"cell {failed[0]} stopped with an error, so a definition in it may not have run; see the notebook notes"
        elif failed:
            cells = ", ".join(str(number) for number in failed[:-1]) + f" and {failed[-1]}"
            hint = f"cells {cells} stopped with an error, so a definition in them may not have run; see the notebook notes"
        return LoadProblem(Status.ERROR, message, hint=hint)


def _tidy_messages(results: list[ExerciseResult], submission: Submission, worker: WorkerClient) -> None:
    for result in results:
        for check in result.checks:
            check.message = submission.tidy(check.message, worker)
            if check.output:
                check.output = submission.tidy(check.output, worker)


def _module_name(submission: Submission, exercise: Exercise) -> str:
    return exercise.module if submission.kind == "tree" else submission.name


def _grade_exercise(
    exercise: Exercise,
    loader: StudentCode,
    reference: ModuleType | None,
    reference_workers: ReferenceWorkers,
    deadline: float,
    options: GradingOptions,
    times: PhaseTimes,
) -> ExerciseResult:
    logger.info("grading %s", exercise.name)
    if deadline - time.monotonic() <= 0:
        message = "not run: the submission used up its total time limit"
        return ExerciseResult(exercise.name, exercise.title, [_unrun(check, Status.TIMEOUT, message) for check in exercise.checks])
    with times.phase("load"):
        problem = loader.prepare(exercise)
    if problem is not None:
        checks = [_unrun(check, problem.status, problem.message, problem.output, problem.hint) for check in exercise.checks]
        return ExerciseResult(exercise.name, exercise.title, checks)

    outcomes = []
    for spec in exercise.checks:
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            outcomes.append(_unrun(spec, Status.TIMEOUT, "not run: the submission used up its total time limit"))
            continue
        context = CheckContext(
            exercise=exercise,
            worker=loader.worker,
            namespace=loader.submission.namespace(exercise),
            reference=reference,
            reference_workers=reference_workers,
            check_timeout=min(exercise.limits.check_timeout, remaining),
            diagnostics=options.diagnostics,
        )
        with times.phase("timing_checks" if spec.kind == "timing" else "property_checks"):
            outcomes.append(_printable(run_check(spec, context)))
    return ExerciseResult(exercise.name, exercise.title, outcomes)


def _unrun(spec: CheckSpec, status: Status, message: str, output: str = "", hint: str | None = None) -> CheckOutcome:
    return _printable(CheckOutcome(
        name=spec.name, kind=spec.kind, status=status, score=0.0, max_score=spec.points,
        message=message, description=spec.description, output=output or None, hint=hint, hidden=spec.hidden,
    ))


def _printable(outcome: CheckOutcome) -> CheckOutcome:
    """Escape control characters in every text field, since most of them can quote student code."""
    for name in ("message", "counterexample", "expected", "found", "output"):
        value = getattr(outcome, name)
        if value:
            setattr(outcome, name, printable(value))
    return outcome


def _readable_paths(submission: Submission) -> list[Path]:
    """Return the folders student code may read at the confined isolation levels: its own submission."""
    root = getattr(submission, "root", None)
    return [Path(root)] if root is not None and Path(root).is_dir() else []
