import numpy as np


def sigmoid(z):
    # exp(-|z|) is at most 1, so it never overflows.
    return 1 / (1 + np.exp(-np.abs(z)))
