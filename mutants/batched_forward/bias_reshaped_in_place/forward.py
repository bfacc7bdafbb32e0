import numpy as np


def forward(X, params, activations):
    A = X
    for (W, b), activation in zip(params, activations):
        b.shape = (-1, 1)
        A = activation(W @ A + b)
    return A
