import numpy as np


def sigmoid(z):
    # The textbook formula: exp(-z) overflows for large negative z.
    return 1 / (1 + np.exp(-z))
