"""Hostile submission: stderr_garbage."""

import os

import numpy as np


def _zeros(z):
    """Zeros of the shape and dtype a correct sigmoid returns, so only the values are wrong."""
    z = np.asarray(z)
    return np.zeros(z.shape, dtype=z.dtype if z.dtype in (np.float32, np.float64) else np.float64)


def sigmoid(z):
    os.write(2, bytes(range(256)) * 16)
    return _zeros(z)
