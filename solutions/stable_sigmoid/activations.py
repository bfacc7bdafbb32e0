"""Reference solution: a numerically stable sigmoid."""

import numpy as np


def sigmoid(z):
    """Return 1 / (1 + exp(-z)) elementwise, with exp only ever called on non-positive values."""
    z = np.asarray(z)
    if not np.issubdtype(z.dtype, np.floating):
        z = z.astype(np.float64)
    out = np.empty_like(z)
    positive = z >= 0
    negative = ~positive
    out[positive] = 1 / (1 + np.exp(-z[positive]))
    exp_z = np.exp(z[negative])
    out[negative] = exp_z / (1 + exp_z)
    return out
