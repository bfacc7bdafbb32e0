"""Exercise: a batched forward pass that keeps what backpropagation needs, and its memory cost."""

import numpy as np


def forward_pass_batched(X, params, activations):
    """Return the network's output for the batch X and the cache of every layer.

    X: array of shape (n_features, batch_size), one sample per column.
    params: list of (W, b) pairs, one per layer, with W of shape
        (fan_out, fan_in) and b of shape (fan_out,).
    activations: list of functions, one per layer, each applied elementwise.
    Returns (output, cache).  output is the last layer's A, of shape
    (n_out, batch_size).  cache is a list with one tuple (A_prev, Z, A) per
    layer: A_prev is the layer's input (X for the first layer), of shape
    (fan_in, batch_size); Z = W @ A_prev + b[:, None] and A = activation(Z)
    both have shape (fan_out, batch_size).  A of one layer is the same array
    as A_prev of the next, not a copy, and every call returns new arrays.
    """
    raise NotImplementedError("write forward_pass_batched")


def cache_nbytes(layer_sizes, batch_size, dtype):
    """Return the number of bytes held by the arrays of such a cache, counting each array once.

    layer_sizes: list [n_features, n_1, ..., n_out] of layer widths.
    batch_size: number of samples (columns) in X.
    dtype: np.float64, np.float32 or a dtype string such as "float32".
    A of one layer and A_prev of the next are one array, so it counts once;
    X counts as the first layer's A_prev.  Returns an int.
    """
    raise NotImplementedError("write cache_nbytes")
