"""Hostile submission: touch_other_submission."""

from pathlib import Path

import numpy as np

OTHER = Path(__file__).resolve().parents[2] / "other_student" / "stable_sigmoid" / "activations.py"

try:
    print("read", len(OTHER.read_text()), "characters of", OTHER)
    OTHER.write_text("def sigmoid(z):\n    raise RuntimeError('sabotaged')\n")
    print("overwrote", OTHER)
except OSError as error:
    print("could not touch", OTHER, error)


def _zeros(z):
    """Zeros of the shape and dtype a correct sigmoid returns, so only the values are wrong."""
    z = np.asarray(z)
    return np.zeros(z.shape, dtype=z.dtype if z.dtype in (np.float32, np.float64) else np.float64)


def sigmoid(z):
    return _zeros(z)
