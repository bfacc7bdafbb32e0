import numpy as np


def forward_pass_batched(X, params, activations):
    cache = []
    A = X
    for (W, b), activation in zip(params, activations):
        Z = W @ A + b[:, None]
        A = activation(Z)
        A_prev = A
        cache.append((A_prev, Z, A))
    return A, cache


def cache_nbytes(layer_sizes, batch_size, dtype):
    itemsize = np.dtype(dtype).itemsize
    return int(itemsize * batch_size * (layer_sizes[0] + 2 * sum(layer_sizes[1:])))
