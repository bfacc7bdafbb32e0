"""Hostile submission: replace_builtins."""

import builtins

import numpy as np

builtins.isinstance = lambda value, kind: True
builtins.len = lambda value: 0
builtins.abs = lambda value: 0


def _zeros(z):
    """Zeros of the shape and dtype a correct sigmoid returns, so only the values are wrong."""
    z = np.asarray(z)
    return np.zeros(z.shape, dtype=z.dtype if z.dtype in (np.float32, np.float64) else np.float64)


def sigmoid(z):
    return _zeros(z)
