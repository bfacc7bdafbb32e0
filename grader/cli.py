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
from grader.report import json_report, markdown, terminal
from grader.submission import SubmissionError, locate

logger = logging.getLogger("grader")


class ExitCode(enum.IntEnum):
    OK = 0
    BELOW_THRESHOLD = 1
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
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    arguments = parser.parse_args(argv)
    logging.basicConfig(
        level=[logging.WARNING, logging.INFO, logging.DEBUG][min(arguments.verbose, 2)],
        format="%(levelname)s %(name)s: %(message)s",
    )
    try:
        return int(run(arguments))
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


def _solutions_folder(root: Path, given: Path | None) -> Path | None:
    if given is not None:
        if not given.is_dir():
            raise UsageError(f"--solutions {given}: folder not found")
        return given
    beside = root.resolve().parent / "solutions"
    return beside if beside.is_dir() else None
