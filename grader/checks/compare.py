"""Comparisons that explain themselves: shapes, dtypes and values within tolerance."""

from __future__ import annotations

from typing import Any

import numpy as np

from grader.checks.describe import describe, shape_text
from grader.exercise import Tolerance
from grader.sandbox.codec import Opaque


def array_or_none(value: Any) -> np.ndarray | None:
    """Return ``value`` as an ndarray when it is one (or a NumPy scalar), else None."""
    if isinstance(value, np.ndarray):
        return value
    if isinstance(value, np.generic):
        return np.asarray(value)
    return None


def not_an_array_message(function: str, value: Any) -> str:
    if isinstance(value, Opaque):
        return f"{function} returned {value}, which is not a NumPy array"
    return f"{function} returned {describe(value)}, not a NumPy array"


def mismatch(found: np.ndarray, expected: np.ndarray, tolerance: Tolerance) -> str | None:
    """Describe the worst element where ``found`` differs from ``expected``, or None when close.

    Elements match when ``|found - expected| <= atol + rtol * |expected|``, NaN
    matches NaN and an infinity matches the same infinity.
    """
    if found.shape != expected.shape:
        return f"shape {shape_text(found.shape)} where {shape_text(expected.shape)} was expected"
    if found.size == 0:
        return None
    with np.errstate(all="ignore"):
        found64 = found.astype(np.complex128 if np.iscomplexobj(found) else np.float64)
        expected64 = expected.astype(np.float64)
        same = (found64 == expected64) | (np.isnan(found64) & np.isnan(expected64))
        difference = np.abs(found64 - expected64)
        allowed = tolerance.atol + tolerance.rtol * np.abs(expected64)
        bad = ~same & ~(difference <= allowed)
    if not bad.any():
        return None
    score = np.where(bad, np.nan_to_num(difference, nan=np.inf, posinf=np.inf), -1.0)
    index = np.unravel_index(int(np.argmax(score)), found.shape)
    where = f"at index {tuple(int(i) for i in index)}" if found.ndim else "for the value"
    count = int(bad.sum())
    return (
        f"{count} of {found.size} values differ; {where} expected {_number(expected[index])}, "
        f"found {_number(found[index])} (allowed difference {tolerance.atol:g} + {tolerance.rtol:g} x |expected|)"
    )


def _number(value: Any) -> str:
    return repr(float(value)) if np.isrealobj(value) else str(complex(value))
