"""Grade one submission: load its code into a worker, run every check, build the report."""

from __future__ import annotations

import importlib.util
import logging
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType

from grader import __version__
from grader.checks.context import CheckContext
from grader.checks.runner import run_check
from grader.checks.timing import ReferenceWorkers
from grader.exercise import Exercise, ExerciseError
from grader.outcome import CheckOutcome, Status
from grader.report.model import ExerciseResult, Report
from grader.sandbox.client import WorkerClient, WorkerDied, WorkerTimeout
from grader.sandbox.limits import Limits
from grader.submission import Submission

logger = logging.getLogger(__name__)


@dataclass
class GradingOptions:
    """How to grade: where the references are, and the limits on student code."""

    solutions: Path | None = None
    limits: Limits = field(default_factory=Limits)
    #: Wall-clock budget for one whole submission, in seconds.
    submission_timeout: float = 600.0


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
    deadline = time.monotonic() + options.submission_timeout
    with tempfile.TemporaryDirectory(prefix="grader-") as scratch:
        worker = WorkerClient(limits=options.limits, scratch=Path(scratch) / "student")
        reference_workers = ReferenceWorkers(options.solutions, Path(scratch) / "reference", options.limits)
        try:
            results = [
                _grade_exercise(exercise, submission, worker, references.get(exercise.name), reference_workers, deadline)
                for exercise in exercises
            ]
        finally:
            worker.close()
            reference_workers.close()

    report = Report(
        submission=str(getattr(submission, "root", submission)),
        exercises=results,
        solutions=str(options.solutions) if options.solutions else None,
        isolation={"level": "process", "summary": "separate worker process with resource limits"},
        grader_version=__version__,
        seconds=time.perf_counter() - started,
    )
    if report.unchecked_points:
        report.notes.append(
            f"{report.unchecked_points:g} points need the reference solutions and could not be checked here"
        )
    return report


def _grade_exercise(
    exercise: Exercise,
    submission: Submission,
    worker: WorkerClient,
    reference: ModuleType | None,
    reference_workers: ReferenceWorkers,
    deadline: float,
) -> ExerciseResult:
    logger.info("grading %s", exercise.name)
    problem = _load_student_module(exercise, submission, worker, deadline)
    if problem is not None:
        status, message, output = problem
        return ExerciseResult(exercise.name, exercise.title, [_unrun(check, exercise, status, message, output) for check in exercise.checks])

    outcomes = []
    for spec in exercise.checks:
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            outcomes.append(_unrun(spec, exercise, Status.TIMEOUT, "not run: the submission used up its total time limit"))
            continue
        context = CheckContext(
            exercise=exercise,
            worker=worker,
            namespace=exercise.name,
            reference=reference,
            reference_workers=reference_workers,
            check_timeout=min(exercise.limits.check_timeout, remaining),
        )
        outcomes.append(run_check(spec, context))
    return ExerciseResult(exercise.name, exercise.title, outcomes)


def _load_student_module(
    exercise: Exercise, submission: Submission, worker: WorkerClient, deadline: float
) -> tuple[Status, str, str] | None:
    """Import the student's module; return (status, message, output) when that fails, else None."""
    timeout = max(0.1, min(exercise.limits.import_timeout, deadline - time.monotonic()))
    try:
        reply = submission.load(worker, exercise, timeout)
    except WorkerTimeout as error:
        return Status.TIMEOUT, f"importing {exercise.module} did not finish within {timeout:g} s (is there a long-running loop at the top level?)", error.output
    except WorkerDied as error:
        return Status.ERROR, f"the process running your code {error} while importing {exercise.module}", error.output
    if reply is None:
        return Status.ERROR, submission.describe_missing(exercise), ""
    output = worker.take_output()
    if reply.status == "raised":
        message = f"importing {exercise.module} failed with {reply.error_type}: {reply.message}"
        if reply.traceback:
            message += "\n" + reply.traceback.rstrip()
        return Status.ERROR, message, output
    return None


def _unrun(spec, exercise: Exercise, status: Status, message: str, output: str = "") -> CheckOutcome:
    return CheckOutcome(
        name=spec.name, kind=spec.kind, status=status, score=0.0, max_score=spec.points,
        message=message, description=spec.description, output=output or None,
    )
