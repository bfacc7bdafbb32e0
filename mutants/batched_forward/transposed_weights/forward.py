import numpy as np


def forward(X, params, activations):
    A = X
    for (W, b), activation in zip(params, activations):
        # W maps fan_in inputs to fan_out outputs, so it is (fan_in, fan_out).
        A = activation(W.T @ A + b[:, None])
    return A
