"""Functions and objects the grader hands to student code, rebuilt by name on both sides.

A check cannot send a Python function across the boundary, so it sends a
``CallableRef`` naming one of the builders below; the worker rebuilds the
function from the name and parameters, and the grader builds the same one
locally to compute expected values.  They are deliberately simple and
independent of every exercise, so a bug in a student's sigmoid never fails a
check of their forward pass.

Besides functions, ``build`` makes a few objects the codec cannot carry: a
seeded ``numpy.random.Generator``, a NumPy scalar type such as ``np.float32``,
and a snapshot of the worker's global random state.  A builder runs when the
worker decodes the request, so stashing ``CallableRef("global_random_state")``
records the state at that moment, and ``fetch`` reads the record back.
"""

from __future__ import annotations

import hashlib
import random
from typing import Any, Callable

import numpy as np


def identity(z: np.ndarray) -> np.ndarray:
    return np.array(z, copy=True)


def relu(z: np.ndarray) -> np.ndarray:
    return np.maximum(z, 0)


def tanh(z: np.ndarray) -> np.ndarray:
    return np.tanh(z)


def leaky_relu(z: np.ndarray) -> np.ndarray:
    return np.where(z > 0, z, 0.01 * z)


def logistic(z: np.ndarray) -> np.ndarray:
    z = np.asarray(z, dtype=float)
    out = np.empty_like(z)
    positive = z >= 0
    out[positive] = 1.0 / (1.0 + np.exp(-z[positive]))
    exp_z = np.exp(z[~positive])
    out[~positive] = exp_z / (1.0 + exp_z)
    return out


ACTIVATIONS: dict[str, Callable[[np.ndarray], np.ndarray]] = {
    "identity": identity,
    "relu": relu,
    "tanh": tanh,
    "leaky_relu": leaky_relu,
    "logistic": logistic,
}


class RecordingNetwork:
    """A fixed dense network that records the shape of every input it is called with.

    ``params`` is a list of ``(W, b)`` pairs and ``activations`` a list of names
    from ``ACTIVATIONS``.  Its ``calls`` list is sent back to the grader after
    each request, so a check can see how student code called it.

    With ``fingerprints``, each entry of ``calls`` is a dict holding the
    ``shape`` and the ``first`` and ``last`` input values instead of the shape
    alone, so a check can tell which column of a known X a call received.
    With a ``batch_offset`` c, a call on more than one column adds
    ``batch_offset_pattern`` to the output.  The batched output then differs
    from the stacked per-column outputs by that pattern, up to rounding, and
    checks use it to test code that measures such a difference.
    """

    def __init__(
        self, params: list, activations: list[str], *, fingerprints: bool = False, batch_offset: float = 0.0
    ) -> None:
        self.params = [(np.asarray(W), np.asarray(b)) for W, b in params]
        self.activations = [ACTIVATIONS[name] for name in activations]
        self.fingerprints = fingerprints
        self.batch_offset = float(batch_offset)
        self.calls: list[Any] = []

    def __call__(self, X: Any) -> np.ndarray:
        self.calls.append(self._record(X))
        A = np.asarray(X)
        for (W, b), activation in zip(self.params, self.activations):
            A = activation(W @ A + (b[:, None] if A.ndim == 2 else b))
        if self.batch_offset and A.ndim == 2 and A.shape[1] > 1:
            A = A + batch_offset_pattern(A.shape, self.batch_offset)
        return A

    def _record(self, X: Any) -> Any:
        shape = list(np.shape(X))
        if not self.fingerprints:
            return shape
        values = np.asarray(X).reshape(-1)
        first, last = (float(values[0]), float(values[-1])) if values.size else (None, None)
        return {"shape": shape, "first": first, "last": last}


def batch_offset_pattern(shape: tuple[int, int], size: float) -> np.ndarray:
    """Return the offset a ``RecordingNetwork`` with ``batch_offset=size`` adds to a batched output.

    Entries range over [-size, 0.2 * size] and the largest magnitude, ``size``,
    is negative, so ``max(batched - per_column)`` without ``abs`` misses it.
    """
    rows, columns = np.indices(shape)
    return size * (((rows + 2 * columns) % 7) - 5) / 5.0


def global_random_state() -> dict[str, str]:
    """Return digests of NumPy's legacy global random state and of Python's ``random`` state."""
    kind, keys, position, has_gauss, cached_gaussian = np.random.get_state()
    numpy_digest = hashlib.sha256(keys.tobytes() + repr((kind, position, has_gauss, cached_gaussian)).encode())
    python_digest = hashlib.sha256(repr(random.getstate()).encode())
    return {"numpy": numpy_digest.hexdigest(), "python": python_digest.hexdigest()}


#: NumPy scalar types a check may pass as a dtype argument, such as ``np.float32``.
NUMPY_TYPES = ("float16", "float32", "float64", "int32", "int64")


def build(name: str, params: Any) -> Any:
    """Build the callable or object ``name`` with ``params``; raises KeyError for an unknown name."""
    if name in ACTIVATIONS:
        return ACTIVATIONS[name]
    if name == "recording_network":
        return RecordingNetwork(
            params["params"], params["activations"],
            fingerprints=bool(params.get("fingerprints", False)),
            batch_offset=float(params.get("batch_offset", 0.0)),
        )
    if name == "random_generator":
        return np.random.default_rng(int(params["seed"]))
    if name == "numpy_type":
        if params not in NUMPY_TYPES:
            raise KeyError(f"numpy_type {params!r} is not one of {NUMPY_TYPES}")
        return getattr(np, params)
    if name == "global_random_state":
        return global_random_state()
    raise KeyError(f"unknown grader callable {name!r}")
