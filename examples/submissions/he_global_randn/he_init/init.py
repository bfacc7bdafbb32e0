import numpy as np


def he_init(layer_sizes, rng):
    params = []
    for fan_in, fan_out in zip(layer_sizes[:-1], layer_sizes[1:]):
        W = np.random.randn(fan_out, fan_in) * np.sqrt(2.0 / fan_in)
        params.append((W, np.zeros(fan_out)))
    return params
