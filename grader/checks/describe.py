"""Plain-language descriptions of values for messages and counterexamples."""

from __future__ import annotations

from typing import Any

import numpy as np

MAX_SHOWN_ELEMENTS = 12


def describe(value: Any) -> str:
    """Describe a value as a student would read it: type, shape, dtype and, when small, contents."""
    if isinstance(value, np.ndarray):
        return describe_array(value)
    if isinstance(value, np.generic):
        return f"NumPy scalar {value.dtype} {_format_scalar(value)}"
    if isinstance(value, float):
        return f"Python float {value!r}"
    if isinstance(value, bool):
        return f"Python bool {value!r}"
    if isinstance(value, int):
        return f"Python int {value!r}"
    if isinstance(value, (list, tuple)):
        kind = type(value).__name__
        if len(value) > 6:
            return f"{kind} of {len(value)} items"
        return f"{kind} [" + ", ".join(describe(item) for item in value) + "]"
    if value is None:
        return "None"
    return str(value) if len(str(value)) < 200 else f"{type(value).__name__} value"


def describe_array(array: np.ndarray) -> str:
    text = f"array of shape {array.shape}, dtype {array.dtype}"
    if array.size == 0:
        return text + " (empty)"
    if array.size <= MAX_SHOWN_ELEMENTS:
        with np.printoptions(precision=6, threshold=MAX_SHOWN_ELEMENTS, linewidth=200):
            return text + ": " + np.array2string(array, separator=", ").replace("\n", "")
    return text


def _format_scalar(value: np.generic) -> str:
    with np.printoptions(precision=6):
        return str(value)


def shape_text(shape: tuple[int, ...]) -> str:
    return str(tuple(int(n) for n in shape))
