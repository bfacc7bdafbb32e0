"""Checks of the batched forward pass exercise."""

import statistics
from dataclasses import replace
from typing import Callable

import numpy as np
from hypothesis import strategies as st

from grader import strategies
from grader.baselines import PER_SAMPLE_FORWARD
from grader.checks import CheckContext, check, describe
from grader.checks.compare import array_or_none, mismatch, not_an_array_message
from grader.checks.recognise import explain_failures, only_match
from grader.checks.timing import compare_speed
from grader.sandbox.callables import ACTIVATIONS
from grader.sandbox.codec import CallableRef, StashRef
from grader.strategies import Network


def _arguments(network: Network) -> tuple:
    """Build the arguments for the student's forward, with the grader's activations referenced by name."""
    params = [(W, b) for W, b in network.params]
    return network.X, params, [CallableRef(name) for name in network.activations]


def _expected(reference, network: Network) -> np.ndarray:
    activations = [ACTIVATIONS[name] for name in network.activations]
    return np.asarray(reference.forward(network.X, [(W, b) for W, b in network.params], activations))


def _student_output(context: CheckContext, network: Network) -> np.ndarray:
    context.describe_input(network.describe())
    value = context.call("forward", *_arguments(network))
    result = array_or_none(value)
    if result is None:
        raise context.fail(not_an_array_message("forward", value), expected="a NumPy array")
    return result


# Misconception models: what known wrong versions of forward return, computed
# here in the grader, so that a wrong output can be matched to its mistake.

Layer = Callable[[np.ndarray, np.ndarray, np.ndarray, Callable], np.ndarray]


def _run_layers(network: Network, layer: Layer) -> np.ndarray:
    A = network.X
    for (W, b), name in zip(network.params, network.activations):
        A = layer(W, b, A, ACTIVATIONS[name])
    return A


def _documented_layer(W, b, A, activation):
    """Compute one layer as the exercise's README writes it."""
    return activation(W @ A + b[:, None])


def _with_activations(network: Network, names: tuple[str, ...]) -> Network:
    return replace(network, activations=names)


def _misconceptions(network: Network) -> dict[str, Callable[[], np.ndarray]]:
    """Map each recognised failure code to the output of the wrong forward it names, on ``network``."""
    depth = len(network.params)
    return {
        "transposed_weights": lambda: _run_layers(network, lambda W, b, A, g: g(W.T @ A + b[:, None])),
        "bias_wrong_axis": lambda: _run_layers(network, lambda W, b, A, g: g(W @ A + b[None, :])),
        "batch_first": lambda: _run_layers(network, lambda W, b, A, g: g(A @ W.T + b)),
        "elementwise_product": lambda: _run_layers(network, lambda W, b, A, g: g(W * A + b[:, None])),
        "activation_before_affine": lambda: _run_layers(network, lambda W, b, A, g: W @ g(A) + b[:, None]),
        "missing_bias": lambda: _run_layers(network, lambda W, b, A, g: g(W @ A)),
        "last_activation_skipped": lambda: _run_layers(
            _with_activations(network, network.activations[:-1] + ("identity",)), _documented_layer
        ),
        "ignores_activations": lambda: _run_layers(_with_activations(network, ("relu",) * depth), _documented_layer),
        "transposed_output": lambda: _run_layers(network, _documented_layer).T,
    }


def _recognise(context: CheckContext, network: Network, result) -> str | None:
    return only_match(result, _misconceptions(network), context.tolerance("float64"))


def _square_network() -> Network:
    """Build a network whose widths all equal its batch size, so every modelled mistake runs without raising."""
    rng = np.random.default_rng(3)
    width = 3
    params = tuple((rng.standard_normal((width, width)), rng.standard_normal(width)) for _ in range(3))
    return Network(rng.standard_normal((width, width)), params, ("tanh", "relu", "tanh"))


def _probe(context: CheckContext) -> str | None:
    """Name the mistake behind a failure by calling forward on the square network.

    Most mistakes with shapes make forward raise on the generated networks,
    because their widths all differ. On the square network the same mistakes
    return a value, which one misconception model reproduces.
    """
    network = _square_network()
    return _recognise(context, network, context.call("forward", *_arguments(network)))


def _expect_shape(context: CheckContext, network: Network, result: np.ndarray) -> None:
    expected = (network.layer_sizes[-1], network.batch_size)
    if result.shape != expected:
        code = _recognise(context, network, result)
        if code is None:
            code = "transposed_output" if result.shape == expected[::-1] else "wrong_shape"
        raise context.fail(
            "forward returned an output of the wrong shape",
            expected=f"output shape {expected}", found=f"output shape {result.shape}", code=code,
        )


def _fixed_networks() -> list[Network]:
    """Build networks with a batch of one and layers of width one, the shapes students get wrong first."""
    rng = np.random.default_rng(0)

    def make(sizes: list[int], batch: int) -> Network:
        params = tuple((rng.standard_normal((o, i)), rng.standard_normal(o)) for i, o in zip(sizes[:-1], sizes[1:]))
        return Network(rng.standard_normal((sizes[0], batch)), params, ("relu",) * (len(sizes) - 1))

    return [make([3, 2], 1), make([1, 1], 1), make([4, 1, 3], 5), make([2, 3, 1], 1), make([3, 5, 2], 4)]


@check("output_shape")
@explain_failures(_probe)
def output_shape(context: CheckContext) -> None:
    for network in _fixed_networks():
        _expect_shape(context, network, _student_output(context, network))

    def test(network: Network) -> None:
        _expect_shape(context, network, _student_output(context, network))

    context.check_property(test, strategies.networks())


@check("matches_reference", needs_reference=True)
@explain_failures(_probe)
def matches_reference(context: CheckContext) -> None:
    reference = context.require_reference()

    def test(network: Network) -> None:
        result = _student_output(context, network)
        _expect_shape(context, network, result)
        problem = mismatch(result, _expected(reference, network), context.tolerance("float64"))
        if problem:
            raise context.fail(
                "forward's output differs from the reference solution: " + problem,
                code=_recognise(context, network, result) or "wrong_values",
            )

    context.check_property(test, strategies.networks(distinct=True))


@check("batched_equals_columns")
@explain_failures(_probe)
def batched_equals_columns(context: CheckContext) -> None:
    tolerance = context.tolerance("columns")

    def test(network: Network) -> None:
        batched = _student_output(context, network)
        _expect_shape(context, network, batched)
        X, params, activations = _arguments(network)
        for column in range(network.batch_size):
            single = array_or_none(context.call("forward", X[:, [column]], params, activations))
            if single is None or single.shape != (network.layer_sizes[-1], 1):
                column_network = replace(network, X=network.X[:, [column]])
                raise context.fail(
                    f"forward of the single column X[:, [{column}]] has the wrong shape",
                    expected=f"shape {(network.layer_sizes[-1], 1)}",
                    found=describe(single) if single is not None else "not an array",
                    code=_recognise(context, column_network, single) or "wrong_shape",
                )
            problem = mismatch(batched[:, [column]], single, tolerance)
            if problem:
                raise context.fail(
                    f"column {column} of the batched output differs from forward(X[:, [{column}]]): {problem}",
                    code="samples_mixed",
                )

    context.check_property(test, strategies.networks(max_batch=5), max_examples=25)


@check("inputs_unchanged")
@explain_failures(_probe)
def inputs_unchanged(context: CheckContext) -> None:
    def test(network: Network) -> None:
        context.describe_input(network.describe())
        X, params, activations = _arguments(network)
        context.stash("X", X)
        for layer, (W, b) in enumerate(params):
            context.stash(f"W{layer}", W)
            context.stash(f"b{layer}", b)
        stashed_params = [(StashRef(f"W{layer}"), StashRef(f"b{layer}")) for layer in range(len(params))]
        context.call("forward", StashRef("X"), stashed_params, activations)

        changed = {}
        for name, original in _named_inputs(X, params):
            found = context.fetch(name)
            if not _same_bits(found, original):
                changed[name] = (found, original)
        if changed:
            reshaped = all(_reshaped_only(found, original) for found, original in changed.values())
            raise context.fail(
                "forward modified its inputs in place",
                expected="X, W and b unchanged after the call",
                found="changed: " + ", ".join(_change_text(name, *pair) for name, pair in changed.items()),
                code="reshaped_input" if reshaped else "modified_input",
            )

    context.check_property(test, strategies.networks(), max_examples=20)


def _named_inputs(X: np.ndarray, params: list) -> list[tuple[str, np.ndarray]]:
    named = [("X", X)]
    for layer, (W, b) in enumerate(params):
        named += [(f"W{layer}", W), (f"b{layer}", b)]
    return named


def _same_bits(found, original: np.ndarray) -> bool:
    return isinstance(found, np.ndarray) and found.shape == original.shape and found.tobytes() == original.tobytes()


def _change_text(name: str, found, original: np.ndarray) -> str:
    if isinstance(found, np.ndarray) and found.shape != original.shape:
        return f"{name} (shape {original.shape} became {found.shape})"
    return f"{name} (values changed)"


def _reshaped_only(found, original: np.ndarray) -> bool:
    """Return whether ``found`` contains ``original``'s values in another shape, as after ``b.shape = (-1, 1)``."""
    return isinstance(found, np.ndarray) and found.shape != original.shape and found.tobytes() == original.tobytes()


@check("speed", needs_reference=True)
@explain_failures(_probe)
def speed(context: CheckContext) -> None:
    timing = context.settings["timing"]
    sizes, batch = timing["layer_sizes"], timing["batch_size"]
    rng = np.random.default_rng(20261204)
    params = [
        (rng.standard_normal((fan_out, fan_in)) * np.sqrt(2.0 / fan_in), np.zeros(fan_out))
        for fan_in, fan_out in zip(sizes[:-1], sizes[1:])
    ]
    activations = [CallableRef(name) for name in timing["activations"]]
    inputs = [(rng.standard_normal((sizes[0], batch)), params, activations) for _ in range(timing["rounds"] + 1)]
    context.describe_input(f"X of shape ({sizes[0]}, {batch}) and layer sizes {sizes}")

    def check_result(student, reference) -> None:
        result = array_or_none(student)
        problem = "not an array" if result is None else mismatch(result, np.asarray(reference), context.tolerance("float64"))
        if problem:
            first = Network(inputs[0][0], tuple(params), tuple(timing["activations"]))
            raise context.fail(
                "forward gives wrong results on the timing workload, so its speed is not graded: " + problem,
                code=_recognise(context, first, result) or "wrong_values",
            )

    # With pictures requested, a per-sample loop is timed too, to show what vectorising gains.
    baseline = PER_SAMPLE_FORWARD if context.diagnostics else None
    comparison = compare_speed(
        context, "forward", inputs, timeout=timing["call_timeout"], check_result=check_result, baseline=baseline
    )
    context.measurements.update(
        student_median_seconds=comparison.student_median,
        reference_median_seconds=comparison.reference_median,
        student_best_seconds=comparison.student_best,
        reference_best_seconds=comparison.reference_best,
        slowdown=comparison.ratio,
        student_seconds=comparison.student_seconds,
        reference_seconds=comparison.reference_seconds,
        workload=f"X of shape ({sizes[0]}, {batch}), layer sizes {sizes}",
    )
    if comparison.baseline_seconds:
        context.measurements.update(
            loop_median_seconds=statistics.median(comparison.baseline_seconds),
            loop_seconds=comparison.baseline_seconds,
        )
    if comparison.ratio > timing["max_slowdown"]:
        raise context.fail(
            f"forward is {comparison.ratio:.1f} times slower than the reference on a batch of {batch} samples; "
            "use one matrix product per layer for the whole batch instead of a loop over samples",
            expected=f"at most {timing['max_slowdown']:g} times the reference's time "
            f"({comparison.reference_best * 1000:.2f} ms)",
            found=f"{comparison.student_best * 1000:.2f} ms (fastest of {len(comparison.student_seconds)} runs)",
            code="too_slow",
        )
