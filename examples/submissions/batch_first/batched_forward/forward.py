import numpy as np


def forward(X, params, activations):
    # Treats X as (batch_size, n_features), one sample per row.
    A = X
    for (W, b), activation in zip(params, activations):
        A = activation(A @ W.T + b)
    return A
