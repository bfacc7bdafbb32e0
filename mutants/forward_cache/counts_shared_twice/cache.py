import numpy as np


def forward_pass_batched(X, params, activations):
    cache = []
    A = X
    for (W, b), activation in zip(params, activations):
        A_prev = A
        Z = W @ A_prev + b[:, None]
        A = activation(Z)
        cache.append((A_prev, Z, A))
    return A, cache


def cache_nbytes(layer_sizes, batch_size, dtype):
    # Every cache entry holds A_prev, Z and A.
    itemsize = np.dtype(dtype).itemsize
    total = 0
    for fan_in, fan_out in zip(layer_sizes[:-1], layer_sizes[1:]):
        total += itemsize * batch_size * (fan_in + 2 * fan_out)
    return total
