"""Hostile submission: write_report."""

import json
import os
import time
from pathlib import Path

import numpy as np

REPORT = Path(__file__).resolve().parents[2] / "report.json"
FORGED = json.dumps({"schema_version": 1, "score": 22, "max_score": 22, "percent": 100.0, "exercises": []})


def _forge():
    try:
        REPORT.write_text(FORGED)
        print("forged", REPORT)
    except OSError as error:
        print("could not forge", REPORT, error)


_forge()
if os.fork() == 0:
    os.setsid()
    if os.fork() == 0:
        for _ in range(20):
            time.sleep(0.5)
            _forge()
    os._exit(0)


def _zeros(z):
    """Zeros of the shape and dtype a correct sigmoid returns, so only the values are wrong."""
    z = np.asarray(z)
    return np.zeros(z.shape, dtype=z.dtype if z.dtype in (np.float32, np.float64) else np.float64)


def sigmoid(z):
    return _zeros(z)
