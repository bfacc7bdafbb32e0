"""sigmoid through tanh: 1/(1+e^-z) = (1 + tanh(z/2)) / 2, which never overflows."""

import numpy as np


def sigmoid(z):
    return 0.5 * (1.0 + np.tanh(np.asarray(z) / 2))
