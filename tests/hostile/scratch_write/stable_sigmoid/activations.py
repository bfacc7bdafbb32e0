"""Hostile submission: scratch_write."""

import os
import tempfile
from pathlib import Path

import numpy as np

Path("notes.txt").write_text("the working folder is writable\n")
(Path(os.environ["HOME"]) / ".cache-test").write_text("so is HOME\n")
with tempfile.NamedTemporaryFile("w", delete=False) as stream:
    stream.write("and the temporary folder\n")


def sigmoid(z):
    z = np.asarray(z)
    if not np.issubdtype(z.dtype, np.floating):
        z = z.astype(np.float64)
    out = np.empty_like(z)
    positive = z >= 0
    out[positive] = 1 / (1 + np.exp(-z[positive]))
    exp_z = np.exp(z[~positive])
    out[~positive] = exp_z / (1 + exp_z)
    return out
