"""The codec carries only plain data across the boundary and rejects anything malformed."""

from __future__ import annotations

import numpy as np
import pytest

from grader.sandbox import codec
from grader.sandbox.codec import CodecError, Opaque


def roundtrip(value):
    tree, buffers = codec.encode(value)
    return codec.decode(tree, buffers)


@pytest.mark.parametrize("dtype", ["float64", "float32", "float16", "int64", "int8", "uint16", "bool", "complex128"])
def test_arrays_roundtrip_bit_for_bit(dtype):
    array = (np.arange(12).reshape(3, 4) % 3).astype(dtype)
    result = roundtrip(array)
    assert result.dtype == array.dtype
    assert result.shape == array.shape
    assert result.tobytes() == array.tobytes()


def test_non_contiguous_and_empty_arrays_roundtrip():
    array = np.arange(20.0).reshape(4, 5)[:, ::2].T
    assert np.array_equal(roundtrip(array), array)
    assert roundtrip(np.zeros((0, 3))).shape == (0, 3)


def test_numpy_scalar_stays_a_numpy_scalar():
    result = roundtrip(np.float32(0.25))
    assert type(result) is np.float32
    assert result == np.float32(0.25)


def test_python_values_and_containers_roundtrip():
    value = {"a": [1, 2.5, None, True, "text"], "b": (float("inf"), float("-inf")), 3: []}
    result = roundtrip(value)
    assert result["a"] == [1, 2.5, None, True, "text"]
    assert result["b"] == (float("inf"), float("-inf"))
    assert result[3] == []


def test_nan_float_roundtrips():
    assert np.isnan(roundtrip(float("nan")))


def test_tuple_and_list_are_kept_apart():
    assert isinstance(roundtrip((1, 2)), tuple)
    assert isinstance(roundtrip([1, 2]), list)


def test_ndarray_subclass_arrives_as_plain_ndarray():
    class Liar(np.ndarray):
        def __eq__(self, other):
            return True

    liar = np.arange(3.0).view(Liar)
    result = roundtrip(liar)
    assert type(result) is np.ndarray
    assert not (result == np.array([9.0, 9.0, 9.0])).any()


def test_unknown_objects_become_opaque_records():
    class AlwaysEqual:
        def __eq__(self, other):
            return True

    result = roundtrip(AlwaysEqual())
    assert isinstance(result, Opaque)
    assert "AlwaysEqual" in result.type_name
    assert result != 1


def test_object_dtype_array_is_opaque():
    result = roundtrip(np.array([1, "a"], dtype=object))
    assert isinstance(result, Opaque)
    assert "object" in result.detail


def test_float_subclass_is_opaque():
    class Sneaky(float):
        pass

    assert isinstance(roundtrip(Sneaky(1.0)), Opaque)


@pytest.mark.parametrize(
    "tree, buffers, fragment",
    [
        ({"$": "ndarray", "dtype": "O", "shape": [1], "buffer": 0}, [b"x" * 8], "not allowed"),
        ({"$": "ndarray", "dtype": "<f8", "shape": [2], "buffer": 0}, [b"x" * 8], "needs 16"),
        ({"$": "ndarray", "dtype": "<f8", "shape": [-1], "buffer": 0}, [b""], "shape"),
        ({"$": "ndarray", "dtype": "<f8", "shape": [1], "buffer": 3}, [b"x" * 8], "buffer index"),
        ({"$": "pickle", "data": "..."}, [], "unknown value tag"),
        ({"$": "callable", "name": "os.system"}, [], "unknown value tag"),
        ({"$": "float", "value": "1e5"}, [], "invalid float"),
    ],
)
def test_malformed_values_are_rejected(tree, buffers, fragment):
    with pytest.raises(CodecError, match=fragment):
        codec.decode(tree, buffers)


def test_one_buffer_cannot_back_two_arrays():
    node = {"$": "ndarray", "dtype": "<f8", "shape": [1], "buffer": 0}
    with pytest.raises(CodecError, match="buffer index"):
        codec.decode({"$": "list", "items": [node, node]}, [b"x" * 8])


def test_deep_nesting_is_cut_off_when_encoding():
    value: list = []
    for _ in range(100):
        value = [value]
    tree, _ = codec.encode(value)
    depth = 0
    while isinstance(tree, dict) and tree.get("$") == "list":
        tree = tree["items"][0]
        depth += 1
    assert depth <= codec.MAX_DEPTH + 1
    assert tree["$"] == "opaque"


def test_array_memory_shows_shared_buffers():
    base = np.zeros((4, 3))
    tree, _ = codec.encode([base, base[1:], np.ones(2)])
    memory = codec.array_memory(tree)
    assert memory["[0]"].owner == memory["[1]"].owner
    assert memory["[1]"].offset == 3 * 8
    assert memory["[2]"].owner != memory["[0]"].owner
