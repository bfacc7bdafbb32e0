import numpy as np


def forward(X, params, activations):
    A = X
    for (W, b), activation in zip(params, activations):
        Z = W @ A + b[None, :]
        A = activation(Z)
    return A
