"""Hypothesis strategies for the chapter's inputs: arrays, extreme floats, layer sizes, networks."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

ACTIVATION_NAMES = ("identity", "relu", "tanh")


def special_floats(dtype: type = np.float64) -> list[float]:
    """Values where naive formulas break: infinities, overflow edges of exp, extremes, subnormals."""
    info = np.finfo(dtype)
    values = [0.0, -0.0, float("inf"), float("-inf"), float(info.max), -float(info.max),
              float(info.tiny), -float(info.tiny), float(info.smallest_subnormal), -float(info.smallest_subnormal),
              1e308, -1e308, 710.0, -710.0, 709.0, -709.0, 89.0, -89.0, 88.8, -88.8, 37.0, -37.0, 17.0, -17.0]
    largest = float(info.max)
    return [float(dtype(v)) for v in values if np.isinf(v) or abs(v) <= largest]


def extreme_floats(dtype: type = np.float64) -> st.SearchStrategy[float]:
    """Floats over the whole range of ``dtype``, weighted towards the special values."""
    width = np.dtype(dtype).itemsize * 8
    return st.one_of(
        st.sampled_from(special_floats(dtype)),
        st.floats(width=width, allow_nan=False, allow_infinity=True),
        st.floats(min_value=-800, max_value=800, width=width),
    )


def extreme_arrays(dtype: type = np.float64, max_side: int = 6) -> st.SearchStrategy[np.ndarray]:
    """Arrays of 0 to 3 dimensions filled with ``extreme_floats``."""
    return hnp.arrays(
        dtype=dtype,
        shape=hnp.array_shapes(min_dims=0, max_dims=3, min_side=1, max_side=max_side),
        elements=extreme_floats(dtype),
    )


def moderate_arrays(dtype: type = np.float64, bound: float = 30.0, max_side: int = 6) -> st.SearchStrategy[np.ndarray]:
    """Arrays of 0 to 3 dimensions with finite values in [-bound, bound]."""
    width = np.dtype(dtype).itemsize * 8
    return hnp.arrays(
        dtype=dtype,
        shape=hnp.array_shapes(min_dims=0, max_dims=3, min_side=1, max_side=max_side),
        elements=st.floats(min_value=-bound, max_value=bound, width=width),
    )


@dataclass(frozen=True)
class Network:
    """A generated network: input X (n_features, batch), layer parameters and activation names."""

    X: np.ndarray
    params: tuple[tuple[np.ndarray, np.ndarray], ...]
    activations: tuple[str, ...]

    @property
    def layer_sizes(self) -> list[int]:
        return [self.X.shape[0]] + [W.shape[0] for W, _ in self.params]

    @property
    def batch_size(self) -> int:
        return self.X.shape[1]

    def describe(self) -> str:
        return (
            f"X of shape {self.X.shape} and layer sizes {self.layer_sizes} "
            f"(activations {', '.join(self.activations)})"
        )


def layer_size_lists(min_layers: int = 1, max_layers: int = 4, max_width: int = 8) -> st.SearchStrategy[list[int]]:
    """Lists [n_features, width_1, ..., n_out] with widths from 1 to ``max_width``."""
    return st.lists(st.integers(1, max_width), min_size=min_layers + 1, max_size=max_layers + 1)


@st.composite
def networks(
    draw: st.DrawFn,
    *,
    distinct: bool = False,
    min_layers: int = 1,
    max_layers: int = 4,
    max_width: int = 8,
    max_batch: int = 8,
    dtype: type = np.float64,
) -> Network:
    """Draw a network with random weights and an input batch.

    With ``distinct``, every layer width differs from every other and from
    the batch size, so a transposed W or a batch-first X cannot pass by a
    coincidence of shapes.
    """
    if distinct:
        count = draw(st.integers(min_layers + 2, max_layers + 2))
        sizes = draw(st.lists(st.integers(1, max(max_width, count + 1)), min_size=count, max_size=count, unique=True))
        batch, sizes = sizes[-1], sizes[:-1]
    else:
        sizes = draw(layer_size_lists(min_layers, max_layers, max_width))
        batch = draw(st.integers(1, max_batch))
    activations = tuple(draw(st.lists(st.sampled_from(ACTIVATION_NAMES), min_size=len(sizes) - 1, max_size=len(sizes) - 1)))
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    X = rng.standard_normal((sizes[0], batch)).astype(dtype)
    params = tuple(
        (
            (rng.standard_normal((fan_out, fan_in)) * np.sqrt(2.0 / fan_in)).astype(dtype),
            rng.standard_normal(fan_out).astype(dtype),
        )
        for fan_in, fan_out in zip(sizes[:-1], sizes[1:])
    )
    return Network(X, params, activations)
