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
    # A float takes 8 bytes.
    return 8 * batch_size * (layer_sizes[0] + 2 * sum(layer_sizes[1:]))
