"""Exercises: ``exercise.yaml`` validated into typed records, plus their check functions.

An exercise is a folder holding the student stub module, ``exercise.yaml``,
``checks.py`` and a README for students.  Loading one never runs student
code; a folder whose definition is broken becomes an ``ExerciseError`` that
the grader reports for that exercise alone.
"""

from __future__ import annotations

import importlib.util
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

import jsonschema
import yaml

from grader.exercise_schema import EXERCISE

DEFINITION_FILE = "exercise.yaml"
CHECKS_FILE = "checks.py"


class ExerciseError(Exception):
    """An exercise definition is missing or invalid; the message names the file and field."""


@dataclass(frozen=True)
class Tolerance:
    rtol: float
    atol: float


@dataclass(frozen=True)
class Limits:
    """Per-exercise time limits, in seconds."""

    call_timeout: float = 2.0
    import_timeout: float = 10.0
    check_timeout: float = 60.0


@dataclass(frozen=True)
class CheckSpec:
    """One check as ``exercise.yaml`` declares it, joined with its function from ``checks.py``."""

    name: str
    kind: str
    points: float
    description: str
    function: Callable[..., None]
    needs_reference: bool = False
    hidden: bool = False
    hints: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Exercise:
    name: str
    folder: Path
    title: str
    order: int
    module: str
    functions: tuple[str, ...]
    limits: Limits
    max_examples: int
    tolerances: dict[str, Tolerance]
    settings: dict[str, Any]
    checks: tuple[CheckSpec, ...]

    @property
    def max_score(self) -> float:
        return sum(check.points for check in self.checks)

    def tolerance(self, name: str) -> Tolerance:
        try:
            return self.tolerances[name]
        except KeyError:
            raise ExerciseError(f"{self.folder / DEFINITION_FILE}: tolerances.{name} is missing") from None


class _Loader(yaml.SafeLoader):
    """A safe YAML loader that also reads ``1e-9`` as a float, as YAML 1.2 does."""


_Loader.add_implicit_resolver(
    "tag:yaml.org,2002:float",
    re.compile(r"^[-+]?(?:[0-9][0-9_]*)(?:\.[0-9_]*)?[eE][-+]?[0-9]+$"),
    list("-+0123456789"),
)


def discover(root: Path) -> list[Path]:
    """Return the exercise folders below ``root``: its subfolders holding an exercise.yaml."""
    if not root.is_dir():
        raise ExerciseError(f"{root}: exercises folder not found")
    folders = sorted(path.parent for path in root.glob(f"*/{DEFINITION_FILE}"))
    if not folders:
        raise ExerciseError(f"{root}: no exercise folders (subfolders with an {DEFINITION_FILE}) found")
    return folders


def read_definition(folder: Path) -> dict[str, Any]:
    """Read and validate ``exercise.yaml``; raises ExerciseError naming the file and field."""
    path = folder / DEFINITION_FILE
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise ExerciseError(f"{path}: cannot be read ({error})") from None
    try:
        data = yaml.load(text, Loader=_Loader)
    except yaml.YAMLError as error:
        raise ExerciseError(f"{path}: invalid YAML: {error}") from None
    validator = jsonschema.Draft202012Validator(EXERCISE)
    problems = sorted(validator.iter_errors(data), key=lambda e: list(e.absolute_path))
    if problems:
        first = problems[0]
        where = ".".join(str(part) for part in first.absolute_path) or "(top level)"
        raise ExerciseError(f"{path}: field {where}: {first.message}")
    return data


def load(folder: Path) -> Exercise:
    """Load one exercise folder into an Exercise; raises ExerciseError when it is broken."""
    data = read_definition(folder)
    path = folder / DEFINITION_FILE
    check_functions = load_check_functions(folder)

    specs = []
    names = [entry["name"] for entry in data["checks"]]
    duplicated = sorted({name for name in names if names.count(name) > 1})
    if duplicated:
        raise ExerciseError(f"{path}: field checks: check names must be unique, {duplicated} repeat")
    for entry in data["checks"]:
        function = check_functions.get(entry["name"])
        if function is None:
            raise ExerciseError(
                f"{path}: check {entry['name']!r} has no function in {CHECKS_FILE} "
                f"(decorate one with @check({entry['name']!r}))"
            )
        hints = {hint["when"]: hint["text"] for hint in entry.get("hints", [])}
        specs.append(
            CheckSpec(
                name=entry["name"],
                kind=entry["kind"],
                points=float(entry["points"]),
                description=entry["description"],
                function=function,
                needs_reference=function.__grader_check__.needs_reference,
                hidden=entry.get("hidden", False),
                hints=hints,
            )
        )
    unused = sorted(set(check_functions) - set(names))
    if unused:
        raise ExerciseError(f"{folder / CHECKS_FILE}: checks {unused} are not listed in {DEFINITION_FILE}")

    limits = data.get("limits", {})
    return Exercise(
        name=folder.name,
        folder=folder,
        title=data["title"],
        order=data.get("order", 0),
        module=data["module"],
        functions=tuple(data["functions"]),
        limits=Limits(**{key: float(value) for key, value in limits.items()}),
        max_examples=data.get("hypothesis", {}).get("max_examples", 50),
        tolerances={name: Tolerance(**value) for name, value in data.get("tolerances", {}).items()},
        settings=data.get("settings", {}),
        checks=tuple(specs),
    )


def load_check_functions(folder: Path) -> dict[str, Callable[..., None]]:
    """Import the exercise's ``checks.py`` (instructor code, trusted) and collect its checks."""
    path = folder / CHECKS_FILE
    if not path.is_file():
        raise ExerciseError(f"{path}: not found")
    module_name = f"grader_exercise_checks.{folder.name}"
    spec = importlib.util.spec_from_file_location(module_name, path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[module_name] = module
    try:
        spec.loader.exec_module(module)
    except Exception as error:
        sys.modules.pop(module_name, None)
        raise ExerciseError(f"{path}: failed to import: {type(error).__name__}: {error}") from error
    found = {}
    for value in vars(module).values():
        marker = getattr(value, "__grader_check__", None)
        if marker is not None:
            found[marker.name] = value
    return found
