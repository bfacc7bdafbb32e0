import numpy as np


def sigmoid(z):
    # The overflow warnings are harmless, so hide them.
    with np.errstate(over="ignore", invalid="ignore"):
        return np.exp(z) / (1 + np.exp(z))
