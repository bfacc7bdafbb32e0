import time

import numpy as np


def measure_speedup(forward_fn, X, repeats=5):
    batch_times, loop_times = [], []
    for _ in range(repeats):
        start = time.perf_counter()
        batched = forward_fn(X)
        batch_times.append((time.perf_counter() - start) * 1000)

        start = time.perf_counter()
        looped = np.hstack([forward_fn(X[:, [j]]) for j in range(X.shape[1])])
        loop_times.append((time.perf_counter() - start) * 1000)

    t_batch, t_loop = min(batch_times), min(loop_times)  # in ms, easier to read
    return {
        "t_batch": t_batch,
        "t_loop": t_loop,
        "speedup": t_loop / t_batch,
        "max_abs_diff": float(np.max(np.abs(batched - looped))),
    }
