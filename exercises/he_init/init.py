"""Exercise: He initialisation of a dense network's parameters."""

import numpy as np


def he_init(layer_sizes, rng):
    """Return He-initialised parameters for a dense network with the given layer widths.

    layer_sizes: list [n_features, n_1, ..., n_out] of layer widths.
    rng: a numpy.random.Generator; draw every random number from it and
        never from np.random's global functions.
    Returns a list of (W, b) pairs, one per layer.  W has shape
    (fan_out, fan_in), and its entries are drawn from the normal
    distribution N(0, 2 / fan_in) with standard deviation sqrt(2 / fan_in).
    b has shape (fan_out,) and is all zeros.  Both are float64.
    """
    raise NotImplementedError("write he_init")
