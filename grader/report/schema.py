"""JSON Schema of the JSON report (``--json``), version ``SCHEMA_VERSION``.

``docs/report-format.md`` explains each field; tests validate every report
the grader writes against this schema.
"""

from grader.outcome import Status
from grader.report.model import SCHEMA_VERSION

_TEXT_OR_NULL = {"type": ["string", "null"]}

CHECK = {
    "type": "object",
    "required": ["name", "kind", "status", "score", "max_score", "message"],
    "properties": {
        "name": {"type": "string"},
        "kind": {"type": "string"},
        "status": {"enum": [status.value for status in Status]},
        "score": {"type": "number", "minimum": 0},
        "max_score": {"type": "number", "minimum": 0},
        "message": {"type": "string"},
        "description": {"type": "string"},
        "counterexample": _TEXT_OR_NULL,
        "expected": _TEXT_OR_NULL,
        "found": _TEXT_OR_NULL,
        "hint": _TEXT_OR_NULL,
        "output": _TEXT_OR_NULL,
        "seconds": {"type": "number", "minimum": 0},
        "measurements": {"type": "object"},
        "staff_detail": _TEXT_OR_NULL,
    },
}

EXERCISE = {
    "type": "object",
    "required": ["name", "title", "score", "max_score", "checks"],
    "properties": {
        "name": {"type": "string"},
        "title": {"type": "string"},
        "score": {"type": "number", "minimum": 0},
        "max_score": {"type": "number", "minimum": 0},
        "unchecked_points": {"type": "number", "minimum": 0},
        "checks": {"type": "array", "items": CHECK},
    },
}

REPORT = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "type": "object",
    "required": ["schema_version", "score", "max_score", "exercises"],
    "properties": {
        "schema_version": {"const": SCHEMA_VERSION},
        "grader_version": {"type": "string"},
        "submission": {"type": "string"},
        "solutions": _TEXT_OR_NULL,
        "score": {"type": "number", "minimum": 0},
        "max_score": {"type": "number", "minimum": 0},
        "percent": {"type": "number", "minimum": 0, "maximum": 100},
        "unchecked_points": {"type": "number", "minimum": 0},
        "isolation": {"type": "object"},
        "seconds": {"type": "number", "minimum": 0},
        "timings": {"type": "object"},
        "notes": {"type": "array", "items": {"type": "string"}},
        "exercises": {"type": "array", "items": EXERCISE},
    },
}
