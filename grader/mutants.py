"""The misconception mutants of an exercise: wrong solutions with the verdicts they must get.

Mutants live beside the reference solutions, where students do not see them:
``mutants/<exercise>/<mutant>/`` holds the exercise's module (for example
``forward.py``) written the way a student with one misconception would write
it, and ``mutant.yaml``::

    misconception: Multiplies by W.T, taking W to be (fan_in, fan_out).
    fails:
      - check: matches_reference     # must lose points here ...
        hint: transposed_weights     # ... with the hint keyed to this code

An optional ``mutants/<exercise>/uncovered.yaml`` maps a check name to the
reason no mutant fails it, for checks that ``grader validate`` should not
require a mutant for.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import jsonschema
import yaml

from grader.exercise import Exercise, ExerciseError

MUTANT_FILE = "mutant.yaml"
UNCOVERED_FILE = "uncovered.yaml"

_NAME = {"type": "string", "pattern": "^[a-z][a-z0-9_]*$"}

MUTANT_SCHEMA = {
    "type": "object",
    "properties": {
        "misconception": {"type": "string", "minLength": 1},
        "fails": {
            "type": "array",
            "minItems": 1,
            "items": {
                "type": "object",
                "properties": {"check": _NAME, "hint": {"type": "string", "minLength": 1}},
                "required": ["check", "hint"],
                "additionalProperties": False,
            },
        },
    },
    "required": ["misconception", "fails"],
    "additionalProperties": False,
}

UNCOVERED_SCHEMA = {"type": "object", "additionalProperties": {"type": "string", "minLength": 1}}


class MutantError(ExerciseError):
    """A mutant definition is missing or invalid; the message names the file and field."""


@dataclass(frozen=True)
class Expectation:
    """A check the mutant must lose points on, and the failure code whose hint it must show."""

    check: str
    hint: str


@dataclass(frozen=True)
class Mutant:
    exercise: str
    name: str
    folder: Path
    misconception: str
    expectations: tuple[Expectation, ...]

    @property
    def label(self) -> str:
        return f"{self.exercise}/{self.name}"


@dataclass(frozen=True)
class Catalogue:
    """The mutants of one exercise, and the checks declared as having none."""

    exercise: str
    folder: Path
    mutants: tuple[Mutant, ...]
    uncovered: dict[str, str]


def load_catalogue(root: Path, exercise: Exercise) -> Catalogue:
    """Load ``root/<exercise>/``, checking every mutant against the exercise's checks and hints.

    A missing folder gives an empty catalogue, which ``grader validate``
    then reports as checks that no mutant fails.
    """
    folder = root / exercise.name
    if not folder.is_dir():
        return Catalogue(exercise.name, folder, (), {})
    mutants = tuple(
        _load_mutant(path, exercise)
        for path in sorted(folder.iterdir())
        if path.is_dir() and not path.name.startswith((".", "__"))
    )
    uncovered = _load_uncovered(folder / UNCOVERED_FILE, exercise)
    return Catalogue(exercise.name, folder, mutants, uncovered)


def unknown_exercise_folders(root: Path, exercise_names: set[str]) -> list[Path]:
    """Return the subfolders of ``root`` that name no exercise, such as a misspelt one."""
    if not root.is_dir():
        return []
    return sorted(
        path for path in root.iterdir()
        if path.is_dir() and not path.name.startswith((".", "__")) and path.name not in exercise_names
    )


def _read_yaml(path: Path, schema: dict) -> object:
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as error:
        raise MutantError(f"{path}: cannot be read ({error})") from None
    except yaml.YAMLError as error:
        raise MutantError(f"{path}: invalid YAML: {error}") from None
    problems = sorted(jsonschema.Draft202012Validator(schema).iter_errors(data), key=lambda e: list(e.absolute_path))
    if problems:
        first = problems[0]
        where = ".".join(str(part) for part in first.absolute_path) or "(top level)"
        raise MutantError(f"{path}: field {where}: {first.message}")
    return data


def _load_mutant(folder: Path, exercise: Exercise) -> Mutant:
    path = folder / MUTANT_FILE
    if not path.is_file():
        raise MutantError(f"{path}: not found (every mutant folder needs one, naming the checks it must fail)")
    if not (folder / exercise.module).is_file():
        raise MutantError(f"{folder}: {exercise.module} not found (the module a submission of {exercise.name} has)")
    data = _read_yaml(path, MUTANT_SCHEMA)
    assert isinstance(data, dict)

    checks = {check.name: check for check in exercise.checks}
    expectations = []
    for index, entry in enumerate(data["fails"]):
        check = checks.get(entry["check"])
        if check is None:
            raise MutantError(
                f"{path}: field fails.{index}.check: {exercise.name} has no check {entry['check']!r} "
                f"(its checks: {', '.join(checks)})"
            )
        if entry["hint"] not in check.hints:
            known = ", ".join(check.hints) or "none"
            raise MutantError(
                f"{path}: field fails.{index}.hint: check {check.name} has no hint for {entry['hint']!r} "
                f"in {exercise.folder / 'exercise.yaml'} (its hints: {known})"
            )
        expectations.append(Expectation(entry["check"], entry["hint"]))
    return Mutant(exercise.name, folder.name, folder, data["misconception"], tuple(expectations))


def _load_uncovered(path: Path, exercise: Exercise) -> dict[str, str]:
    if not path.is_file():
        return {}
    data = _read_yaml(path, UNCOVERED_SCHEMA) or {}
    assert isinstance(data, dict)
    names = {check.name for check in exercise.checks}
    for name in data:
        if name not in names:
            raise MutantError(f"{path}: field {name}: {exercise.name} has no check {name!r}")
    return dict(data)
