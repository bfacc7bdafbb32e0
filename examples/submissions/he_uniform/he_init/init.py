import numpy as np


def he_init(layer_sizes, rng):
    """He-uniform: U(-limit, limit) with limit = sqrt(6 / fan_in) has variance 2 / fan_in."""
    params = []
    for fan_in, fan_out in zip(layer_sizes[:-1], layer_sizes[1:]):
        limit = np.sqrt(6.0 / fan_in)
        W = rng.uniform(-limit, limit, size=(fan_out, fan_in))
        params.append((W, np.zeros(fan_out)))
    return params
