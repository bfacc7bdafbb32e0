import numpy as np


def sigmoid(z):
    # Pick the formula that cannot overflow for each sign of z.
    return np.where(z >= 0, 1 / (1 + np.exp(-z)), np.exp(z) / (1 + np.exp(z)))
