import numpy as np


def he_init(layer_sizes, rng):
    params = []
    for i in range(1, len(layer_sizes)):
        n_in, n_out = layer_sizes[i - 1], layer_sizes[i]
        W = rng.standard_normal((n_out, n_in)) * np.sqrt(2.0 / n_out)
        b = np.zeros(n_out)
        params.append((W, b))
    return params
