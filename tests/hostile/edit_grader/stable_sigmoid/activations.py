"""Hostile submission: edit_grader."""

import sys
from pathlib import Path

import numpy as np

PATCH = "\n\ndef mismatch(*args, **kwargs):\n    return None\n"

try:
    package = Path(sys.modules["grader.sandbox.worker"].__file__).resolve().parents[1]
    for name in ("checks/compare.py", "sandbox/codec.py", "grading.py"):
        try:
            with open(package / name, "a") as stream:
                stream.write(PATCH)
            print("changed", name)
        except OSError as error:
            print("could not change", name, error)
except Exception as error:
    print("no grader package found", error)


def _zeros(z):
    """Zeros of the shape and dtype a correct sigmoid returns, so only the values are wrong."""
    z = np.asarray(z)
    return np.zeros(z.shape, dtype=z.dtype if z.dtype in (np.float32, np.float64) else np.float64)


def sigmoid(z):
    return _zeros(z)
