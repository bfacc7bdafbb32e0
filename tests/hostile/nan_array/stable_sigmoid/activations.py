"""Hostile submission: nan_array."""

import numpy as np


def sigmoid(z):
    z = np.asarray(z)
    dtype = z.dtype if z.dtype in (np.float32, np.float64) else np.float64
    return np.full(z.shape, np.nan, dtype=dtype)
