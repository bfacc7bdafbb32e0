"""Encode values as JSON plus raw array bytes, and decode them strictly.

The worker encodes whatever student code returns; the grader decodes it.
Only these values cross the boundary: None, bool, int, float, str, NumPy
arrays and scalars of boolean, integer, floating or complex dtype (dtype,
shape and raw bytes), and lists, tuples and dicts of those.  Anything else
is described by an ``Opaque`` record (its type name and a short detail) and
never rebuilt as a live object.  Subclasses are reduced to their base type,
so an ndarray subclass that overrides comparisons arrives as a plain ndarray.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, Callable

import numpy as np

MAX_DEPTH = 32
MAX_NODES = 1_000_000
MAX_DIMENSIONS = 32
_DTYPE_PATTERN = re.compile(r"^[<>|=]?[biufc][0-9]{1,2}$")


class CodecError(Exception):
    """An encoded value is malformed or exceeds a limit."""


@dataclass(frozen=True)
class Opaque:
    """A value the codec does not carry: only its type name and a detail survive."""

    type_name: str
    detail: str = ""

    def __str__(self) -> str:
        return f"<{self.type_name}{': ' + self.detail if self.detail else ''}>"


@dataclass(frozen=True)
class CallableRef:
    """A grader-provided function, rebuilt by name inside the worker (see ``callables.py``)."""

    name: str
    params: Any = None


@dataclass(frozen=True)
class StashRef:
    """A value kept inside the worker under ``key`` by an earlier request."""

    key: str


@dataclass
class ArrayMemory:
    """Location of an encoded array's bytes in the worker: owner buffer and byte offset."""

    owner: int
    offset: int
    nbytes: int


@dataclass
class _Encoder:
    buffers: list[bytes] = field(default_factory=list)
    owners: dict[int, int] = field(default_factory=dict)
    keep_alive: list[Any] = field(default_factory=list)
    nodes: int = 0

    def encode(self, value: Any, depth: int = 0) -> Any:
        self.nodes += 1
        if self.nodes > MAX_NODES:
            raise CodecError(f"value has more than {MAX_NODES} items")
        if depth > MAX_DEPTH:
            return {"$": "opaque", "type": type(value).__name__, "detail": f"nested deeper than {MAX_DEPTH} levels"}

        kind = type(value)
        if value is None or kind is bool or kind is str:
            return value
        if kind is int:
            return value if abs(value) < 2**63 else {"$": "opaque", "type": "int", "detail": "more than 64 bits"}
        if kind is float:
            return _encode_float(value)
        if isinstance(value, (np.ndarray, np.generic)):
            return self._encode_array(value)
        if isinstance(value, (list, tuple)):
            base = list if isinstance(value, list) else tuple
            items = [self.encode(item, depth + 1) for item in base.__iter__(value)]
            node = {"$": base.__name__, "items": items}
            if kind is not base:
                node["subclass"] = _type_name(value)
            return node
        if isinstance(value, dict):
            pairs = [[self.encode(k, depth + 1), self.encode(v, depth + 1)] for k, v in dict.items(value)]
            node = {"$": "dict", "items": pairs}
            if kind is not dict:
                node["subclass"] = _type_name(value)
            return node
        return {"$": "opaque", "type": _type_name(value), "detail": _describe_opaque(value)}

    def _encode_array(self, value: np.ndarray | np.generic) -> Any:
        is_scalar = isinstance(value, np.generic)
        array = np.asarray(value) if is_scalar else np.ndarray.view(value, np.ndarray)
        dtype = array.dtype
        if dtype.fields is not None or dtype.kind not in "biufc":
            return {
                "$": "opaque",
                "type": "numpy scalar" if is_scalar else "ndarray",
                "detail": f"dtype {dtype}, shape {tuple(array.shape)}",
            }
        node = {
            "$": "ndarray",
            "dtype": dtype.str,
            "shape": list(array.shape),
            "buffer": len(self.buffers),
        }
        if is_scalar:
            node["scalar"] = True
        else:
            node["memory"] = self._memory_of(array)
            if type(value) is not np.ndarray:
                node["subclass"] = _type_name(value)
        self.buffers.append(np.ascontiguousarray(array).tobytes())
        return node

    def _memory_of(self, array: np.ndarray) -> list[int]:
        owner = array
        while isinstance(owner.base, np.ndarray):
            owner = owner.base
        self.keep_alive.append(owner)  # ids stay unique while this encoder lives
        index = self.owners.setdefault(id(owner), len(self.owners))
        start = array.__array_interface__["data"][0] - owner.__array_interface__["data"][0]
        return [index, int(start), int(array.nbytes)]


def _encode_float(value: float) -> Any:
    if value != value:
        return {"$": "float", "value": "nan"}
    if value in (float("inf"), float("-inf")):
        return {"$": "float", "value": "inf" if value > 0 else "-inf"}
    return value


def _type_name(value: Any) -> str:
    kind = type(value)
    name = type.__getattribute__(kind, "__qualname__")
    module = type.__getattribute__(kind, "__module__")
    text = name if module in ("builtins", None) else f"{module}.{name}"
    return str(text)[:200]


def _describe_opaque(value: Any) -> str:
    if callable(value):
        return "a callable"
    return ""


def encode(value: Any) -> tuple[Any, list[bytes]]:
    """Encode ``value`` into a JSON-ready tree and a list of raw buffers."""
    encoder = _Encoder()
    tree = encoder.encode(value)
    return tree, encoder.buffers


def encode_request_value(value: Any) -> tuple[Any, list[bytes]]:
    """Encode a value the grader sends, allowing callable and stash references."""
    encoder = _RequestEncoder()
    tree = encoder.encode(value)
    return tree, encoder.buffers


class _RequestEncoder(_Encoder):
    def encode(self, value: Any, depth: int = 0) -> Any:
        if isinstance(value, CallableRef):
            return {"$": "callable", "name": value.name, "params": self.encode(value.params, depth + 1)}
        if isinstance(value, StashRef):
            return {"$": "stash", "key": value.key}
        return super().encode(value, depth)


def decode(
    tree: Any,
    buffers: list,
    resolve_callable: Callable[[str, Any], Any] | None = None,
    resolve_stash: Callable[[str], Any] | None = None,
) -> Any:
    """Rebuild a value from ``encode``'s output, rejecting anything malformed.

    Callable and stash references are accepted only when a resolver is given,
    which happens on the worker's side alone.
    """
    used: set[int] = set()
    counter = [0]

    def build(node: Any, depth: int) -> Any:
        counter[0] += 1
        if counter[0] > MAX_NODES:
            raise CodecError(f"value has more than {MAX_NODES} items")
        if depth > MAX_DEPTH + 1:
            raise CodecError("value nested too deeply")
        if node is None or isinstance(node, (bool, str)):
            return node
        if isinstance(node, int):
            return node
        if isinstance(node, float):
            return node
        if not isinstance(node, dict):
            raise CodecError(f"unexpected JSON value of type {type(node).__name__}")

        tag = node.get("$")
        if tag == "float":
            text = node.get("value")
            if text not in ("nan", "inf", "-inf"):
                raise CodecError(f"invalid float tag value {text!r}")
            return float(text)
        if tag in ("list", "tuple"):
            items = node.get("items")
            if not isinstance(items, list):
                raise CodecError(f"{tag} without an item list")
            built = [build(item, depth + 1) for item in items]
            return built if tag == "list" else tuple(built)
        if tag == "dict":
            pairs = node.get("items")
            if not isinstance(pairs, list) or not all(isinstance(p, list) and len(p) == 2 for p in pairs):
                raise CodecError("dict without a list of key-value pairs")
            result = {}
            for key_node, value_node in pairs:
                key = build(key_node, depth + 1)
                try:
                    result[key] = build(value_node, depth + 1)
                except TypeError:
                    raise CodecError("dict key is not hashable") from None
            return result
        if tag == "ndarray":
            return _decode_array(node, buffers, used)
        if tag == "opaque":
            return Opaque(str(node.get("type", "?"))[:200], str(node.get("detail", ""))[:500])
        if tag == "callable" and resolve_callable is not None:
            return resolve_callable(str(node.get("name")), build(node.get("params"), depth + 1))
        if tag == "stash" and resolve_stash is not None:
            return resolve_stash(str(node.get("key")))
        raise CodecError(f"unknown value tag {tag!r}")

    return build(tree, 0)


def _decode_array(node: dict, buffers: list, used: set[int]) -> Any:
    dtype_text = node.get("dtype")
    if not isinstance(dtype_text, str) or not _DTYPE_PATTERN.match(dtype_text):
        raise CodecError(f"array dtype {dtype_text!r} is not allowed")
    try:
        dtype = np.dtype(dtype_text)
    except TypeError:
        raise CodecError(f"array dtype {dtype_text!r} is not a NumPy dtype") from None
    if dtype.kind not in "biufc" or dtype.fields is not None:
        raise CodecError(f"array dtype {dtype_text!r} is not allowed")

    shape = node.get("shape")
    if (
        not isinstance(shape, list)
        or len(shape) > MAX_DIMENSIONS
        or not all(isinstance(n, int) and not isinstance(n, bool) and n >= 0 for n in shape)
    ):
        raise CodecError(f"array shape {shape!r} is invalid")

    index = node.get("buffer")
    if not isinstance(index, int) or isinstance(index, bool) or not 0 <= index < len(buffers) or index in used:
        raise CodecError(f"array buffer index {index!r} is invalid")
    used.add(index)
    size = 1
    for n in shape:
        size *= n
    if size * dtype.itemsize != len(buffers[index]):
        raise CodecError(
            f"array buffer holds {len(buffers[index])} bytes, but shape {tuple(shape)} of {dtype} needs {size * dtype.itemsize}"
        )

    array = np.frombuffer(buffers[index], dtype=dtype).reshape(shape).copy()
    if node.get("scalar"):
        return array[()]
    return array


def array_memory(tree: Any) -> dict[str, ArrayMemory]:
    """Map each encoded array's path (such as ``[1][0]``) to where its bytes lived in the worker.

    Two arrays with the same owner and overlapping byte ranges shared memory
    there; the grader uses this to count a student's cache without counting a
    shared array twice, and to spot buffers reused across cache entries.
    """
    found: dict[str, ArrayMemory] = {}

    def walk(node: Any, path: str) -> None:
        if not isinstance(node, dict):
            return
        tag = node.get("$")
        if tag == "ndarray" and isinstance(node.get("memory"), list) and len(node["memory"]) == 3:
            owner, offset, nbytes = node["memory"]
            if all(isinstance(n, int) for n in (owner, offset, nbytes)):
                found[path] = ArrayMemory(owner, offset, nbytes)
        elif tag in ("list", "tuple") and isinstance(node.get("items"), list):
            for i, item in enumerate(node["items"]):
                walk(item, f"{path}[{i}]")
        elif tag == "dict" and isinstance(node.get("items"), list):
            for pair in node["items"]:
                if isinstance(pair, list) and len(pair) == 2:
                    walk(pair[1], f"{path}[{pair[0]!r}]")

    walk(tree, "")
    return found
