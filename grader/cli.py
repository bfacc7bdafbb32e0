"""The ``grader`` command: a thin layer of arguments over ``grader.grading``."""

from __future__ import annotations

import argparse
import enum
import logging
import os
import sys
from pathlib import Path

# Single-threaded BLAS in the grader, set before NumPy is first imported, which
# reads it once.  Checks compute small matrix products here while a worker
# runs student code beside them, and a class run grades several submissions
# at once.  On a loaded 2-core machine OpenBLAS's threads then wait for each
# other: he_init's activation_health check (80 products of 256 x 256 by 256 x 64)
# took 0.65 to 1.8 s with the default threads and 0.36 to 0.56 s with one.
for _variable in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_variable, "1")

from grader import __version__  # noqa: E402 - after the BLAS settings above
from grader.exercise import ExerciseError, discover, load  # noqa: E402
from grader.grading import GradingOptions, grade, load_references  # noqa: E402
from grader.report import json_report, markdown, terminal  # noqa: E402
from grader.sandbox import levels  # noqa: E402
from grader.mutants import load_catalogue, unknown_exercise_folders  # noqa: E402
from grader.report.model import Report  # noqa: E402
from grader.submission import SubmissionError, locate  # noqa: E402
from grader.validate import Validation, validate  # noqa: E402
from grader.validate import render as render_validation  # noqa: E402

# Class grading (multiprocessing, the gradebook) and the JUnit and Gradescope
# formats are imported where they are used: that saves grading one submission
# about 35 ms of imports (python -X importtime, on a loaded 2-core machine).

logger = logging.getLogger("grader")


class ExitCode(enum.IntEnum):
    OK = 0
    BELOW_THRESHOLD = 1
    VALIDATION_FAILED = 1
    USAGE_ERROR = 2
    INTERNAL_ERROR = 3
    INTERRUPTED = 130


class UsageError(Exception):
    """The command line or the files it names cannot be used. The message names which and why."""


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="grader",
        description="Grade NumPy neural-network exercises with property-based checks.",
    )
    parser.add_argument("--version", action="version", version=f"grader {__version__}")
    commands = parser.add_subparsers(dest="command", required=True)

    run = commands.add_parser(
        "run",
        help="grade a submission",
        description="Grade a submission against the exercises in EXERCISES and print a score report.",
    )
    run.add_argument("exercises", type=Path, help="folder of exercises, one subfolder with an exercise.yaml each")
    run.add_argument(
        "--submission", type=Path,
        help="what to grade: a folder laid out like EXERCISES, a .py file or a .ipynb notebook "
        "(default: the modules inside EXERCISES itself)",
    )
    run.add_argument(
        "--solutions", type=Path,
        help="folder of reference solutions (default: 'solutions' beside EXERCISES, if it exists)",
    )
    run.add_argument("--only", action="append", metavar="EXERCISE", help="grade only this exercise (repeatable)")
    run.add_argument("--json", type=Path, metavar="FILE", help="also write the report as JSON to FILE")
    run.add_argument("--markdown", type=Path, metavar="FILE", help="also write the report as Markdown to FILE")
    run.add_argument(
        "--fail-under", type=float, metavar="PERCENT",
        help="exit with status 1 when the score is below PERCENT of the maximum",
    )
    run.add_argument(
        "--sandbox", choices=levels.CHOICES, default="auto",
        help="how to isolate student code: bwrap, namespace (both need root) or process; "
        "auto (the default) picks the strongest that works here",
    )
    run.add_argument("--verbose", "-v", action="count", default=0, help="show passed checks too; -vv logs debug detail")
    run.add_argument("--colour", "--color", choices=["auto", "always", "never"], default="auto", help="colour the terminal summary")

    formats = run.add_argument_group("reports for CI systems and course platforms")
    formats.add_argument("--gradescope", type=Path, metavar="FILE", help="also write Gradescope's autograder results.json to FILE")
    formats.add_argument(
        "--junit", type=Path, metavar="FILE",
        help="also write JUnit XML to FILE, one testcase per check (with --submissions, one suite per student and exercise)",
    )
    formats.add_argument(
        "--plots", type=Path, metavar="DIR",
        help="save PNG pictures in DIR: the activation histograms of the forward pass per layer and the timing "
        "chart (with --submissions, per student in DIR/STUDENT, plus the class's score distribution and check pass rates)",
    )

    whole_class = run.add_argument_group("grading a whole class")
    whole_class.add_argument(
        "--submissions", type=Path, metavar="DIR",
        help="grade every entry of DIR (a folder laid out like EXERCISES, a .py file or a .ipynb notebook) "
        "as one student, named after the entry",
    )
    whole_class.add_argument(
        "-j", "--jobs", type=_positive_int, default=default_jobs(), metavar="N",
        help="grade N submissions in parallel (default: the number of CPU cores, %(default)s here)",
    )
    whole_class.add_argument(
        "--out", type=Path, metavar="DIR",
        help="write DIR/STUDENT/report.json and report.md, DIR/gradebook.csv, DIR/summary.md and its pictures; "
        "a later run skips students whose submission has not changed",
    )
    whole_class.add_argument("--force", action="store_true", help="with --out, grade every submission again")

    check = commands.add_parser(
        "validate",
        help="prove that the checks grade the references, stubs and mutants as they should",
        description=(
            "Grade each exercise's reference solution several times (it must get full marks, identically), "
            "its stub (every check must say not implemented) and its misconception mutants (each must lose "
            "points with the hint its mutant.yaml names); print a table of mutants against checks. "
            "Exits with status 1 when anything is off."
        ),
    )
    check.add_argument("exercises", type=Path, help="folder of exercises, one subfolder with an exercise.yaml each")
    check.add_argument(
        "--solutions", type=Path,
        help="folder of reference solutions (default: 'solutions' beside EXERCISES)",
    )
    check.add_argument(
        "--mutants", type=Path,
        help="folder of misconception mutants, one subfolder per exercise (default: 'mutants' beside EXERCISES)",
    )
    check.add_argument("--only", action="append", metavar="EXERCISE", help="validate only this exercise (repeatable)")
    check.add_argument(
        "--runs", type=_positive_int, default=3, metavar="N", help="grade each reference solution N times (default: 3)"
    )
    check.add_argument(
        "-j", "--jobs", type=_positive_int, default=default_jobs(), metavar="N",
        help="grade N submissions at once, each in its own process (default: the number of CPU cores, %(default)s here)",
    )
    check.add_argument(
        "--show", action="append", metavar="MUTANT",
        help="also print the report a student would get for this mutant, named MUTANT or EXERCISE/MUTANT (repeatable)",
    )
    check.add_argument("--verbose", "-v", action="count", default=0, help="-v logs progress, -vv debug detail")
    return parser


def default_jobs() -> int:
    """Return the number of CPU cores this process may use."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:
        return os.cpu_count() or 1


def _positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"{value} is less than 1")
    return value


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    arguments = parser.parse_args(argv)
    logging.basicConfig(
        level=[logging.WARNING, logging.INFO, logging.DEBUG][min(arguments.verbose, 2)],
        format="%(levelname)s %(name)s: %(message)s",
    )
    command = validate_exercises if arguments.command == "validate" else run
    try:
        return int(command(arguments))
    except (UsageError, ExerciseError, SubmissionError, levels.IsolationUnavailable) as error:
        print(f"grader: error: {error}", file=sys.stderr)
        return ExitCode.USAGE_ERROR
    except KeyboardInterrupt:
        print("grader: interrupted; no report was written", file=sys.stderr)
        return ExitCode.INTERRUPTED


def run(arguments: argparse.Namespace) -> ExitCode:
    _check_combinations(arguments)
    root: Path = arguments.exercises
    folders = discover(root)
    if arguments.only:
        unknown = sorted(set(arguments.only) - {folder.name for folder in folders})
        if unknown:
            known = ", ".join(folder.name for folder in folders)
            raise UsageError(f"--only: no exercise named {', '.join(unknown)} in {root} (exercises: {known})")
        folders = [folder for folder in folders if folder.name in arguments.only]
    exercises = sorted((load(folder) for folder in folders), key=lambda e: (e.order, e.name))
    solutions = _solutions_folder(root, arguments.solutions)
    levels.resolve(arguments.sandbox)  # a level that cannot run here is a usage error, before any grading
    if arguments.submissions is not None:
        return run_class(arguments, exercises, solutions)
    return run_single(arguments, exercises, solutions)


def _check_combinations(arguments: argparse.Namespace) -> None:
    if arguments.submissions is not None:
        if arguments.submission is not None:
            raise UsageError("--submission and --submissions cannot be combined; give one submission or a folder of them")
        for flag, value in (("--json", arguments.json), ("--markdown", arguments.markdown), ("--gradescope", arguments.gradescope), ("--fail-under", arguments.fail_under)):
            if value is not None:
                raise UsageError(f"{flag} describes one submission; with --submissions, use --out DIR for every student's reports")
    else:
        for flag, value in (("--out", arguments.out), ("--force", arguments.force or None)):
            if value is not None:
                raise UsageError(f"{flag} needs --submissions DIR; for one submission use --json and --markdown")


def run_single(arguments: argparse.Namespace, exercises: list, solutions: Path | None) -> ExitCode:
    """Grade one submission, print its report and write the files the options ask for."""
    submission = locate(arguments.submission or arguments.exercises)
    options = GradingOptions(solutions=solutions, diagnostics=arguments.plots is not None, sandbox=arguments.sandbox)
    references = load_references(exercises, solutions)

    report = grade(exercises, submission, options, references)

    colour = arguments.colour == "always" or (arguments.colour == "auto" and sys.stdout.isatty() and not os.environ.get("NO_COLOR"))
    sys.stdout.write(terminal.render(report, colour=colour, verbose=arguments.verbose > 0))
    if arguments.json:
        json_report.write(report, arguments.json)
    if arguments.markdown:
        markdown.write(report, arguments.markdown)
    if arguments.gradescope:
        from grader.report import gradescope

        gradescope.write(report, arguments.gradescope)
    if arguments.junit:
        from grader.report import junit

        junit.write(report, arguments.junit)
    if arguments.plots:
        from grader.report import plots

        written, missing = plots.write_submission_plots(report, arguments.plots)
        for line in [*(f"wrote {path}" for path in written), *missing]:
            print(f"grader: {line}", file=sys.stderr)
    _append_step_summary(markdown.render(report))

    if arguments.fail_under is not None and report.percent < arguments.fail_under:
        print(f"grader: score {report.percent:.1f}% is below --fail-under {arguments.fail_under:g}%", file=sys.stderr)
        return ExitCode.BELOW_THRESHOLD
    return ExitCode.OK


def validate_exercises(arguments: argparse.Namespace) -> ExitCode:
    root: Path = arguments.exercises
    folders = discover(root)
    names = {folder.name for folder in folders}
    if arguments.only:
        unknown = sorted(set(arguments.only) - names)
        if unknown:
            raise UsageError(f"--only: no exercise named {', '.join(unknown)} in {root} (exercises: {', '.join(sorted(names))})")
        folders = [folder for folder in folders if folder.name in arguments.only]
    exercises = sorted((load(folder) for folder in folders), key=lambda e: (e.order, e.name))

    solutions = _solutions_folder(root, arguments.solutions)
    mutants_root = arguments.mutants or root.resolve().parent / "mutants"
    if arguments.mutants is not None and not arguments.mutants.is_dir():
        raise UsageError(f"--mutants {arguments.mutants}: folder not found")
    if not arguments.only:
        strays = unknown_exercise_folders(mutants_root, names)
        if strays:
            raise UsageError(f"{strays[0]}: no exercise named {strays[0].name} in {root} (exercises: {', '.join(sorted(names))})")
    catalogues = [load_catalogue(mutants_root, exercise) for exercise in exercises]
    labels = {mutant.name for c in catalogues for mutant in c.mutants} | {m.label for c in catalogues for m in c.mutants}
    for name in arguments.show or []:
        if name not in labels:
            raise UsageError(f"--show: no mutant named {name} in {mutants_root}")

    validation = validate(exercises, mutants_root=mutants_root, solutions=solutions, runs=arguments.runs, jobs=arguments.jobs)
    sys.stdout.write(render_validation(validation))
    for name in arguments.show or []:
        _show_mutant_reports(validation, name, solutions)
    return ExitCode.OK if validation.passed else ExitCode.VALIDATION_FAILED


def _show_mutant_reports(validation: Validation, name: str, solutions: Path | None) -> None:
    """Print the report a student would read for each mutant called ``name`` or labelled ``name``."""
    for exercise in validation.exercises:
        for verdict in exercise.mutants:
            if name in (verdict.mutant.name, verdict.mutant.label):
                report = Report(str(verdict.mutant.folder), [verdict.result], str(solutions) if solutions else None)
                sys.stdout.write(f"\n--- {verdict.mutant.label}: {verdict.mutant.misconception}\n")
                sys.stdout.write(terminal.render(report))


def run_class(arguments: argparse.Namespace, exercises: list, solutions: Path | None) -> ExitCode:
    """Grade every submission in ``--submissions`` and write the class's files."""
    from grader.classroom import ClassError

    try:
        return _run_class(arguments, exercises, solutions)
    except ClassError as error:
        raise UsageError(str(error)) from error


def _run_class(arguments: argparse.Namespace, exercises: list, solutions: Path | None) -> ExitCode:
    from grader.classroom import ClassGrader, ClassSettings, find_students, write_class_files
    from grader.progress import Progress
    from grader.report import gradebook

    out: Path | None = arguments.out
    students, skipped = find_students(arguments.submissions, exclude=out)
    if not students:
        raise UsageError(f"--submissions {arguments.submissions}: no folders, .py files or .ipynb notebooks to grade")
    settings = ClassSettings(
        exercises_root=arguments.exercises.resolve(),
        only=tuple(arguments.only) if arguments.only else None,
        solutions=solutions.resolve() if solutions else None,
        diagnostics=arguments.plots is not None,
        plots=arguments.plots.resolve() if arguments.plots else None,
        sandbox=arguments.sandbox,
        log_level=logging.getLogger().level,
    )
    runner = ClassGrader(settings, exercises, out=out, jobs=arguments.jobs, force=arguments.force, progress=Progress())
    try:
        result = runner.run(students)
    except KeyboardInterrupt:
        kept = "the reports written so far are kept, and running the same command again grades the rest" if out else "no report was written"
        print(f"grader: interrupted; {kept}", file=sys.stderr)
        return ExitCode.INTERRUPTED
    result.skipped_entries = skipped

    sys.stdout.write(terminal.render_class(result.entries, graded=len(result.graded), reused=len(result.reused), seconds=result.seconds))
    written = write_class_files(result, out=out, plots=arguments.plots, junit_file=arguments.junit)
    for path in written:
        print(f"grader: wrote {path}", file=sys.stderr)
    _append_step_summary(gradebook.render_summary(result.entries, plots=False, skipped_entries=skipped))
    if result.failed:
        print(f"grader: grading failed for {', '.join(result.failed)}; their reports say why", file=sys.stderr)
        return ExitCode.INTERNAL_ERROR
    return ExitCode.OK


def _append_step_summary(text: str) -> None:
    """Append ``text`` to GitHub Actions' job summary when running there (GITHUB_STEP_SUMMARY is set)."""
    path = os.environ.get("GITHUB_STEP_SUMMARY")
    if not path:
        return
    try:
        with open(path, "a", encoding="utf-8") as stream:
            stream.write(text + "\n")
    except OSError as error:
        logger.warning("could not append the report to GITHUB_STEP_SUMMARY file %s: %s", path, error)


def _solutions_folder(root: Path, given: Path | None) -> Path | None:
    if given is not None:
        if not given.is_dir():
            raise UsageError(f"--solutions {given}: folder not found")
        return given.resolve()
    beside = root.resolve().parent / "solutions"
    return beside if beside.is_dir() else None
