"""Reference solution: the speedup of the batched forward pass over a loop over samples."""

import time

import numpy as np


def measure_speedup(forward_fn, X, repeats=5):
    """Return the best-of-``repeats`` times of the batched call and of the column loop, their ratio and difference."""
    batch_times, loop_times = [], []
    for _ in range(repeats):
        start = time.perf_counter()
        batched = forward_fn(X)
        batch_times.append(time.perf_counter() - start)

        start = time.perf_counter()
        columns = [forward_fn(X[:, j : j + 1]) for j in range(X.shape[1])]
        loop_times.append(time.perf_counter() - start)

    looped = np.hstack(columns)
    t_batch, t_loop = min(batch_times), min(loop_times)
    return {
        "t_batch": t_batch,
        "t_loop": t_loop,
        "speedup": t_loop / t_batch,
        "max_abs_diff": float(np.max(np.abs(batched - looped))),
    }
