"""Hostile submission: patch_numpy."""

import numpy as np
import numpy.testing

np.allclose = lambda *args, **kwargs: True
np.array_equal = lambda *args, **kwargs: True
np.isclose = lambda a, b, *args, **kwargs: np.ones(np.shape(a), dtype=bool)
numpy.testing.assert_allclose = lambda *args, **kwargs: None
numpy.testing.assert_array_equal = lambda *args, **kwargs: None


def _zeros(z):
    """Zeros of the shape and dtype a correct sigmoid returns, so only the values are wrong."""
    z = np.asarray(z)
    return np.zeros(z.shape, dtype=z.dtype if z.dtype in (np.float32, np.float64) else np.float64)


def sigmoid(z):
    return _zeros(z)
