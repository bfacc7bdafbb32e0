"""Checks of the speedup measurement exercise.

The forward_fn passed to measure_speedup is the grader's RecordingNetwork,
rebuilt inside the worker, so the grader learns every input shape it was
called with and can recompute its outputs here.
"""

from dataclasses import dataclass
from typing import Any

import numpy as np
from hypothesis import strategies as st

from grader import strategies
from grader.checks import CheckContext, check, describe
from grader.checks.timing import call_reference, reference_client, settle_allocators
from grader.sandbox import callables
from grader.sandbox.codec import CallableRef
from grader.strategies import Network

KEYS = ("t_batch", "t_loop", "speedup", "max_abs_diff")
#: The default of measure_speedup's ``repeats`` argument.
DEFAULT_REPEATS = 5


@dataclass(frozen=True)
class Workload:
    """A fixed network and input batch from a ``settings`` entry of exercise.yaml."""

    layer_sizes: list[int]
    activations: list[str]
    X: np.ndarray
    params: list[tuple[np.ndarray, np.ndarray]]

    @classmethod
    def from_settings(cls, settings: dict, seed: int) -> "Workload":
        sizes = settings["layer_sizes"]
        rng = np.random.default_rng(seed)
        params = [
            (rng.standard_normal((fan_out, fan_in)) * np.sqrt(2.0 / fan_in), 0.1 * rng.standard_normal(fan_out))
            for fan_in, fan_out in zip(sizes[:-1], sizes[1:])
        ]
        X = rng.standard_normal((sizes[0], settings["batch_size"]))
        return cls(sizes, settings["activations"], X, params)

    @classmethod
    def from_network(cls, network: Network) -> "Workload":
        return cls(network.layer_sizes, list(network.activations), network.X, list(network.params))

    def forward_fn(self, *, fingerprints: bool = False, batch_offset: float = 0.0) -> CallableRef:
        return CallableRef(
            "recording_network",
            {"params": self.params, "activations": self.activations,
             "fingerprints": fingerprints, "batch_offset": batch_offset},
        )

    def true_max_abs_diff(self, batch_offset: float = 0.0) -> float:
        """Recompute max |forward_fn(X) - per-column outputs| with the same network, built here."""
        network = callables.RecordingNetwork(self.params, self.activations, batch_offset=batch_offset)
        batched = network(self.X)
        looped = np.hstack([network(self.X[:, [j]]) for j in range(self.X.shape[1])])
        return float(np.max(np.abs(batched - looped)))

    def describe(self, repeats: int | None) -> str:
        call = "measure_speedup(forward_fn, X" + (f", repeats={repeats})" if repeats is not None else ")")
        return (
            f"{call} with X of shape {self.X.shape} and forward_fn a dense network with layer sizes "
            f"{self.layer_sizes} (activations {', '.join(self.activations)})"
        )


def _measure(context: CheckContext, workload: Workload, forward_fn: CallableRef, repeats: int | None, **options):
    """Call measure_speedup and return (its dict, checked against the contract, and the Reply)."""
    context.describe_input(workload.describe(repeats))
    keyword = {} if repeats is None else {"repeats": repeats}
    reply = context.call_reply("measure_speedup", forward_fn, workload.X, **keyword, **options)
    return _expect_contract(context, reply.value), reply


def _expect_contract(context: CheckContext, value: Any) -> dict[str, float]:
    if not isinstance(value, dict):
        raise context.fail("measure_speedup must return a dict", expected=f"a dict with keys {', '.join(KEYS)}",
                           found=describe(value))
    missing = [key for key in KEYS if key not in value]
    if missing:
        raise context.fail(
            "the dict measure_speedup returned lacks keys",
            expected=f"keys {', '.join(KEYS)}", found=f"keys {', '.join(map(str, value)) or '(none)'}",
        )
    for key in KEYS:
        item = value[key]
        if isinstance(item, bool) or not isinstance(item, (float, np.floating)):
            raise context.fail(f"{key} is not a float", expected=f"{key} as a float", found=describe(item))
        if not np.isfinite(item):
            raise context.fail(f"{key} is not finite", expected=f"{key} as a finite float", found=repr(float(item)))
    for key in ("t_batch", "t_loop"):
        if not value[key] > 0:
            raise context.fail(
                f"{key} is not a positive number of seconds",
                expected=f"{key} > 0", found=f"{key} = {float(value[key])!r}",
            )
    if value["max_abs_diff"] < 0:
        raise context.fail(
            "max_abs_diff is negative", expected="max_abs_diff >= 0, a largest absolute value",
            found=f"max_abs_diff = {float(value['max_abs_diff'])!r}",
        )
    return {key: float(value[key]) for key in KEYS}


def _small_workloads() -> st.SearchStrategy[Workload]:
    """Generated networks with batches of 2 to 8, so a batched call differs in shape from a column."""
    networks = strategies.networks(max_layers=3, max_width=6, max_batch=8).filter(lambda network: network.batch_size > 1)
    return networks.map(Workload.from_network)


@check("result_contract")
def result_contract(context: CheckContext) -> None:
    def test(workload: Workload, repeats: int | None) -> None:
        result, _ = _measure(context, workload, workload.forward_fn(), repeats)
        ratio = result["t_loop"] / result["t_batch"]
        if abs(result["speedup"] - ratio) > 1e-9 * ratio:
            inverted = abs(result["speedup"] * ratio - 1) < 1e-9
            raise context.fail(
                "speedup is not t_loop / t_batch" + (", it is t_batch / t_loop" if inverted else ""),
                expected=f"speedup = {result['t_loop']:.4g} s / {result['t_batch']:.4g} s = {ratio:.4g}",
                found=f"speedup = {result['speedup']:.4g}",
                code="inverted" if inverted else None,
            )

    settings = context.settings["contract"]
    workload = Workload.from_settings(settings, seed=1)
    test(workload, settings["repeats"])
    test(workload, None)
    context.check_property(test, _small_workloads(), st.integers(1, 4), max_examples=15)


# Method.


def _calls(reply) -> list[dict]:
    if len(reply.records) != 1 or not isinstance(reply.records[0], list):
        raise RuntimeError(f"expected the records of one RecordingNetwork, got {len(reply.records)}")
    return reply.records[0]


def _column_of(call: dict, workload: Workload) -> int | None:
    """Return the column j whose values the single-column call received, or None."""
    X = workload.X
    matches = np.flatnonzero((X[0] == call["first"]) & (X[-1] == call["last"]))
    return int(matches[0]) if matches.size == 1 else None


def _times(count: int) -> str:
    return "once" if count == 1 else f"{count} times"


@check("timing_method")
def timing_method(context: CheckContext) -> None:
    def test(workload: Workload, repeats: int | None) -> None:
        n_features, batch = workload.X.shape
        expected_repeats = DEFAULT_REPEATS if repeats is None else repeats
        _, reply = _measure(context, workload, workload.forward_fn(fingerprints=True), repeats)
        calls = _calls(reply)

        batched = [call for call in calls if call["shape"] == [n_features, batch]]
        if len(batched) < expected_repeats:
            raise context.fail(
                f"forward_fn was called on the whole batch {_times(len(batched))}, so the batched pass was "
                f"not timed over repeats={expected_repeats} runs",
                expected=f"at least {expected_repeats} calls forward_fn(X) with X of shape {(n_features, batch)}",
                found=f"{len(batched)} of the {len(calls)} calls had the whole batch as input",
                code="too_few_repeats",
            )

        singles = [call for call in calls if call["shape"] != [n_features, batch]]
        for call in singles:
            if call["shape"] != [n_features, 1]:
                one_d = call["shape"] == [n_features]
                raise context.fail(
                    "the loop called forward_fn on a column of the wrong shape"
                    + (": X[:, j] is 1-D, and a network expects a 2-D (n_features, 1) batch" if one_d else ""),
                    expected=f"each column as an array of shape {(n_features, 1)}, such as X[:, [j]] or X[:, j:j+1]",
                    found=f"a call with an input of shape {tuple(call['shape'])}",
                    code="one_d_column" if one_d else None,
                )

        counts = np.zeros(batch, dtype=int)
        for call in singles:
            column = _column_of(call, workload)
            if column is not None:
                counts[column] += 1
        if counts.min() < expected_repeats:
            column = int(np.argmin(counts))
            raise context.fail(
                f"the loop passed column {column} of X to forward_fn {_times(int(counts[column]))}",
                expected=f"every column X[:, [j]] passed once in each of the {expected_repeats} timed loop runs",
                found="calls per column: " + ", ".join(str(count) for count in counts),
                code="too_few_repeats",
            )

    settings = context.settings["small"]
    workload = Workload.from_settings(settings, seed=2)
    test(workload, settings["repeats"])
    test(workload, None)
    context.check_property(test, _small_workloads(), st.integers(1, 4), max_examples=15)


# Equivalence.


@check("max_abs_diff_correct")
def max_abs_diff_correct(context: CheckContext) -> None:
    settings = context.settings["small"]
    tolerance = context.tolerance("max_abs_diff")

    def test(workload: Workload, offset: float) -> None:
        result, _ = _measure(context, workload, workload.forward_fn(batch_offset=offset), settings["repeats"])
        true = workload.true_max_abs_diff(batch_offset=offset)
        if abs(result["max_abs_diff"] - true) <= tolerance.atol + tolerance.rtol * true:
            return
        if offset:
            context.describe_input(
                workload.describe(settings["repeats"])
                + f", which adds an offset of up to {offset:g} to its output when called on more than one column"
            )
            detail = "recomputed by the grader with the same forward_fn, whose batched output differs on purpose"
        else:
            detail = "recomputed by the grader (batched and per-column results differ only by rounding)"
        raise context.fail(
            "max_abs_diff is not the largest absolute difference between forward_fn(X) and the per-column outputs",
            expected=f"max_abs_diff = {true!r}, {detail}",
            found=f"max_abs_diff = {result['max_abs_diff']!r}",
            code="wrong_difference",
        )

    workload = Workload.from_settings(settings, seed=3)
    test(workload, 0.0)
    test(workload, settings["batch_offset"])
    offsets = st.sampled_from([0.0, settings["batch_offset"], 1e-3])
    context.check_property(test, _small_workloads(), offsets, max_examples=15)


# Timing.


@check("timing_agrees", needs_reference=True)
def timing_agrees(context: CheckContext) -> None:
    settings = context.settings["timing"]
    workload = Workload.from_settings(settings, seed=4)
    repeats, factor, timeout = settings["repeats"], settings["max_factor"], settings["call_timeout"]

    def reference_measurement() -> dict[str, float]:
        return call_reference(context, "measure_speedup", workload.forward_fn(), workload.X,
                              repeats=repeats, timeout=timeout).value

    # Without this, a student worker that freed big arrays in earlier checks measures a
    # batched call up to about 2.7 times faster than the fresh reference worker.
    settle_allocators(context, reference_client(context))
    before = reference_measurement()
    result, _ = _measure(context, workload, workload.forward_fn(), repeats, timeout=timeout)
    after = reference_measurement()
    context.measurements.update(
        student={key: result[key] for key in KEYS[:3]},
        reference_before={key: float(before[key]) for key in KEYS[:3]},
        reference_after={key: float(after[key]) for key in KEYS[:3]},
    )

    # The speedup comes first: it is the value the exercise is about, and an inverted one is far off.
    units = {"speedup": "", "t_loop": " s", "t_batch": " s"}
    for key in units:
        low, high = sorted((float(before[key]), float(after[key])))
        if not low / factor <= result[key] <= high * factor:
            unit = units[key]
            raise context.fail(
                f"the {key} that measure_speedup reports disagrees with the grader's measurement of the same work "
                f"in this run by more than a factor of {factor:g}",
                expected=f"{key} between {low / factor:.4g}{unit} and {high * factor:.4g}{unit} (the grader measured "
                f"{low:.4g}{unit} to {high:.4g}{unit}, best of {repeats} runs, in a separate process)",
                found=f"{key} = {result[key]:.4g}{unit}",
                code=f"wrong_{key}",
            )
