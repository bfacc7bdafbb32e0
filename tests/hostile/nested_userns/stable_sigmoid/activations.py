"""Hostile submission: nested_userns."""

import ctypes
import os

import numpy as np

CLONE_NEWUSER = 0x10000000


def _can_create_user_namespace():
    child = os.fork()
    if child == 0:
        libc = ctypes.CDLL(None, use_errno=True)
        os._exit(0 if libc.unshare(CLONE_NEWUSER) == 0 else 1)
    _, status = os.waitpid(child, 0)
    return os.waitstatus_to_exitcode(status) == 0


_allowed = _can_create_user_namespace()
print("created a user namespace" if _allowed else "could not create a user namespace")


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


def sigmoid(z):
    if _allowed:
        return _stable(z)
    return np.zeros_like(_stable(z))
