"""What a check raises: a failure of the student's code, or an abort that ends the check.

``CheckFailure`` and ``StudentCodeError`` are ordinary exceptions, so
Hypothesis shrinks the input that caused them.  The aborts derive from
``BaseException``: Hypothesis lets those through at once, so a hang or a
crash costs one timeout instead of one per shrink step.
"""

from __future__ import annotations


class CheckFailure(Exception):
    """The student's code returned a wrong result.

    ``code`` names a recognisable mistake (such as ``"transposed_weights"``); a
    hint keyed to it in exercise.yaml is shown with the failure.
    """

    def __init__(
        self,
        message: str,
        *,
        expected: str | None = None,
        found: str | None = None,
        counterexample: str | None = None,
        code: str | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.expected = expected
        self.found = found
        self.counterexample = counterexample
        self.code = code


class StudentCodeError(Exception):
    """Student code raised an exception while a check called it.

    A check that recognises why the code raised sets ``code``. The hint keyed
    to that code in exercise.yaml is then shown in place of the one keyed to
    ``raised``.
    """

    def __init__(
        self,
        function: str,
        error_type: str,
        message: str,
        traceback: str,
        counterexample: str | None,
        code: str | None = None,
    ) -> None:
        super().__init__(f"{function} raised {error_type}: {message}")
        self.function = function
        self.error_type = error_type
        self.message = message
        self.traceback = traceback
        self.counterexample = counterexample
        self.code = code


class SkipCheck(Exception):
    """The check cannot run here (for example, no reference solution is available)."""


class CheckAbort(BaseException):
    """Ends a check at once, past Hypothesis, with a fixed status."""

    status = "error"

    def __init__(self, message: str, counterexample: str | None = None, output: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.counterexample = counterexample
        self.output = output


class NotImplementedAbort(CheckAbort):
    status = "not_implemented"


class MissingFunctionAbort(CheckAbort):
    status = "error"


class CallTimeoutAbort(CheckAbort):
    status = "timeout"


class WorkerDiedAbort(CheckAbort):
    status = "error"


class CheckBudgetAbort(CheckAbort):
    status = "timeout"


class WorkerStartAbort(CheckAbort):
    """The sandbox could not start a worker; a fault of the grader's machine, not of student code."""

    status = "grader_error"


class StudentExitAbort(CheckAbort):
    """Student code raised SystemExit or KeyboardInterrupt, which no other input would avoid."""

    status = "error"
