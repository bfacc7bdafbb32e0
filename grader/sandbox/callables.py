"""Functions the grader hands to student code, rebuilt by name on both sides.

A check cannot send a Python function across the boundary, so it sends a
``CallableRef`` naming one of the builders below; the worker rebuilds the
function from the name and parameters, and the grader builds the same one
locally to compute expected values.  They are deliberately simple and
independent of every exercise, so a bug in a student's sigmoid never fails a
check of their forward pass.
"""

from __future__ import annotations

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
    """

    def __init__(self, params: list, activations: list[str]) -> None:
        self.params = [(np.asarray(W), np.asarray(b)) for W, b in params]
        self.activations = [ACTIVATIONS[name] for name in activations]
        self.calls: list[list[int]] = []

    def __call__(self, X: Any) -> np.ndarray:
        self.calls.append(list(np.shape(X)))
        A = np.asarray(X)
        for (W, b), activation in zip(self.params, self.activations):
            A = activation(W @ A + (b[:, None] if A.ndim == 2 else b))
        return A


def build(name: str, params: Any) -> Callable[..., Any]:
    """Build the callable ``name`` with ``params``; raises KeyError for an unknown name."""
    if name in ACTIVATIONS:
        return ACTIVATIONS[name]
    if name == "recording_network":
        return RecordingNetwork(params["params"], params["activations"])
    raise KeyError(f"unknown grader callable {name!r}")
