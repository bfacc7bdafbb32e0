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
class Report:
    """Everything the grader concluded about one submission."""

    submission: str
    exercises: list[ExerciseResult]
    solutions: str | None = None
    isolation: dict[str, Any] = field(default_factory=dict)
    grader_version: str = ""
    seconds: float = 0.0
    notes: list[str] = field(default_factory=list)

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
            "exercises": [exercise.to_dict(staff=staff) for exercise in self.exercises],
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
        )
