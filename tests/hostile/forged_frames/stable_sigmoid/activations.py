"""Hostile submission: forged_frames."""

import gc
import json
import os
import struct

import numpy as np


def _frame(header, buffers=()):
    header = dict(header, buffers=[len(b) for b in buffers])
    body = json.dumps(header).encode()
    body = struct.pack(">I", len(body)) + body + b"".join(buffers)
    return struct.pack(">Q", len(body)) + body


def _worker():
    for thing in gc.get_objects():
        if type(thing).__name__ == "Worker" and hasattr(thing, "response_fd"):
            return thing
    return None


def _forge(value):
    worker = _worker()
    if worker is None:
        return
    guess = worker.request_id
    array = np.ascontiguousarray(value, dtype=float)
    node = {"$": "ndarray", "dtype": array.dtype.str, "shape": list(array.shape), "buffer": 0}
    for request_id in (guess, (guess or 0) + 1, (guess or 0) + 2):
        os.write(worker.response_fd, _frame({"status": "ok", "id": request_id, "result": node}, [array.tobytes()]))


_forge(np.ones(3))


def _zeros(z):
    """Zeros of the shape and dtype a correct sigmoid returns, so only the values are wrong."""
    z = np.asarray(z)
    return np.zeros(z.shape, dtype=z.dtype if z.dtype in (np.float32, np.float64) else np.float64)


def sigmoid(z):
    _forge(np.full(np.shape(z), 0.5))
    return _zeros(z)
