import numpy as np


def forward(X, params, activations):
    A = X
    for (W, b), activation in zip(params[:-1], activations[:-1]):
        A = activation(W @ A + b[:, None])
    # The output layer is linear.
    W, b = params[-1]
    return W @ A + b[:, None]
