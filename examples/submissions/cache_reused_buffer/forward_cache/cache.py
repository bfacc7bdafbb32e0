import numpy as np

# One workspace for all activations, grown when a bigger one is needed, to
# avoid allocating a new array in every layer.
_workspace = np.empty(0)


def forward_pass_batched(X, params, activations):
    global _workspace
    batch = X.shape[1]
    needed = max(W.shape[0] for W, _ in params) * batch
    if _workspace.size < needed or _workspace.dtype != X.dtype:
        _workspace = np.empty(needed, dtype=X.dtype)

    cache = []
    A_prev = X
    for (W, b), g in zip(params, activations):
        Z = W @ A_prev + b[:, None]
        A = _workspace[: Z.size].reshape(Z.shape)
        A[...] = g(Z)
        cache.append((A_prev, Z, A))
        A_prev = A
    return A_prev, cache


def cache_nbytes(layer_sizes, batch_size, dtype):
    n = layer_sizes[0] + 2 * sum(layer_sizes[1:])
    return n * batch_size * np.dtype(dtype).itemsize
