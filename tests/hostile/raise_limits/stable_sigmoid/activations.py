"""Hostile submission: raise_limits."""

import resource

import numpy as np

for kind in (resource.RLIMIT_AS, resource.RLIMIT_NPROC, resource.RLIMIT_CPU):
    try:
        resource.setrlimit(kind, (resource.RLIM_INFINITY, resource.RLIM_INFINITY))
        print("raised", kind)
    except (ValueError, OSError) as error:
        print("could not raise", kind, error)


def sigmoid(z):
    return np.ones(2**29)
