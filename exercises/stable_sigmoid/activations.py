"""Exercise: a numerically stable sigmoid."""

import numpy as np


def sigmoid(z):
    """Return the logistic function 1 / (1 + exp(-z)), computed without overflow.

    z: a Python number or a NumPy array of any shape.
    Returns an array of the same shape as z (a 0-d array or NumPy scalar when
    z is a number).  Float32 input gives float32 output; integer or boolean
    input gives float64.  No overflow, invalid-value or divide-by-zero warning
    may be emitted for any input, sigmoid(inf) is exactly 1.0, sigmoid(-inf)
    is exactly 0.0, and NaN stays NaN.
    """
    raise NotImplementedError("write sigmoid")
