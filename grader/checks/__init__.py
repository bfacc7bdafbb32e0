"""The public API for writing an exercise's ``checks.py``.

A check is a function taking a ``CheckContext``, marked with ``@check(name)``
where ``name`` matches an entry of the exercise's ``exercise.yaml``.  It
passes by returning and fails by raising ``CheckFailure`` (usually through
``context.fail``); the context turns crashes, hangs and exceptions in student
code into the right outcome by itself.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, TypeVar

from grader.checks.context import CheckContext
from grader.checks.describe import describe, describe_array
from grader.checks.failures import CheckFailure, SkipCheck, StudentCodeError

__all__ = ["CheckContext", "CheckFailure", "SkipCheck", "StudentCodeError", "check", "describe", "describe_array"]

CheckFunction = TypeVar("CheckFunction", bound=Callable[..., None])


@dataclass(frozen=True)
class CheckMarker:
    name: str
    needs_reference: bool


def check(name: str, *, needs_reference: bool = False) -> Callable[[CheckFunction], CheckFunction]:
    """Mark a function as the check ``name`` of exercise.yaml.

    With ``needs_reference``, the check is skipped (not failed) when no
    reference solution is available, as in a student's own copy.
    """

    def mark(function: CheckFunction) -> CheckFunction:
        function.__grader_check__ = CheckMarker(name, needs_reference)  # type: ignore[attr-defined]
        return function

    return mark
