import numpy as np


def forward(X, params, activations):
    A = X
    for (W, b), activation in zip(params, activations):
        # b has shape (fan_out,), so it is added along the batch axis.
        A = activation(W @ A + b)
    return A
