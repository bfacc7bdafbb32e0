import numpy as np


def he_init(layer_sizes, rng):
    """He initialisation with one child generator per layer, drawn with rng.normal."""
    shapes = list(zip(layer_sizes[1:], layer_sizes[:-1]))
    layer_rngs = rng.spawn(len(shapes))
    weights = [
        layer_rng.normal(0.0, (2.0 / fan_in) ** 0.5, size=(fan_in, fan_out)).T
        for layer_rng, (fan_out, fan_in) in zip(layer_rngs, shapes)
    ]
    biases = [np.zeros((fan_out,), dtype=np.float64) for fan_out, _ in shapes]
    return [(W, b) for W, b in zip(weights, biases)]
