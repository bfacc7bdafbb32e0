import numpy as np


def forward(X, params, activations):
    # Work with one sample per row, which is easier to read.
    A = X.T
    for (W, b), activation in zip(params, activations):
        A = activation(A @ W.T + b)
    return A
