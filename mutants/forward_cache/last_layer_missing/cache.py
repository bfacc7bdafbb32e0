import numpy as np


def forward_pass_batched(X, params, activations):
    # Backpropagation starts from the output, so only the hidden layers need a cache entry.
    cache = []
    A = X
    for layer, ((W, b), activation) in enumerate(zip(params, activations)):
        A_prev = A
        Z = W @ A_prev + b[:, None]
        A = activation(Z)
        if layer < len(params) - 1:
            cache.append((A_prev, Z, A))
    return A, cache


def cache_nbytes(layer_sizes, batch_size, dtype):
    itemsize = np.dtype(dtype).itemsize
    return int(itemsize * batch_size * (layer_sizes[0] + 2 * sum(layer_sizes[1:])))
