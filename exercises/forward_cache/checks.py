"""Checks of the forward cache exercise."""

from dataclasses import dataclass

import numpy as np
from hypothesis import strategies as st

from grader import strategies
from grader.checks import CheckContext, check, describe
from grader.checks.compare import array_or_none, mismatch, not_an_array_message
from grader.sandbox.callables import ACTIVATIONS
from grader.sandbox.client import Reply
from grader.sandbox.codec import ArrayMemory, CallableRef
from grader.strategies import Network

ROLES = ("A_prev", "Z", "A")


def _networks() -> st.SearchStrategy[Network]:
    return st.one_of(strategies.networks(), strategies.networks(dtype=np.float32))


def _arguments(network: Network) -> tuple:
    params = [(W, b) for W, b in network.params]
    return network.X, params, [CallableRef(name) for name in network.activations]


def _fixed_networks() -> list[Network]:
    """Small networks where layers differ in width, or share it, with batches of one and more."""
    rng = np.random.default_rng(4)

    def make(sizes: list[int], batch: int, activations: tuple[str, ...]) -> Network:
        params = tuple((rng.standard_normal((o, i)), rng.standard_normal(o)) for i, o in zip(sizes[:-1], sizes[1:]))
        return Network(rng.standard_normal((sizes[0], batch)), params, activations)

    return [
        make([3, 4, 2], 5, ("relu", "tanh")),
        make([2, 2, 2], 3, ("tanh", "identity")),
        make([1, 1], 1, ("relu",)),
        make([4, 3, 3, 1], 2, ("relu", "relu", "identity")),
    ]


@dataclass
class Result:
    """The return value of forward_pass_batched, with its structure checked."""

    output: np.ndarray
    cache: list[tuple[np.ndarray, np.ndarray, np.ndarray]]
    reply: Reply


def _forward(
    context: CheckContext,
    network: Network,
    *,
    keep: str | None = None,
    X: np.ndarray | None = None,
    check_a_prev: bool = False,
) -> Result:
    """Call forward_pass_batched and fail unless it returns (output, cache) with Z and A of the right shapes.

    Only cache_structure passes ``check_a_prev``, so a wrong A_prev costs
    that check alone and the others still judge Z, A and memory.
    """
    X = network.X if X is None else X
    context.describe_input(network.describe())
    _, params, activations = _arguments(network)
    reply = context.call_reply("forward_pass_batched", X, params, activations, keep=keep)
    value = reply.value
    if not isinstance(value, (tuple, list)) or len(value) != 2:
        raise context.fail(
            "forward_pass_batched must return a pair (output, cache)",
            expected="a tuple (output, cache)", found=describe(value),
        )
    output, cache = value
    sizes, batch = network.layer_sizes, network.batch_size
    output = _expect_array(context, "output", output, (sizes[-1], batch))
    layers = len(network.params)
    if not isinstance(cache, (list, tuple)) or len(cache) != layers:
        raise context.fail(
            "the cache must hold one (A_prev, Z, A) tuple per layer",
            expected=f"a list of {layers} tuples for {layers} layers",
            found=describe(cache) if not isinstance(cache, (list, tuple)) else f"{len(cache)} entries",
        )
    entries = []
    for layer, entry in enumerate(cache):
        if not isinstance(entry, (list, tuple)) or len(entry) != 3:
            raise context.fail(
                f"cache[{layer}] is not a tuple (A_prev, Z, A)", expected="a tuple of 3 arrays", found=describe(entry)
            )
        shapes = ((sizes[layer], batch), (sizes[layer + 1], batch), (sizes[layer + 1], batch))
        checked = []
        for role, array, shape in zip(ROLES, entry, shapes):
            if role == "A_prev" and not check_a_prev:
                checked.append(array_or_none(array))
            else:
                code = "wrong_a_prev" if role == "A_prev" else None
                checked.append(_expect_array(context, f"cache[{layer}] {role}", array, shape, code))
        entries.append(tuple(checked))
    return Result(output, entries, reply)


def _expect_array(
    context: CheckContext, name: str, value, shape: tuple[int, int], code: str | None = None
) -> np.ndarray:
    array = array_or_none(value)
    if array is None:
        raise context.fail(not_an_array_message(name, value).replace(" returned", " is"), expected="a NumPy array")
    if array.shape != shape:
        raise context.fail(
            f"{name} has the wrong shape", expected=f"shape {shape}", found=f"shape {array.shape}", code=code
        )
    return array


def _difference(found: np.ndarray, expected: np.ndarray, *, before: str = "expected", after: str = "found") -> str:
    """Describe where two arrays of one shape differ, for values that should be identical."""
    differs = ~((found == expected) | (np.isnan(found) & np.isnan(expected)))
    index = tuple(int(i) for i in np.argwhere(differs)[0])
    return (
        f"{int(differs.sum())} of {found.size} values differ; at index {index} "
        f"{before} {float(expected[index])!r}, {after} {float(found[index])!r}"
    )


@check("cache_structure")
def cache_structure(context: CheckContext) -> None:
    def test(network: Network) -> None:
        result = _forward(context, network, check_a_prev=True)
        last_A = result.cache[-1][2]
        if not np.array_equal(result.output, last_A, equal_nan=True):
            raise context.fail(
                "the output differs from A of the last cache entry",
                expected=f"output equal to cache[{len(result.cache) - 1}] A",
                found=_difference(result.output, last_A),
                code="output_not_last",
            )
        previous, previous_name = network.X, "X"
        for layer, (A_prev, _, A) in enumerate(result.cache):
            if not np.array_equal(A_prev, previous, equal_nan=True):
                raise context.fail(
                    f"cache[{layer}] A_prev does not hold the layer's input",
                    expected=f"cache[{layer}] A_prev equal to {previous_name}",
                    found=_difference(A_prev, previous),
                    code="wrong_a_prev",
                )
            previous, previous_name = A, f"cache[{layer}] A"

    for network in _fixed_networks():
        test(network)
    context.check_property(test, _networks())


@check("matches_reference", needs_reference=True)
def matches_reference(context: CheckContext) -> None:
    reference = context.require_reference()

    def test(network: Network) -> None:
        result = _forward(context, network)
        activations = [ACTIVATIONS[name] for name in network.activations]
        _, expected_cache = reference.forward_pass_batched(network.X, list(network.params), activations)
        tolerance = context.tolerance(network.X.dtype.name)
        for layer, (found, expected) in enumerate(zip(result.cache, expected_cache)):
            for position in (1, 2):
                problem = mismatch(found[position], np.asarray(expected[position]), tolerance)
                if problem:
                    raise context.fail(
                        f"cache[{layer}] {ROLES[position]} differs from the reference solution: {problem}",
                        code="wrong_values",
                    )

    for network in _fixed_networks():
        test(network)
    context.check_property(test, _networks())


@check("cache_not_aliased")
def cache_not_aliased(context: CheckContext) -> None:
    def test(network: Network, seed: int) -> None:
        first = _forward(context, network, keep="cache-first")
        other_X = np.random.default_rng(seed).standard_normal(network.X.shape).astype(network.X.dtype)
        _forward(context, network, keep="cache-second", X=other_X)
        _, cache = context.fetch("cache-first")
        context.describe_input(f"{network.describe()}, then a second call on another X of the same shape")
        if len(cache) != len(first.cache):
            raise context.fail(
                "the cache list returned by the first call changed length when forward_pass_batched was called "
                "again, so later calls modify it",
                expected=f"the first call's cache keeps its {len(first.cache)} entries",
                found=f"{len(cache)} entries after the second call",
                code="reused_buffer",
            )
        for layer, (before, after) in enumerate(zip(first.cache, cache)):
            for role, array_before, array_after in zip(ROLES, before, after):
                if array_before is None or np.array_equal(array_after, array_before, equal_nan=True):
                    continue
                raise context.fail(
                    f"cache[{layer}] {role} from the first call changed when forward_pass_batched was called "
                    "again, so it shares memory with an array your function reuses",
                    expected="the arrays of the first call's cache keep their values",
                    found=_difference(np.asarray(array_after), array_before, before="it held", after="and now holds"),
                    code="reused_buffer",
                )

    for network in _fixed_networks()[:2]:
        test(network, 1)
    context.check_property(test, _networks(), st.integers(0, 2**32 - 1), max_examples=20)


# Memory.


@dataclass(frozen=True)
class DtypeSpelling:
    """One way to pass a dtype to cache_nbytes: what the worker receives and how messages show it."""

    argument: object
    dtype: np.dtype
    text: str


DTYPE_SPELLINGS = (
    DtypeSpelling(CallableRef("numpy_type", "float64"), np.dtype(np.float64), "np.float64"),
    DtypeSpelling(CallableRef("numpy_type", "float32"), np.dtype(np.float32), "np.float32"),
    DtypeSpelling("float64", np.dtype(np.float64), "'float64'"),
    DtypeSpelling("float32", np.dtype(np.float32), "'float32'"),
    DtypeSpelling("float16", np.dtype(np.float16), "'float16'"),
)


def _student_nbytes(context: CheckContext, layer_sizes: list[int], batch: int, spelling: DtypeSpelling) -> int:
    context.describe_input(f"cache_nbytes({layer_sizes}, {batch}, {spelling.text})")
    value = context.call("cache_nbytes", list(layer_sizes), batch, spelling.argument)
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)):
        raise context.fail(
            "cache_nbytes must return a whole number of bytes as an int",
            expected="an int", found=describe(value), code="not_int",
        )
    return int(value)


@check("cache_nbytes_formula", needs_reference=True)
def cache_nbytes_formula(context: CheckContext) -> None:
    reference = context.require_reference()

    def test(layer_sizes: list[int], batch: int, spelling: DtypeSpelling) -> None:
        found = _student_nbytes(context, layer_sizes, batch, spelling)
        expected = int(reference.cache_nbytes(layer_sizes, batch, spelling.dtype))
        if found != expected:
            counted_twice = found == expected + spelling.dtype.itemsize * batch * sum(layer_sizes[1:-1])
            raise context.fail(
                "cache_nbytes differs from the reference solution",
                expected=f"{expected:,} bytes",
                found=f"{found:,} bytes" + (
                    ", which counts A of each hidden layer again as A_prev of the next" if counted_twice else ""
                ),
                code="counted_twice" if counted_twice else "wrong_nbytes",
            )

    test([784, 256, 128, 10], 256, DTYPE_SPELLINGS[0])
    sizes = strategies.layer_size_lists(min_layers=1, max_layers=5, max_width=1024)
    context.check_property(test, sizes, st.integers(1, 4096), st.sampled_from(DTYPE_SPELLINGS))


def held_bytes(memory: dict[str, ArrayMemory], prefix: str) -> int:
    """Return the bytes held by the arrays whose path starts with ``prefix``, counting shared memory once."""
    ranges: dict[int, list[tuple[int, int]]] = {}
    for path, where in memory.items():
        if path.startswith(prefix) and where.nbytes > 0:
            ranges.setdefault(where.owner, []).append((where.offset, where.offset + where.nbytes))
    total = 0
    for spans in ranges.values():
        end = None
        for start, stop in sorted(spans):
            if end is None or start >= end:
                total += stop - start
                end = stop
            elif stop > end:
                total += stop - end
                end = stop
    return total


def _holds_layer_inputs(network: Network, result: Result) -> bool:
    """Return whether every A_prev of the cache equals its layer's input: X, then the previous layer's A."""
    inputs = [network.X] + [A for _, _, A in result.cache[:-1]]
    return all(
        A_prev is not None and A_prev.shape == expected.shape and np.array_equal(A_prev, expected, equal_nan=True)
        for (A_prev, _, _), expected in zip(result.cache, inputs)
    )


def _overlapping_arrays(memory: dict[str, ArrayMemory], prefix: str) -> bool:
    """Return whether two arrays under ``prefix`` overlap in memory without being the same array."""
    spans = sorted(
        {(where.owner, where.offset, where.offset + where.nbytes)
         for path, where in memory.items() if path.startswith(prefix) and where.nbytes > 0}
    )
    return any(
        owner == next_owner and next_start < stop
        for (owner, _, stop), (next_owner, next_start, _) in zip(spans, spans[1:])
    )


@check("cache_nbytes_matches_cache")
def cache_nbytes_matches_cache(context: CheckContext) -> None:
    def test(network: Network, spell_as_type: bool) -> None:
        result = _forward(context, network)
        # NOTE: a view with gaps (a strided slice) counts the span from its first to its last byte.
        # An exotic cache could so count larger than it is, but ordinary arrays are contiguous.
        cache_bytes = held_bytes(result.reply.memory, "[1]")
        dtype_name = network.X.dtype.name
        spelling = next(
            spelling for spelling in DTYPE_SPELLINGS
            if spelling.dtype == network.X.dtype and isinstance(spelling.argument, CallableRef) == spell_as_type
        )
        found = _student_nbytes(context, network.layer_sizes, network.batch_size, spelling)
        context.describe_input(
            f"{network.describe()}, {dtype_name}; then "
            f"cache_nbytes({network.layer_sizes}, {network.batch_size}, {spelling.text})"
        )
        if found != cache_bytes:
            summed = sum(where.nbytes for path, where in result.reply.memory.items() if path.startswith("[1]"))
            if found == summed:
                code, detail = "counted_twice", "it counts the arrays shared between cache entries twice"
            elif _overlapping_arrays(result.reply.memory, "[1]"):
                code, detail = "shared_buffer", "arrays of your cache overlap in memory, so they hold fewer bytes"
            elif not _holds_layer_inputs(network, result):
                code, detail = "wrong_a_prev", "the A_prev entries of your cache are not the layer inputs"
            else:
                fewer_or_more = "fewer" if cache_bytes < found else "more"
                code, detail = None, f"your cache holds {fewer_or_more} bytes than it counts"
            raise context.fail(
                f"cache_nbytes does not match the memory your own cache holds: {detail}",
                expected=f"{cache_bytes:,} bytes, held by the arrays of forward_pass_batched's cache for this network, "
                f"counting shared memory once (summing nbytes over every entry gives {summed:,})",
                found=f"cache_nbytes returned {found:,}",
                code=code,
            )

    for network in _fixed_networks():
        test(network, True)
    context.check_property(test, _networks(), st.booleans(), max_examples=30)
