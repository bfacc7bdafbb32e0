"""``grader validate``: prove that an exercise's checks grade what they should.

After an exercise changes, validation grades, for each exercise:

- the reference solution, several times: it must get full marks, timing
  checks included, with identical outcomes on every run;
- the stub students start from: it must score 0 with every check "not
  implemented";
- every misconception mutant (``grader.mutants``): it must lose points on each
  check its ``mutant.yaml`` names and show there the hint keyed to the named
  failure code, and no check may crash on it;
- coverage: every check must take points from at least one mutant, unless
  ``uncovered.yaml`` gives the reason why none does.

It also makes sure no student-visible text of a mutant's report quotes a line
of the reference solution that the exercise folder does not already show.
Each grading job grades one submission on one exercise, and jobs run in
parallel processes.
"""

from __future__ import annotations

import ast
import concurrent.futures
import logging
import multiprocessing
import shutil
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable

from grader.exercise import Exercise, load
from grader.grading import GradingOptions, grade
from grader.mutants import Catalogue, Mutant, load_catalogue
from grader.outcome import CheckOutcome, Status
from grader.report.model import ExerciseResult
from grader.submission import locate

logger = logging.getLogger(__name__)

#: Reference lines shorter than this are too generic (``return out``) to count as a leak.
MIN_LEAK_CHARS = 16


@dataclass(frozen=True)
class Job:
    """One grading: ``submission`` (laid out like the exercises folder) on one exercise."""

    kind: str  # "reference", "stub" or "mutant"
    exercise_folder: Path
    submission: Path
    solutions: Path | None
    name: str = ""
    run: int = 0

    def describe(self) -> str:
        exercise = self.exercise_folder.name
        if self.kind == "reference":
            return f"{exercise} reference, run {self.run + 1}"
        return f"{exercise} {self.kind} {self.name}".rstrip()


@dataclass
class MutantVerdict:
    mutant: Mutant
    result: ExerciseResult
    #: Cell text for each check name, for the table.
    cells: dict[str, str]
    problems: list[str]


@dataclass
class ExerciseValidation:
    exercise: Exercise
    catalogue: Catalogue
    reference_runs: list[ExerciseResult] = field(default_factory=list)
    stub: ExerciseResult | None = None
    mutants: list[MutantVerdict] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)

    def caught_by(self, check: str) -> list[str]:
        """Names of the mutants that lost points on ``check``."""
        return [verdict.mutant.name for verdict in self.mutants if _lost_points(_outcome(verdict.result, check))]


@dataclass
class Validation:
    exercises: list[ExerciseValidation]
    seconds: float

    @property
    def problems(self) -> list[str]:
        return [problem for exercise in self.exercises for problem in exercise.problems]

    @property
    def passed(self) -> bool:
        return not self.problems

    @property
    def mutant_count(self) -> int:
        return sum(len(exercise.mutants) for exercise in self.exercises)


def validate(
    exercises: list[Exercise],
    *,
    mutants_root: Path,
    solutions: Path | None,
    runs: int = 3,
    jobs: int = 2,
) -> Validation:
    """Grade references, stubs and mutants of ``exercises`` and judge every outcome."""
    started = time.perf_counter()
    catalogues = {exercise.name: load_catalogue(mutants_root, exercise) for exercise in exercises}
    with tempfile.TemporaryDirectory(prefix="grader-validate-") as scratch:
        planned = _plan(exercises, catalogues, solutions, runs, Path(scratch))
        results = _run_jobs(planned, jobs)

    validations = []
    for exercise in exercises:
        validation = ExerciseValidation(exercise, catalogues[exercise.name])
        for job, result in zip(planned, results):
            if job.exercise_folder != exercise.folder:
                continue
            if job.kind == "reference":
                validation.reference_runs.append(result)
            elif job.kind == "stub":
                validation.stub = result
            else:
                mutant = next(m for m in validation.catalogue.mutants if m.name == job.name)
                validation.mutants.append(_judge_mutant(exercise, mutant, result))
        _judge(validation, solutions, runs)
        validations.append(validation)
    return Validation(validations, time.perf_counter() - started)


# Planning and running the grading jobs.


def _plan(
    exercises: list[Exercise], catalogues: dict[str, Catalogue], solutions: Path | None, runs: int, scratch: Path
) -> list[Job]:
    """List the jobs of each exercise: the reference runs, the stub, then every mutant."""
    jobs: list[Job] = []
    for exercise in exercises:
        if solutions is not None:
            jobs += [Job("reference", exercise.folder, solutions, solutions, run=run) for run in range(runs)]
        jobs.append(Job("stub", exercise.folder, exercise.folder.parent, solutions))
        for mutant in catalogues[exercise.name].mutants:
            submission = scratch / exercise.name / mutant.name
            _copy_module_files(mutant.folder, submission / exercise.name)
            jobs.append(Job("mutant", exercise.folder, submission, solutions, name=mutant.name))
    return jobs


def _copy_module_files(source: Path, target: Path) -> None:
    """Copy a mutant's Python files into ``target``, which becomes one exercise of a submission."""
    target.mkdir(parents=True)
    for path in source.glob("*.py"):
        shutil.copy2(path, target / path.name)


def _run_jobs(planned: list[Job], jobs: int) -> list[ExerciseResult]:
    """Grade every job, in ``jobs`` processes at once, and return the results in the order of ``planned``."""
    if jobs <= 1:
        graded = []
        for done, job in enumerate(planned, start=1):
            graded.append(_grade_job(job))
            _log_progress(job, graded[-1], done, len(planned))
        return [result for result, _ in graded]

    # Each pool process starts a fresh interpreter, because forking a parent
    # that runs threads (a worker's output reader) can copy a held lock.
    context = multiprocessing.get_context("spawn")
    with concurrent.futures.ProcessPoolExecutor(max_workers=jobs, mp_context=context) as pool:
        futures = {pool.submit(_grade_job, job): job for job in planned}
        for done, future in enumerate(concurrent.futures.as_completed(futures), start=1):
            _log_progress(futures[future], future.result(), done, len(futures))
        return [future.result()[0] for future in futures]


def _log_progress(job: Job, graded: tuple[ExerciseResult, float], done: int, total: int) -> None:
    result, seconds = graded
    logger.info("graded %s: %g of %g points in %.1f s (%d of %d)", job.describe(), result.score, result.max_score, seconds, done, total)


_LOADED: dict[Path, Exercise] = {}


def _grade_job(job: Job) -> tuple[ExerciseResult, float]:
    """Grade one job and return its result and wall-clock seconds.

    In a pool process each exercise is loaded once, on the first job that needs it.
    """
    exercise = _LOADED.get(job.exercise_folder)
    if exercise is None:
        exercise = _LOADED[job.exercise_folder] = load(job.exercise_folder)
    report = grade([exercise], locate(job.submission), GradingOptions(solutions=job.solutions))
    return report.exercises[0], report.seconds


# Judging the outcomes.


def _outcome(result: ExerciseResult, check: str) -> CheckOutcome:
    return next(outcome for outcome in result.checks if outcome.name == check)


def _lost_points(outcome: CheckOutcome) -> bool:
    return outcome.status is not Status.SKIPPED and outcome.score < outcome.max_score


def _fingerprint(result: ExerciseResult) -> list[tuple]:
    """What must repeat exactly between runs: everything a student reads, and the score."""
    return [
        (outcome.name, outcome.status, outcome.score, outcome.message, outcome.expected, outcome.found,
         outcome.counterexample, outcome.hint)
        for outcome in result.checks
    ]


def _judge(validation: ExerciseValidation, solutions: Path | None, runs: int) -> None:
    exercise, problems = validation.exercise, validation.problems
    name = exercise.name

    if solutions is None or not (solutions / name / exercise.module).is_file():
        problems.append(f"{name}: no reference solution ({exercise.module}) found in {solutions or 'solutions/'}")
    for run, result in enumerate(validation.reference_runs, start=1):
        for outcome in result.checks:
            if outcome.status is not Status.PASSED:
                problems.append(
                    f"{name}: the reference solution did not pass {outcome.name} on run {run} of {runs} "
                    f"({outcome.status.value}: {_first_line(outcome.message)})"
                )
    fingerprints = [_fingerprint(result) for result in validation.reference_runs]
    for run, fingerprint in enumerate(fingerprints[1:], start=2):
        differing = [first[0] for first, later in zip(fingerprints[0], fingerprint) if first != later]
        if differing:
            problems.append(
                f"{name}: the reference solution got other outcomes on run {run} than on run 1 "
                f"(checks {', '.join(differing)})"
            )

    if validation.stub is not None:
        for outcome in validation.stub.checks:
            if outcome.status is not Status.NOT_IMPLEMENTED:
                problems.append(
                    f"{name}: the stub got {outcome.status.value} on {outcome.name}, expected not_implemented "
                    f"({_first_line(outcome.message)})"
                )

    for verdict in validation.mutants:
        problems.extend(verdict.problems)

    for check in exercise.checks:
        if not validation.caught_by(check.name) and check.name not in validation.catalogue.uncovered:
            problems.append(
                f"{name}: no mutant loses points on {check.name}; add a mutant that must fail it, or give "
                f"the reason in {validation.catalogue.folder / 'uncovered.yaml'}"
            )

    if solutions is not None:
        problems.extend(_leaks(validation, solutions))


def _judge_mutant(exercise: Exercise, mutant: Mutant, result: ExerciseResult) -> MutantVerdict:
    """Compare a mutant's outcomes with its ``mutant.yaml`` and fill in its row of the table."""
    hints = {check.name: check.hints for check in exercise.checks}
    expected = {expectation.check: expectation.hint for expectation in mutant.expectations}
    cells: dict[str, str] = {}
    problems: list[str] = []
    for outcome in result.checks:
        code = expected.get(outcome.name)
        if outcome.status is Status.GRADER_ERROR:
            cells[outcome.name] = "BROKEN"
            problems.append(f"{mutant.label}: {outcome.name} crashed (grader error): {_last_line(outcome.staff_detail or '')}")
        elif code is None:
            cells[outcome.name] = "caught" if _lost_points(outcome) else "-"
        elif not _lost_points(outcome):
            cells[outcome.name] = "MISSED"
            problems.append(f"{mutant.label}: {outcome.name} gave full marks ({outcome.status.value}), but the mutant must fail it")
        elif outcome.hint != hints[outcome.name][code]:
            cells[outcome.name] = "NO-HINT"
            shown = _hint_code(hints[outcome.name], outcome.hint)
            problems.append(
                f"{mutant.label}: {outcome.name} lost points ({outcome.status.value}: {_first_line(outcome.message)}) "
                f"but showed {shown} instead of the hint for {code!r}"
            )
        else:
            cells[outcome.name] = "caught*"
    return MutantVerdict(mutant, result, cells, problems)


def _hint_code(hints: dict[str, str], text: str | None) -> str:
    if text is None:
        return "no hint"
    codes = [code for code, hint in hints.items() if hint == text]
    return f"the hint for {codes[0]!r}" if codes else "another hint"


def _first_line(text: str) -> str:
    lines = text.strip().splitlines()
    return lines[0] if lines else ""


def _last_line(text: str) -> str:
    """Return the last line of ``text``, which for a traceback names the exception."""
    lines = text.strip().splitlines()
    return lines[-1] if lines else ""


# Reference code quoted to students.


def _leaks(validation: ExerciseValidation, solutions: Path) -> list[str]:
    """Report reference lines that appear in what a student reads of a mutant's report."""
    exercise = validation.exercise
    reference = solutions / exercise.name / exercise.module
    if not reference.is_file():
        return []
    public = _read_texts(path for path in exercise.folder.iterdir() if path.is_file())
    secret = [line for line in _code_lines(reference) if line not in public]
    problems = []
    for verdict in validation.mutants:
        # A traceback quotes the mutant's own lines, which may equal reference lines.
        own = _read_texts(verdict.mutant.folder.glob("*.py"))
        for outcome in verdict.result.checks:
            student_text = "\n".join(
                text or "" for text in (outcome.message, outcome.expected, outcome.found, outcome.counterexample, outcome.hint)
            )
            for line in secret:
                if line in student_text and line not in own:
                    problems.append(f"{verdict.mutant.label}: {outcome.name} shows a line of the reference solution: {line!r}")
    return problems


def _read_texts(paths: Iterable[Path]) -> str:
    return "\n".join(path.read_text(encoding="utf-8", errors="replace") for path in paths)


def _code_lines(path: Path) -> list[str]:
    """Return the stripped code lines of a Python file, without comments, docstrings or short lines."""
    source = path.read_text(encoding="utf-8")
    docstring_lines: set[int] = set()
    for node in ast.walk(ast.parse(source)):
        body = getattr(node, "body", None)
        if isinstance(body, list) and body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant):
            first = body[0]
            docstring_lines.update(range(first.lineno, (first.end_lineno or first.lineno) + 1))
    lines = []
    for number, raw in enumerate(source.splitlines(), start=1):
        line = raw.strip()
        if number in docstring_lines or line.startswith("#") or len(line) < MIN_LEAK_CHARS:
            continue
        lines.append(line)
    return lines


# The table.


def render(validation: Validation) -> str:
    """Render the mutants-against-checks table of each exercise, then the verdict."""
    lines: list[str] = []
    for exercise_validation in validation.exercises:
        lines.extend(_render_exercise(exercise_validation))
        lines.append("")
    lines.append(
        "caught*: lost points with the labelled hint   caught: lost points   -: full marks\n"
        "MISSED: labelled but full marks   NO-HINT: labelled, lost points, wrong or no hint   BROKEN: grader error"
    )
    lines.append("")
    problems = validation.problems
    summary = (
        f"{validation.mutant_count} mutants in {len(validation.exercises)} exercises, {validation.seconds:.0f} s"
    )
    if problems:
        lines.append(f"Validation FAILED ({summary}), {len(problems)} problems:")
        lines.extend(f"  - {problem}" for problem in problems)
    else:
        lines.append(f"Validation passed ({summary}).")
    return "\n".join(lines) + "\n"


def _render_exercise(validation: ExerciseValidation) -> list[str]:
    checks = [check.name for check in validation.exercise.checks]
    lines = [f"{validation.exercise.name}: {len(validation.mutants)} mutants"]
    lines.extend(f"  [{index}] {name}" for index, name in enumerate(checks, start=1))
    lines.extend(_table(validation, checks))
    lines.extend(_reference_and_stub(validation))
    lines.extend(f"  uncovered by design: {name}: {reason}" for name, reason in validation.catalogue.uncovered.items())
    return lines


def _table(validation: ExerciseValidation, checks: list[str]) -> list[str]:
    """Render one row per mutant with a cell per check, then the number of mutants each check caught."""
    names = [verdict.mutant.name for verdict in validation.mutants]
    name_width = max(len(name) for name in ["mutants caught", *names]) + 2
    cell_width = 9

    header = "mutant".ljust(name_width) + "".join(f"[{index}]".ljust(cell_width) for index in range(1, len(checks) + 1))
    lines = ["  " + header + "verdict"]
    for verdict in validation.mutants:
        cells = "".join(verdict.cells.get(name, "?").ljust(cell_width) for name in checks)
        lines.append("  " + verdict.mutant.name.ljust(name_width) + cells + ("FAILED" if verdict.problems else "ok"))

    counts = []
    for name in checks:
        caught = len(validation.caught_by(name))
        if caught:
            counts.append(str(caught))
        elif name in validation.catalogue.uncovered:
            counts.append("declared")
        else:
            counts.append("NONE")
    lines.append("  " + "mutants caught".ljust(name_width) + "".join(count.ljust(cell_width) for count in counts).rstrip())
    return lines


def _reference_and_stub(validation: ExerciseValidation) -> list[str]:
    runs = validation.reference_runs
    full_marks = bool(runs) and all(result.score == result.max_score for result in runs)
    identical = len({tuple(_fingerprint(result)) for result in runs}) <= 1
    lines = [
        f"  reference: {'full marks' if full_marks else 'NOT full marks'} on {len(runs)} runs"
        + ("" if identical else ", outcomes DIFFER")
    ]
    if validation.stub is not None:
        todo = all(outcome.status is Status.NOT_IMPLEMENTED for outcome in validation.stub.checks)
        state = "every check not implemented" if todo else "NOT every check not implemented"
        lines.append(f"  stub: {validation.stub.score:g} points, {state}")
    return lines
