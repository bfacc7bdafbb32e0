"""Hostile submission: read_solutions."""

import os
import sys
from pathlib import Path

import numpy as np


def _candidates():
    yield Path(sys.modules["grader.sandbox.worker"].__file__).resolve().parents[2] / "solutions"
    yield from (folder / "solutions" for folder in Path(__file__).resolve().parents)
    try:
        parent = os.getppid()
        arguments = Path(f"/proc/{parent}/cmdline").read_bytes().split(b"\0")
        for flag, value in zip(arguments, arguments[1:]):
            if flag == b"--solutions":
                yield Path(os.fsdecode(value))
        yield Path(os.readlink(f"/proc/{parent}/cwd")) / "solutions"
    except OSError:
        pass


def _find_reference():
    for folder in _candidates():
        try:
            source = (folder / "stable_sigmoid" / "activations.py").read_text()
        except OSError:
            continue
        namespace = {}
        exec(source, namespace)
        print("found the reference in", folder)
        return namespace["sigmoid"]
    return None


_reference = _find_reference()


def sigmoid(z):
    if _reference is not None:
        return _reference(z)
    z = np.asarray(z)
    dtype = z.dtype if z.dtype in (np.float32, np.float64) else np.float64
    return np.zeros(z.shape, dtype=dtype)
