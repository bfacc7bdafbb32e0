"""The JSON report, whose layout ``docs/report-format.md`` documents."""

from __future__ import annotations

import json
from pathlib import Path

from grader.files import write_atomic
from grader.report.model import Report


def render(report: Report) -> str:
    return json.dumps(report.to_dict(), indent=2, allow_nan=False) + "\n"


def write(report: Report, path: Path) -> None:
    write_atomic(path, render(report))
