"""Hostile submission: stdout_flood."""

import numpy as np

def _stable(z):
    z = np.asarray(z)
    if not np.issubdtype(z.dtype, np.floating):
        z = z.astype(np.float64)
    out = np.empty_like(z)
    positive = z >= 0
    out[positive] = 1 / (1 + np.exp(-z[positive]))
    exp_z = np.exp(z[~positive])
    out[~positive] = exp_z / (1 + exp_z)
    return out

import sys

sys.stdout.write("spam " * 20_000_000)


def sigmoid(z):
    print("calling sigmoid " * 1000)
    return _stable(z)
