"""The ``grader`` command: a thin layer of arguments over ``grader.grading``."""

from __future__ import annotations

import argparse
import enum
import logging
import os
import sys
from pathlib import Path

from grader import __version__
from grader.exercise import ExerciseError, discover, load
from grader.grading import GradingOptions, grade, load_references
from grader.mutants import load_catalogue, unknown_exercise_folders
from grader.report import json_report, markdown, terminal
from grader.report.model import Report
from grader.submission import SubmissionError, locate
from grader.validate import Validation, validate
from grader.validate import render as render_validation

logger = logging.getLogger("grader")


class ExitCode(enum.IntEnum):
    OK = 0
    BELOW_THRESHOLD = 1
    VALIDATION_FAILED = 1
    USAGE_ERROR = 2
    INTERNAL_ERROR = 3
    INTERRUPTED = 130


class UsageError(Exception):
    """The command line or the files it names cannot be used; the message says which and why."""


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
        help="folder laid out like EXERCISES to grade (default: the modules inside EXERCISES itself)",
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
    run.add_argument("--verbose", "-v", action="count", default=0, help="show passed checks too; -vv logs debug detail")
    run.add_argument("--colour", "--color", choices=["auto", "always", "never"], default="auto", help="colour the terminal summary")

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
    check.add_argument("--runs", type=int, default=3, metavar="N", help="grade each reference solution N times (default: 3)")
    check.add_argument(
        "--jobs", "-j", type=int, default=os.cpu_count() or 1, metavar="N",
        help="grade N submissions at once, each in its own process (default: the number of CPUs)",
    )
    check.add_argument(
        "--show", action="append", metavar="MUTANT",
        help="also print the report a student would get for this mutant, named MUTANT or EXERCISE/MUTANT (repeatable)",
    )
    check.add_argument("--verbose", "-v", action="count", default=0, help="-v logs progress, -vv debug detail")
    return parser


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
    except (UsageError, ExerciseError, SubmissionError) as error:
        print(f"grader: error: {error}", file=sys.stderr)
        return ExitCode.USAGE_ERROR
    except KeyboardInterrupt:
        print("grader: interrupted; no report was written", file=sys.stderr)
        return ExitCode.INTERRUPTED


def run(arguments: argparse.Namespace) -> ExitCode:
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
    submission = locate(arguments.submission or root)
    options = GradingOptions(solutions=solutions)
    references = load_references(exercises, solutions)

    report = grade(exercises, submission, options, references)

    colour = arguments.colour == "always" or (arguments.colour == "auto" and sys.stdout.isatty() and not os.environ.get("NO_COLOR"))
    sys.stdout.write(terminal.render(report, colour=colour, verbose=arguments.verbose > 0))
    if arguments.json:
        json_report.write(report, arguments.json)
    if arguments.markdown:
        markdown.write(report, arguments.markdown)

    if arguments.fail_under is not None and report.percent < arguments.fail_under:
        print(f"grader: score {report.percent:.1f}% is below --fail-under {arguments.fail_under:g}%", file=sys.stderr)
        return ExitCode.BELOW_THRESHOLD
    return ExitCode.OK


def validate_exercises(arguments: argparse.Namespace) -> ExitCode:
    root: Path = arguments.exercises
    if arguments.runs < 1:
        raise UsageError(f"--runs {arguments.runs}: grade the references at least once")
    if arguments.jobs < 1:
        raise UsageError(f"--jobs {arguments.jobs}: at least one job is needed")
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


def _solutions_folder(root: Path, given: Path | None) -> Path | None:
    if given is not None:
        if not given.is_dir():
            raise UsageError(f"--solutions {given}: folder not found")
        return given
    beside = root.resolve().parent / "solutions"
    return beside if beside.is_dir() else None
