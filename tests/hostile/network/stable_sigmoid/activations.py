"""Hostile submission: network."""

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

import socket
from pathlib import Path

_connected = False
try:
    port = int((Path(__file__).resolve().parents[1] / "port.txt").read_text())
    with socket.create_connection(("127.0.0.1", port), timeout=2) as connection:
        connection.sendall(b"hello from a submission")
    _connected = True
except OSError as error:
    print("no network:", error)


def sigmoid(z):
    if _connected:
        return _stable(z)
    return np.zeros_like(_stable(z))
