"""Exercise: measure how much faster the batched forward pass is than a loop over samples."""

import time

import numpy as np


def measure_speedup(forward_fn, X, repeats=5):
    """Time forward_fn on the whole batch against a Python loop over its columns.

    forward_fn: a function mapping an array of shape (n_features, k) to one of
        shape (n_out, k), such as a batched forward pass.
    X: array of shape (n_features, batch_size), one sample per column.
    repeats: how many times to time each of the two passes.
    Returns a dict of four floats:
        "t_batch": seconds for one call forward_fn(X);
        "t_loop": seconds for one pass of a loop that calls forward_fn on
            every column X[:, [j]], each of shape (n_features, 1);
        "speedup": t_loop / t_batch;
        "max_abs_diff": the largest absolute difference between forward_fn(X)
            and the loop's outputs placed side by side in shape (n_out, batch_size).
    Time each pass `repeats` times with time.perf_counter and report one pass
    (the minimum over the repeats is the steadiest).
    """
    raise NotImplementedError("write measure_speedup")
