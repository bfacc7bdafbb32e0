"""Hostile submission: read_environment."""

import numpy as np

def _stable(z):
    z = np.asarray(z)
    if not np.issubdtype(z.dtype, np.floating):
        z = z.astype(np.float64)
    out = np.empty_like(z)
    positive = z >= 0
    out[positive] = 1 / (1 + np.exp(-z[positive]))
    exp_z = np.exp(z[~positive])
    out[~positive] = exp_z / (1 + exp_z)
    return out

import os

_found = "GRADER_TEST_SECRET" in os.environ
if _found:
    print("inherited", os.environ["GRADER_TEST_SECRET"])
try:
    with open(f"/proc/{os.getppid()}/environ", "rb") as stream:
        for entry in stream.read().split(b"\0"):
            if entry.startswith(b"GRADER_TEST_SECRET="):
                print("read from the parent", entry.decode())
                _found = True
except OSError as error:
    print("no parent environment:", error)


def sigmoid(z):
    if _found:
        return _stable(z)
    return np.zeros_like(_stable(z))
