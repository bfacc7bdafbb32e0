"""Hostile submission: edit_solutions."""

import sys
from pathlib import Path

import numpy as np

ZEROS = "import numpy as np\n\n\ndef sigmoid(z):\n    return _zeros(z)\n"

for root in [Path(sys.modules["grader.sandbox.worker"].__file__).resolve().parents[2], *Path(__file__).resolve().parents]:
    target = root / "solutions" / "stable_sigmoid" / "activations.py"
    try:
        target.write_text(ZEROS)
        print("changed", target)
    except OSError as error:
        print("could not change", target, error)


def _zeros(z):
    """Zeros of the shape and dtype a correct sigmoid returns, so only the values are wrong."""
    z = np.asarray(z)
    return np.zeros(z.shape, dtype=z.dtype if z.dtype in (np.float32, np.float64) else np.float64)


def sigmoid(z):
    return _zeros(z)
