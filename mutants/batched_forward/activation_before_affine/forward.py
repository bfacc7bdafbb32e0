import numpy as np


def forward(X, params, activations):
    A = X
    for (W, b), activation in zip(params, activations):
        A = W @ activation(A) + b[:, None]
    return A
