"""Finding a student's code: which file holds each exercise's module.

A submission is a folder laid out like ``exercises/``: one subfolder per
exercise holding the module named in its exercise.yaml.  Loading a module
happens in the worker; this module only finds the files.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from grader.exercise import Exercise
from grader.sandbox.client import Reply, WorkerClient


class SubmissionError(Exception):
    """The submission path cannot be graded (for example, it does not exist)."""


@dataclass(frozen=True)
class TreeSubmission:
    """A folder with one subfolder per exercise, as students receive ``exercises/``."""

    root: Path

    @property
    def name(self) -> str:
        return self.root.name

    def module_path(self, exercise: Exercise) -> Path:
        return self.root / exercise.name / exercise.module

    def describe_missing(self, exercise: Exercise) -> str:
        return f"missing: {exercise.name}/{exercise.module} was not found in your submission"

    def load(self, worker: WorkerClient, exercise: Exercise, timeout: float) -> Reply | None:
        """Import the exercise's module into the namespace ``exercise.name``; None when it is missing."""
        path = self.module_path(exercise)
        if not path.is_file():
            return None
        return worker.load_file(exercise.name, path.resolve(), timeout, module_name=path.stem)


Submission = TreeSubmission


def locate(path: Path) -> Submission:
    """Return the submission at ``path``; raises SubmissionError when it cannot be graded."""
    if not path.exists():
        raise SubmissionError(f"{path}: submission not found")
    if path.is_dir():
        return TreeSubmission(path)
    raise SubmissionError(f"{path}: a submission must be a folder laid out like the exercises folder")
