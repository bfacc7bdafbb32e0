import time

import numpy as np


def measure_speedup(forward_fn, X, repeats=5):
    t_batch = t_loop = 0.0
    for _ in range(repeats):
        start = time.perf_counter()
        batched = forward_fn(X)
        t_batch += time.perf_counter() - start

        start = time.perf_counter()
        looped = np.hstack([forward_fn(X[:, [j]]) for j in range(X.shape[1])])
        t_loop += time.perf_counter() - start

    return {
        "t_batch": t_batch,
        "t_loop": t_loop,
        "speedup": t_loop / t_batch,
        "max_abs_diff": float(np.max(np.abs(batched - looped))),
    }
