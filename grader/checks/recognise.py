"""Recognising a known misconception from the values student code returned.

A check that finds a wrong result can compare it with what known wrong
implementations (the exercise's *misconception models*) return on the same
input, and raise its failure with the code of the model that matches.  The
student then sees the hint keyed to that code in exercise.yaml.  Models run
in the grader process on the grader's copy of the input; student code runs
only through the check's context, as in any other call.
"""

from __future__ import annotations

import functools
from typing import Any, Callable, Collection, Mapping

import numpy as np

from grader.checks.compare import array_or_none, mismatch
from grader.checks.context import CheckContext
from grader.checks.failures import CheckAbort, CheckFailure, StudentCodeError
from grader.exercise import Tolerance

#: Failure codes that report only that something is wrong, not which mistake caused it.
GENERIC_CODES = frozenset({None, "wrong_values", "wrong_shape"})

#: Exceptions a model may raise when its formula does not fit the input's shapes.
MODEL_ERRORS = (ValueError, TypeError, IndexError)


def matches(found: Any, expected: Any, tolerance: Tolerance) -> bool:
    """Return whether ``found`` is an array of ``expected``'s shape, equal to it within ``tolerance``."""
    found_array = array_or_none(found)
    if found_array is None:
        return False
    expected_array = np.asarray(expected)
    return found_array.shape == expected_array.shape and mismatch(found_array, expected_array, tolerance) is None


def only_match(found: Any, models: Mapping[str, Callable[[], Any]], tolerance: Tolerance) -> str | None:
    """Return the code of the one model whose output equals ``found``, or None.

    None also when several models match: on a small shrunk input two
    mistakes can give the same output (a ReLU layer whose inputs are all
    positive changes nothing), and a probe on a better input decides.  A model
    that raises one of ``MODEL_ERRORS`` (its formula does not fit this input's
    shapes) matches nothing.
    """
    matched = []
    for code, model in models.items():
        try:
            with np.errstate(all="ignore"):
                expected = model()
        except MODEL_ERRORS:
            continue
        if matches(found, expected, tolerance):
            matched.append(code)
    return matched[0] if len(matched) == 1 else None


Probe = Callable[[CheckContext], "str | None"]


def explain_failures(
    probe: Probe, *, replaces: Collection[str | None] = GENERIC_CODES
) -> Callable[[Callable[[CheckContext], None]], Callable[[CheckContext], None]]:
    """Decorate a check so that an unexplained failure gets the code that ``probe`` recognises.

    The probe runs when the check ends with an exception from student code,
    or with a failure whose code is in ``replaces`` (by default the generic
    ones). It may call the student's code on inputs chosen to tell
    misconceptions apart, and a code it returns replaces the failure's.  It
    runs once, after Hypothesis has shrunk the input, and a probe that itself
    fails, raises or times out changes nothing.  Place the decorator below
    ``@check``.
    """

    def decorate(function: Callable[[CheckContext], None]) -> Callable[[CheckContext], None]:
        @functools.wraps(function)
        def run(context: CheckContext) -> None:
            try:
                function(context)
            except StudentCodeError as error:
                if error.code is None:
                    error.code = _probe_quietly(probe, context)
                raise
            except CheckFailure as failure:
                if failure.code in replaces:
                    failure.code = _probe_quietly(probe, context) or failure.code
                raise

        return run

    return decorate


def _probe_quietly(probe: Probe, context: CheckContext) -> str | None:
    try:
        return probe(context)
    except (StudentCodeError, CheckFailure, CheckAbort):
        # The original failure is the one to report; a probe only adds a hint.
        return None
