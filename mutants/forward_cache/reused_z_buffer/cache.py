import numpy as np

# Z buffers kept between calls, so repeated forward passes allocate nothing.
_buffers = {}


def forward_pass_batched(X, params, activations):
    cache = []
    A = X
    for layer, ((W, b), activation) in enumerate(zip(params, activations)):
        key = (layer, W.shape[0], A.shape[1], np.result_type(W, A))
        if key not in _buffers:
            _buffers[key] = np.empty((W.shape[0], A.shape[1]), dtype=key[3])
        Z = _buffers[key]
        np.matmul(W, A, out=Z)
        Z += b[:, None]
        A_prev = A
        A = activation(Z)
        cache.append((A_prev, Z, A))
    return A, cache


def cache_nbytes(layer_sizes, batch_size, dtype):
    itemsize = np.dtype(dtype).itemsize
    return int(itemsize * batch_size * (layer_sizes[0] + 2 * sum(layer_sizes[1:])))
