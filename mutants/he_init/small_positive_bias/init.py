import numpy as np


def he_init(layer_sizes, rng):
    params = []
    for fan_in, fan_out in zip(layer_sizes[:-1], layer_sizes[1:]):
        W = rng.standard_normal((fan_out, fan_in)) * np.sqrt(2.0 / fan_in)
        # A small positive bias keeps every ReLU active at the start.
        b = np.full(fan_out, 0.01)
        params.append((W, b))
    return params
