import numpy as np


def he_init(layer_sizes, rng):
    params = []
    for fan_in, fan_out in zip(layer_sizes[:-1], layer_sizes[1:]):
        # Uniform on [-limit, limit] has variance limit**2 / 3 = 2 / fan_in.
        limit = np.sqrt(6.0 / fan_in)
        W = rng.uniform(-limit, limit, size=(fan_out, fan_in))
        params.append((W, np.zeros(fan_out)))
    return params
