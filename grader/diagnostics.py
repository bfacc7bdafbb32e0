"""Data for the pictures of one graded submission: the activations of the student's forward pass.

A healthy forward pass with He-initialised weights keeps the spread of the
activations about the same from layer to layer (He et al., 2015, "Delving
Deep into Rectifiers").  With a wrong scale they shrink or grow with depth.  To show this, the grader builds
a fixed deep ReLU network and its input, sends them to the worker, and asks
the student's ``forward`` for the output of the first k layers, k = 1..L.
The worker only computes; the grader draws the inputs and summarises the
outputs as per-layer histograms with their mean and standard deviation.
"""

from __future__ import annotations

import logging
import time
from typing import TYPE_CHECKING, Any

import numpy as np

from grader.checks.compare import array_or_none
from grader.exercise import Exercise
from grader.sandbox.client import WorkerClient, WorkerError
from grader.sandbox.codec import CallableRef, StashRef

if TYPE_CHECKING:
    from grader.grading import StudentCode

logger = logging.getLogger(__name__)

#: The diagnostic network: LAYERS ReLU layers of WIDTH units, He-initialised, on BATCH samples.
LAYERS = 10
WIDTH = 256
BATCH = 512
SEED = 20150206
HISTOGRAM_BINS = 40
#: Seconds allowed for one call of the student's forward on the diagnostic network.
CALL_TIMEOUT = 10.0


def collect_diagnostics(exercises: list[Exercise], code: "StudentCode", deadline: float) -> dict[str, Any]:
    """Return ``{"activations": ...}`` for the first exercise that defines ``forward``.

    The value contains per-layer statistics, or a ``problem`` giving the
    reason there are none: no such exercise, the function is missing, or it failed.
    """
    exercise = next((exercise for exercise in exercises if "forward" in exercise.functions), None)
    if exercise is None:
        return {"activations": {"problem": "no exercise graded here defines `forward`"}}
    problem = code.prepare(exercise)
    if problem is not None:
        return {"activations": {"problem": f"forward could not be called: {problem.message.splitlines()[0]}"}}
    timeout = min(CALL_TIMEOUT, max(0.1, deadline - time.monotonic()))
    try:
        statistics = activation_statistics(code.worker, code.submission.namespace(exercise), timeout=timeout)
    except WorkerError as error:
        statistics = {"problem": f"forward did not finish on the diagnostic network: the process running it {error}"}
    return {"activations": statistics}


def diagnostic_network() -> tuple[np.ndarray, list[tuple[np.ndarray, np.ndarray]]]:
    """Return the fixed input X (WIDTH, BATCH) and He-initialised layers: W ~ N(0, 2 / fan_in), b = 0."""
    rng = np.random.default_rng(SEED)
    X = rng.standard_normal((WIDTH, BATCH))
    params = [(rng.standard_normal((WIDTH, WIDTH)) * np.sqrt(2.0 / WIDTH), np.zeros(WIDTH)) for _ in range(LAYERS)]
    return X, params


def activation_statistics(worker: WorkerClient, namespace: str, *, timeout: float) -> dict[str, Any]:
    """Call the student's forward on the first k layers for each k and summarise each layer's output."""
    X, params = diagnostic_network()
    worker.stash("diagnostic-X", X)
    for layer, (W, b) in enumerate(params):
        worker.stash(f"diagnostic-W{layer}", W)
        worker.stash(f"diagnostic-b{layer}", b)

    outputs = []
    for depth in range(1, LAYERS + 1):
        stashed = [(StashRef(f"diagnostic-W{layer}"), StashRef(f"diagnostic-b{layer}")) for layer in range(depth)]
        reply = worker.call(
            namespace, "forward", [StashRef("diagnostic-X"), stashed, [CallableRef("relu")] * depth], timeout=timeout
        )
        if reply.status != "ok":
            detail = f"{reply.error_type}: {reply.message}" if reply.status == "raised" else reply.message
            return {"problem": f"forward failed on the first {depth} layers of the diagnostic network ({detail})"}
        output = array_or_none(reply.value)
        if output is None or output.shape != (WIDTH, BATCH):
            found = "not an array" if output is None else f"shape {output.shape}"
            return {"problem": f"forward returned {found} for the first {depth} layers, expected shape {(WIDTH, BATCH)}"}
        outputs.append(np.asarray(output, dtype=np.float64))

    return {
        "network": {"layers": LAYERS, "width": WIDTH, "batch": BATCH, "activation": "relu", "init": "He: N(0, 2/fan_in)"},
        "input": _summary(X, None),
        "layers": _histograms(outputs),
    }


def _histograms(outputs: list[np.ndarray]) -> list[dict[str, Any]]:
    """Summarise each layer on one shared range of values, so that widths compare across layers."""
    finite = [values[np.isfinite(values) & (values != 0)] for values in outputs]
    pooled = np.concatenate([values.ravel() for values in finite]) if finite else np.zeros(1)
    if pooled.size == 0:
        pooled = np.zeros(1)
    low = min(0.0, float(np.percentile(pooled, 0.5)))
    high = float(np.percentile(pooled, 99.5))
    if high <= low:
        high = low + 1.0
    edges = np.linspace(low, high, HISTOGRAM_BINS + 1)
    return [dict(_summary(values, edges), layer=index + 1) for index, values in enumerate(outputs)]


def _summary(values: np.ndarray, edges: np.ndarray | None) -> dict[str, Any]:
    finite = values[np.isfinite(values)]
    summary: dict[str, Any] = {
        "mean": float(finite.mean()) if finite.size else None,
        "std": float(finite.std()) if finite.size else None,
        "zero_fraction": float(np.mean(values == 0)),
        "non_finite": int(values.size - finite.size),
        "values": int(values.size),
    }
    if edges is not None:
        # Exact zeros (half of all units after a ReLU) are counted in zero_fraction, not in the
        # bins, and values past the shared range in beyond_fraction.
        nonzero = finite[finite != 0]
        counts, _ = np.histogram(nonzero, bins=edges)
        summary["edges"] = [float(edge) for edge in edges]
        summary["counts"] = [int(count) for count in counts]
        summary["beyond_fraction"] = float(np.mean((nonzero < edges[0]) | (nonzero > edges[-1]))) if nonzero.size else 0.0
    return summary
