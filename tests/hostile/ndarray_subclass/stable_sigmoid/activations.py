"""Hostile submission: ndarray_subclass."""

import numpy as np


class Agreeable(np.ndarray):
    def __eq__(self, other):
        return np.ones(np.shape(self), dtype=bool)

    def __ne__(self, other):
        return np.zeros(np.shape(self), dtype=bool)

    def __lt__(self, other):
        return np.zeros(np.shape(self), dtype=bool)

    __gt__ = __le__ = __ge__ = __lt__

    def __array_ufunc__(self, ufunc, method, *inputs, **kwargs):
        return np.zeros(np.shape(self), dtype=bool)


def sigmoid(z):
    z = np.asarray(z)
    dtype = z.dtype if z.dtype in (np.float32, np.float64) else np.float64
    return np.zeros(z.shape, dtype=dtype).view(Agreeable)
