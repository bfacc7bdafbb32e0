"""The object a check function receives: calls into the worker, properties, settings."""

from __future__ import annotations

import functools
import time
from types import ModuleType
from typing import TYPE_CHECKING, Any, Callable

import hypothesis
from hypothesis import HealthCheck

from grader.checks.describe import describe
from grader.checks.failures import (
    CallTimeoutAbort,
    CheckBudgetAbort,
    CheckFailure,
    MissingFunctionAbort,
    NotImplementedAbort,
    SkipCheck,
    StudentCodeError,
    StudentExitAbort,
    WorkerDiedAbort,
    WorkerStartAbort,
)
from grader.exercise import Exercise, Tolerance
from grader.sandbox.client import Reply, WorkerClient, WorkerDied, WorkerStartError, WorkerTimeout

if TYPE_CHECKING:
    from grader.checks.timing import ReferenceWorkers


#: Exceptions that mean student code tried to stop the program rather than compute a result.
EXIT_EXCEPTIONS = ("SystemExit", "KeyboardInterrupt")


class CheckContext:
    """Everything one check may use while it runs.

    ``worker`` runs the student's code; ``reference`` is the reference
    solution imported in the grader process, or None when no solutions are
    available.  Calls made through ``call`` turn the worker's failures into the
    exceptions of ``grader.checks.failures``.
    """

    def __init__(
        self,
        *,
        exercise: Exercise,
        worker: WorkerClient,
        namespace: str,
        reference: ModuleType | None,
        reference_workers: "ReferenceWorkers | None",
        check_timeout: float,
        diagnostics: bool = False,
    ) -> None:
        self.exercise = exercise
        self.worker = worker
        self.namespace = namespace
        self.reference = reference
        self.reference_workers = reference_workers
        self.deadline = time.monotonic() + check_timeout
        self.check_timeout = check_timeout
        #: Whether pictures were requested, so checks may take extra measurements for them.
        self.diagnostics = diagnostics
        self.measurements: dict[str, Any] = {}
        self.log_lines: list[str] = []
        self._input_description: str | None = None
        self._last_call_description: str | None = None

    # Settings from exercise.yaml.

    @property
    def settings(self) -> dict[str, Any]:
        return self.exercise.settings

    def tolerance(self, name: str) -> Tolerance:
        return self.exercise.tolerance(name)

    def require_reference(self) -> ModuleType:
        """Return the reference module, or skip the check when there is none."""
        if self.reference is None:
            raise SkipCheck("no reference solution is available, so this check needs the instructor's copy")
        return self.reference

    def log(self, line: str) -> None:
        self.log_lines.append(line)

    # Inputs and counterexamples.

    def describe_input(self, text: str) -> None:
        """Say in plain terms what the current input is; failures quote it as the counterexample."""
        self._input_description = text

    def input_description(self, function: str | None = None, args: tuple = ()) -> str | None:
        if self._input_description is not None:
            return self._input_description
        if function is None:
            return self._last_call_description
        return f"{function}(" + ", ".join(describe(arg) for arg in args) + ")"

    def fail(self, message: str, **fields: Any) -> CheckFailure:
        """Build a CheckFailure whose counterexample is the current input, unless one is given."""
        fields.setdefault("counterexample", self.input_description())
        return CheckFailure(message, **fields)

    # Calls into the worker.

    def call(self, function: str, *args: Any, **kwargs: Any) -> Any:
        """Call the student's ``function`` on ``args`` and return its decoded result."""
        return self.call_reply(function, *args, **kwargs).value

    def call_reply(
        self,
        function: str,
        *args: Any,
        keep: str | None = None,
        return_result: bool = True,
        timeout: float | None = None,
        **kwargs: Any,
    ) -> Reply:
        """Call the student's ``function`` and return the whole Reply (warnings, records, memory)."""
        limit = timeout if timeout is not None else self.exercise.limits.call_timeout
        remaining = self.deadline - time.monotonic()
        if remaining <= 0:
            raise CheckBudgetAbort(f"the check used up its {self.check_timeout:g} s time limit")
        description = self.input_description(function, args)
        self._last_call_description = description
        try:
            reply = self.worker.call(
                self.namespace, function, args, kwargs,
                timeout=min(limit, remaining), keep=keep, return_result=return_result,
            )
        except WorkerStartError as error:
            raise _start_abort(error) from None
        except WorkerTimeout as error:
            if remaining < limit:
                raise CheckBudgetAbort(
                    f"the check used up its {self.check_timeout:g} s time limit while {function} was running",
                    description, error.output,
                ) from None
            raise CallTimeoutAbort(
                f"{function} did not return within {limit:g} s (an infinite loop, or far too slow)",
                description, error.output,
            ) from None
        except WorkerDied as error:
            raise WorkerDiedAbort(
                f"the process running your code {error} while {function} was running", description, error.output
            ) from None
        return self._accept(reply, function, description)

    def _accept(self, reply: Reply, function: str, description: str | None) -> Reply:
        if reply.status == "raised":
            if reply.error_type == "NotImplementedError":
                raise NotImplementedAbort(
                    f"not implemented: {function} still raises NotImplementedError; "
                    f"fill in its body in {self.exercise.module}"
                )
            if reply.error_type in EXIT_EXCEPTIONS:
                # Shrinking the input would only repeat the exit, so end the check at once.
                error = StudentCodeError(function, reply.error_type, reply.message, reply.traceback, description)
                raise StudentExitAbort(_with_traceback(str(error), reply.traceback), description)
            raise StudentCodeError(function, reply.error_type, reply.message, reply.traceback, description)
        if reply.status == "missing":
            raise MissingFunctionAbort(f"missing: define `{function}` in your submission")
        if reply.status == "unencodable":
            raise CheckFailure(
                f"{function} returned a value the grader cannot read ({reply.message})", counterexample=description
            )
        return reply

    def stash(self, key: str, value: Any) -> None:
        """Keep ``value`` in the student's worker, for calls that pass ``StashRef(key)``."""
        try:
            self.worker.stash(key, value)
        except WorkerStartError as error:
            raise _start_abort(error) from None
        except WorkerTimeout as error:
            raise CallTimeoutAbort("the worker did not accept the input in time", None, error.output) from None
        except WorkerDied as error:
            raise WorkerDiedAbort(f"the process running your code {error}", None, error.output) from None

    def fetch(self, key: str) -> Any:
        """Return the value kept in the student's worker under ``key``, as it is now."""
        try:
            reply = self.worker.fetch(key)
        except WorkerStartError as error:
            raise _start_abort(error) from None
        except WorkerTimeout as error:
            raise CallTimeoutAbort("reading a value back from your code's process timed out", None, error.output) from None
        except WorkerDied as error:
            raise WorkerDiedAbort(f"the process running your code {error}", None, error.output) from None
        if reply.status != "ok":
            raise WorkerDiedAbort(f"the process running your code lost a value the grader stored there ({reply.message})")
        return reply.value

    # Properties.

    def check_property(self, test: Callable[..., None], *strategies: Any, max_examples: int | None = None, **named: Any) -> None:
        """Run ``test`` on inputs drawn from ``strategies`` with Hypothesis, deterministically.

        Hypothesis runs derandomized and without an example database, so the
        same submission meets the same inputs on every run and machine.  When
        ``test`` raises, Hypothesis shrinks the input and raises again from the
        minimal one, whose description ends up in the outcome.
        """

        @functools.wraps(test)
        def run_one(*args: Any, **kwargs: Any) -> None:
            self._input_description = None
            self._last_call_description = None
            test(*args, **kwargs)

        settings = hypothesis.settings(
            max_examples=max_examples or self.exercise.max_examples,
            derandomize=True,
            database=None,
            deadline=None,
            suppress_health_check=list(HealthCheck),
            report_multiple_bugs=False,
            print_blob=False,
            verbosity=hypothesis.Verbosity.quiet,
        )
        hypothesis.given(*strategies, **named)(settings(run_one))()


def _start_abort(error: WorkerStartError) -> WorkerStartAbort:
    return WorkerStartAbort(
        f"grader error: the process for your code could not be started ({error}); "
        "this is not your fault, so please tell your instructor"
    )


def _with_traceback(message: str, traceback: str) -> str:
    return message + ("\n" + traceback.rstrip() if traceback else "")
