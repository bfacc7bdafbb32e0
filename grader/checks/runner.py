"""Run one check and turn however it ended into a CheckOutcome."""

from __future__ import annotations

import logging
import time
import traceback

from hypothesis.errors import Flaky, HypothesisException

from grader.checks.context import CheckContext
from grader.checks.failures import CheckAbort, CheckFailure, SkipCheck, StudentCodeError
from grader.exercise import CheckSpec
from grader.outcome import CheckOutcome, Status

logger = logging.getLogger(__name__)

MAX_OUTPUT_CHARS = 4000


def run_check(spec: CheckSpec, context: CheckContext) -> CheckOutcome:
    """Run ``spec`` with ``context``; never raises except for KeyboardInterrupt."""
    started = time.perf_counter()
    outcome = _run(spec, context)
    outcome.seconds = time.perf_counter() - started
    outcome.measurements.update(context.measurements)
    output = context.worker.take_output()
    if output.strip():
        outcome.output = _truncate(output)
    logger.debug("check %s.%s: %s", context.exercise.name, spec.name, outcome.status.value)
    return outcome


def _run(spec: CheckSpec, context: CheckContext) -> CheckOutcome:
    def outcome(status: Status, message: str, **fields: object) -> CheckOutcome:
        score = spec.points if status is Status.PASSED else 0.0
        return CheckOutcome(
            name=spec.name, kind=spec.kind, status=status, score=score, max_score=spec.points,
            message=message, description=spec.description, hidden=spec.hidden, **fields,
        )

    try:
        if spec.needs_reference:
            context.require_reference()
        spec.function(context)
    except KeyboardInterrupt:
        raise
    except CheckFailure as failure:
        return outcome(
            Status.FAILED, failure.message, expected=failure.expected, found=failure.found,
            counterexample=failure.counterexample or _hypothesis_example(failure),
            hint=spec.hints.get(failure.code or ""),
        )
    except StudentCodeError as error:
        message = f"{error.function} raised {error.error_type}: {error.message}"
        if error.traceback:
            message += "\n" + error.traceback.rstrip()
        hint = spec.hints.get(error.code or "") or spec.hints.get("raised")
        return outcome(Status.ERROR, message, counterexample=error.counterexample, hint=hint)
    except CheckAbort as abort:
        fields: dict[str, object] = {"counterexample": abort.counterexample}
        if abort.output.strip():
            fields["output"] = _truncate(abort.output)
        return outcome(Status(abort.status), abort.message, **fields)
    except SkipCheck as skip:
        return outcome(Status.SKIPPED, f"skipped: {skip}")
    except Flaky as flaky:
        return outcome(
            Status.FAILED,
            "your function gave different results when called again on the same input; "
            "make it deterministic (no global state, no unseeded randomness)",
            staff_detail=_traceback(flaky),
        )
    except HypothesisException as error:
        return _grader_error(outcome, error)
    except Exception as error:  # noqa: BLE001 - any other exception is a bug in the grader or the check
        return _grader_error(outcome, error)
    return outcome(Status.PASSED, "passed")


def _grader_error(outcome, error: BaseException) -> CheckOutcome:
    logger.error("grader error in a check: %s", error, exc_info=error)
    return outcome(
        Status.GRADER_ERROR,
        f"grader error: this check itself failed ({type(error).__name__}); this is not your fault, "
        "so please tell your instructor",
        staff_detail=_traceback(error),
    )


def _hypothesis_example(failure: BaseException) -> str | None:
    notes = getattr(failure, "__notes__", None) or []
    lines = [note for note in notes if isinstance(note, str) and note.startswith(("Falsifying", "Failing"))]
    return "\n".join(lines) or None


def _traceback(error: BaseException) -> str:
    return "".join(traceback.format_exception(error))[-8000:]


def _truncate(text: str) -> str:
    if len(text) <= MAX_OUTPUT_CHARS:
        return text
    return text[:MAX_OUTPUT_CHARS] + f"\n[{len(text) - MAX_OUTPUT_CHARS} more characters not shown]"
