import numpy as np


def sigmoid(z):
    # Clipping keeps exp(-z) finite in float64, but exp(500) still overflows float32.
    z = np.clip(z, -500, 500)
    return 1.0 / (1.0 + np.exp(-z))
