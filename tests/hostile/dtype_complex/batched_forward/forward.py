"""Hostile submission: dtype_complex."""

import numpy as np


def forward(X, params, activations):
    A = X
    for (W, b), activation in zip(params, activations):
        A = activation(W @ A + b[:, None])
    return np.asarray(A).astype(np.int64)
