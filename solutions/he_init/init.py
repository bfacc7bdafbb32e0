"""Reference solution: He initialisation."""

import numpy as np


def he_init(layer_sizes, rng):
    """Return one (W, b) pair per layer, W ~ N(0, 2 / fan_in) of shape (fan_out, fan_in) and b zeros."""
    params = []
    for fan_in, fan_out in zip(layer_sizes[:-1], layer_sizes[1:]):
        W = rng.standard_normal((fan_out, fan_in)) * np.sqrt(2.0 / fan_in)
        b = np.zeros(fan_out)
        params.append((W, b))
    return params
