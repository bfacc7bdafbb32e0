"""The report of one graded submission, and its JSON form."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from grader.outcome import CheckOutcome, Status

#: Version of the JSON report layout; raised when a field changes meaning or goes away.
SCHEMA_VERSION = 1


@dataclass
class ExerciseResult:
    """The outcomes of one exercise's checks."""

    name: str
    title: str
    checks: list[CheckOutcome]

    @property
    def score(self) -> float:
        return sum(check.score for check in self.checks)

    @property
    def max_score(self) -> float:
        return sum(check.max_score for check in self.checks)

    @property
    def unchecked_points(self) -> float:
        """Points of checks that were skipped, such as those that need the reference solution."""
        return sum(check.max_score for check in self.checks if check.status is Status.SKIPPED)

    def to_dict(self, *, staff: bool = True) -> dict[str, Any]:
        return {
            "name": self.name,
            "title": self.title,
            "score": self.score,
            "max_score": self.max_score,
            "unchecked_points": self.unchecked_points,
            "checks": [check.to_dict(staff=staff) for check in self.checks],
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> "ExerciseResult":
        return cls(data["name"], data["title"], [CheckOutcome.from_dict(c) for c in data["checks"]])


@dataclass
class CellNote:
    """A fact a student should know about one notebook cell.

    ``kind`` is one of three values.  With ``skipped``, ``text`` is a line of
    IPython syntax that did not run.  With ``raised``, ``text`` is the
    exception's type and message.  With ``timeout``, the cell ran past its
    limit and was interrupted.
    """

    cell: int
    kind: str
    text: str
    #: The first line of the cell, so the student can find it.
    preview: str = ""
    traceback: str = ""

    def to_dict(self) -> dict[str, Any]:
        return {"cell": self.cell, "kind": self.kind, "text": self.text, "preview": self.preview, "traceback": self.traceback}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> "CellNote":
        return cls(data["cell"], data["kind"], data["text"], data.get("preview", ""), data.get("traceback", ""))

    def describe(self) -> str:
        """Return one line for the student, such as ``cell 4 raised NameError: ...``."""
        where = f"cell {self.cell}" + (f" (`{self.preview}`)" if self.preview and self.kind != "skipped" else "")
        if self.kind == "skipped":
            return f"{where}: skipped `{self.text}`, which only IPython can run"
        if self.kind == "timeout":
            return f"{where} was interrupted: {self.text}"
        return f"{where} raised {self.text}; the cells after it still ran"


@dataclass
class Report:
    """Everything the grader concluded about one submission."""

    submission: str
    exercises: list[ExerciseResult]
    solutions: str | None = None
    isolation: dict[str, Any] = field(default_factory=dict)
    grader_version: str = ""
    seconds: float = 0.0
    notes: list[str] = field(default_factory=list)
    #: ``tree``, ``file`` or ``notebook``.
    submission_kind: str = "tree"
    #: Why a file or notebook could not be read at all (then no check ran); empty when it could.
    submission_error: str = ""
    #: The student's name in a class run; empty for a single submission.
    student: str = ""
    #: Skipped lines and failed cells of a notebook submission, in cell order.
    cell_notes: list[CellNote] = field(default_factory=list)
    #: Data for pictures (activation statistics), keyed by diagnostic name.
    diagnostics: dict[str, Any] = field(default_factory=dict)
    #: Content hashes (``submission``, ``grading``) that tell a class run whether this report is current.
    fingerprint: dict[str, str] = field(default_factory=dict)
    #: Seconds spent in each phase of grading (see ``grader.grading.PhaseTimes``); empty when not measured.
    timings: dict[str, Any] = field(default_factory=dict)

    @property
    def score(self) -> float:
        return sum(exercise.score for exercise in self.exercises)

    @property
    def max_score(self) -> float:
        return sum(exercise.max_score for exercise in self.exercises)

    @property
    def unchecked_points(self) -> float:
        return sum(exercise.unchecked_points for exercise in self.exercises)

    @property
    def percent(self) -> float:
        return 100.0 * self.score / self.max_score if self.max_score else 0.0

    def problems(self) -> list[str]:
        """Return short reasons, for an instructor, why this submission may need a look."""
        found = []
        if self.grader_failed:
            found.append("grader error")
        if self.submission_error:
            found.append(f"{self.submission_kind} could not be read")
        failed_cells = sorted({note.cell for note in self.cell_notes if note.kind != "skipped"})
        if failed_cells:
            found.append("errors in cells " + ", ".join(str(cell) for cell in failed_cells))
        return found

    @property
    def grader_failed(self) -> bool:
        """Whether any check ended in a grader error, which is never the student's fault."""
        return any(check.status is Status.GRADER_ERROR for _, check in self.checks())

    def checks(self) -> list[tuple[ExerciseResult, CheckOutcome]]:
        return [(exercise, check) for exercise in self.exercises for check in exercise.checks]

    def to_dict(self, *, staff: bool = True) -> dict[str, Any]:
        return {
            "schema_version": SCHEMA_VERSION,
            "grader_version": self.grader_version,
            "submission": self.submission,
            "solutions": self.solutions,
            "score": self.score,
            "max_score": self.max_score,
            "percent": round(self.percent, 2),
            "unchecked_points": self.unchecked_points,
            "isolation": self.isolation,
            "seconds": round(self.seconds, 3),
            "notes": list(self.notes),
            "submission_kind": self.submission_kind,
            "submission_error": self.submission_error,
            "student": self.student,
            "cell_notes": [note.to_dict() for note in self.cell_notes],
            "exercises": [exercise.to_dict(staff=staff) for exercise in self.exercises],
            "diagnostics": self.diagnostics,
            "fingerprint": self.fingerprint,
            "timings": self.timings,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> "Report":
        if data.get("schema_version") != SCHEMA_VERSION:
            raise ValueError(f"report schema version {data.get('schema_version')!r} is not {SCHEMA_VERSION}")
        return cls(
            submission=data["submission"],
            exercises=[ExerciseResult.from_dict(e) for e in data["exercises"]],
            solutions=data.get("solutions"),
            isolation=data.get("isolation", {}),
            grader_version=data.get("grader_version", ""),
            seconds=data.get("seconds", 0.0),
            notes=data.get("notes", []),
            submission_kind=data.get("submission_kind", "tree"),
            submission_error=data.get("submission_error", ""),
            student=data.get("student", ""),
            cell_notes=[CellNote.from_dict(note) for note in data.get("cell_notes", [])],
            diagnostics=data.get("diagnostics") or {},
            fingerprint=data.get("fingerprint") or {},
            timings=data.get("timings") or {},
        )
