"""Hostile submission: hang_thread."""

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

import threading


def _spin():
    while True:
        pass


threading.Thread(target=_spin).start()


def sigmoid(z):
    return _stable(z)
