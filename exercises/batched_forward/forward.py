"""Exercise: the batched forward pass of a multilayer network."""

import numpy as np


def forward(X, params, activations):
    """Return the network's output for a whole batch at once.

    X: array of shape (n_features, batch_size), one sample per column.
    params: list of (W, b) pairs, one per layer, with W of shape
        (fan_out, fan_in) and b of shape (fan_out,).
    activations: list of functions, one per layer, each applied elementwise.
    Returns an array of shape (n_out, batch_size).

    Each layer computes A = activation(W @ A_prev + b[:, None]) with one
    matrix product for the whole batch; do not loop over samples, and do not
    modify X or the parameters in place.
    """
    raise NotImplementedError("write forward")
