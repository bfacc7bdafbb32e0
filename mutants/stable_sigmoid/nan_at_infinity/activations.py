import numpy as np


def sigmoid(z):
    # sigmoid(z) is the softmax of [0, z]; subtracting the larger of the two
    # before exp keeps every exponent at or below zero.
    shift = np.maximum(z, 0)
    return np.exp(z - shift) / (np.exp(-shift) + np.exp(z - shift))
