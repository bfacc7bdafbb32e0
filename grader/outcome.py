"""The closed set of check statuses and the record of one check's outcome."""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from typing import Any


class Status(str, enum.Enum):
    """How one check ended.

    ``error`` means student code raised, crashed or exited; ``grader_error``
    means the grader or the exercise definition is broken, which is never the
    student's fault.
    """

    PASSED = "passed"
    FAILED = "failed"
    ERROR = "error"
    TIMEOUT = "timeout"
    NOT_IMPLEMENTED = "not_implemented"
    SKIPPED = "skipped"
    GRADER_ERROR = "grader_error"

    @property
    def passed(self) -> bool:
        return self is Status.PASSED

    @property
    def counts_toward_score(self) -> bool:
        """Whether the check's points are part of the submission's maximum score."""
        return self is not Status.SKIPPED


@dataclass
class CheckOutcome:
    """The outcome of one check on one submission."""

    name: str
    kind: str
    status: Status
    score: float
    max_score: float
    message: str
    description: str = ""
    counterexample: str | None = None
    expected: str | None = None
    found: str | None = None
    hint: str | None = None
    output: str | None = None
    seconds: float = 0.0
    #: Staff-only detail such as a grader traceback; never shown to students.
    staff_detail: str | None = None
    #: Measurements a check wants to keep, such as timing medians, for plots and benchmarks.
    measurements: dict[str, Any] = field(default_factory=dict)
    #: Whether exercise.yaml hides this check from students (Gradescope shows it to staff only).
    hidden: bool = False

    def to_dict(self, *, staff: bool = True) -> dict[str, Any]:
        data: dict[str, Any] = {
            "name": self.name,
            "kind": self.kind,
            "status": self.status.value,
            "score": self.score,
            "max_score": self.max_score,
            "message": self.message,
            "description": self.description,
            "counterexample": self.counterexample,
            "expected": self.expected,
            "found": self.found,
            "hint": self.hint,
            "output": self.output,
            "seconds": round(self.seconds, 4),
            "measurements": self.measurements,
            "hidden": self.hidden,
        }
        if staff:
            data["staff_detail"] = self.staff_detail
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> "CheckOutcome":
        return cls(
            name=data["name"],
            kind=data["kind"],
            status=Status(data["status"]),
            score=data["score"],
            max_score=data["max_score"],
            message=data["message"],
            description=data.get("description", ""),
            counterexample=data.get("counterexample"),
            expected=data.get("expected"),
            found=data.get("found"),
            hint=data.get("hint"),
            output=data.get("output"),
            seconds=data.get("seconds", 0.0),
            staff_detail=data.get("staff_detail"),
            measurements=data.get("measurements") or {},
            hidden=data.get("hidden", False),
        )
