import time

import numpy as np


def measure_speedup(forward_fn, X, repeats=5):
    batch_times, loop_times = [], []
    for _ in range(repeats):
        start = time.perf_counter()
        batched = forward_fn(X)
        batch_times.append(time.perf_counter() - start)

        start = time.perf_counter()
        outputs = [forward_fn(X[:, [j]]) for j in range(X.shape[1])]
        loop_times.append(time.perf_counter() - start)

    t_batch, t_loop = min(batch_times), min(loop_times)
    # Compare the first sample of the batch with its own forward pass.
    max_abs_diff = float(np.max(np.abs(batched[:, [0]] - outputs[0])))
    return {"t_batch": t_batch, "t_loop": t_loop, "speedup": t_loop / t_batch, "max_abs_diff": max_abs_diff}
