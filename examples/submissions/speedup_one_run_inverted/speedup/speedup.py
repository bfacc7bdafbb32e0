import time

import numpy as np


def measure_speedup(forward_fn, X, repeats=5):
    start = time.perf_counter()
    batched = forward_fn(X)
    t_batch = time.perf_counter() - start

    start = time.perf_counter()
    outputs = []
    for j in range(X.shape[1]):
        outputs.append(forward_fn(X[:, [j]]))
    t_loop = time.perf_counter() - start

    looped = np.concatenate(outputs, axis=1)
    return {
        "t_batch": t_batch,
        "t_loop": t_loop,
        "speedup": t_batch / t_loop,
        "max_abs_diff": float(np.abs(batched - looped).max()),
    }
