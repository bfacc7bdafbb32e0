import numpy as np


def sigmoid(z):
    # exp(500) is about 1e217, far below the float64 limit, so clipping avoids overflow.
    z = np.clip(z, -500, 500)
    return 1 / (1 + np.exp(-z))
