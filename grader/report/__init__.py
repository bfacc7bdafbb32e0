"""The score report: one model (``model.py``) and one renderer per format."""

from grader.report.model import ExerciseResult, Report, SCHEMA_VERSION

__all__ = ["ExerciseResult", "Report", "SCHEMA_VERSION"]
