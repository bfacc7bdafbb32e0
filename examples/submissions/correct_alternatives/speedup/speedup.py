import statistics
import timeit

import numpy as np


def measure_speedup(forward_fn, X, repeats=5):
    """Median of `repeats` timings with timeit, and a preallocated output for the loop."""
    n_samples = X.shape[1]
    batched = forward_fn(X)
    looped = np.empty_like(batched)

    def loop():
        for j in range(n_samples):
            looped[:, j : j + 1] = forward_fn(X[:, j : j + 1])

    t_batch = statistics.median(timeit.repeat(lambda: forward_fn(X), number=1, repeat=repeats))
    t_loop = statistics.median(timeit.repeat(loop, number=1, repeat=repeats))
    return {
        "t_batch": float(t_batch),
        "t_loop": float(t_loop),
        "speedup": float(t_loop / t_batch),
        "max_abs_diff": float(np.abs(batched - looped).max()),
    }
