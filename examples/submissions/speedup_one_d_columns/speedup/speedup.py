import time

import numpy as np


def measure_speedup(forward_fn, X, repeats=5):
    batch_times, loop_times = [], []
    for _ in range(repeats):
        start = time.perf_counter()
        batched = forward_fn(X)
        batch_times.append(time.perf_counter() - start)

        start = time.perf_counter()
        outputs = [forward_fn(X[:, i]) for i in range(X.shape[1])]
        loop_times.append(time.perf_counter() - start)

    looped = np.column_stack(outputs)
    t_batch, t_loop = min(batch_times), min(loop_times)
    return {
        "t_batch": t_batch,
        "t_loop": t_loop,
        "speedup": t_loop / t_batch,
        "max_abs_diff": float(np.max(np.abs(batched - looped))),
    }
