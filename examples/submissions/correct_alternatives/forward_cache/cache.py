import numpy as np


def forward_pass_batched(X, params, activations):
    """Keep the list of activations and zip the cache together at the end."""
    As, Zs = [X], []
    for (W, b), activation in zip(params, activations):
        Zs.append(np.matmul(W, As[-1]) + b.reshape(-1, 1))
        As.append(activation(Zs[-1]))
    cache = list(zip(As[:-1], Zs, As[1:]))
    return As[-1], cache


def cache_nbytes(layer_sizes, batch_size, dtype):
    """X, then Z and A for every layer; A_prev of a layer is the previous A."""
    elements = batch_size * layer_sizes[0]
    for width in layer_sizes[1:]:
        elements += 2 * batch_size * width
    return elements * np.dtype(dtype).itemsize
