"""Checks of the stable sigmoid exercise."""

import numpy as np
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from grader import strategies
from grader.checks import CheckContext, check, describe
from grader.checks.compare import array_or_none, mismatch, not_an_array_message

FLOATING = (np.float64, np.float32)
#: Warnings a stable sigmoid must not emit.  Underflow is expected and NumPy does not warn about it.
FORBIDDEN_WARNINGS = ("overflow", "invalid value", "divide by zero")


def _expected_dtype(z) -> np.dtype:
    if isinstance(z, np.ndarray) and z.dtype in (np.float32, np.float64):
        return z.dtype
    return np.dtype(np.float64)


def _sigmoid_output(context: CheckContext, z) -> np.ndarray:
    """Call the student's sigmoid on z and return its result as an array, failing on anything else."""
    reply = context.call_reply("sigmoid", z)
    result = array_or_none(reply.value)
    if result is None:
        raise context.fail(not_an_array_message("sigmoid", reply.value), expected="a NumPy array")
    bad = [f"{category}: {text}" for category, text in reply.warnings if any(word in text for word in FORBIDDEN_WARNINGS)]
    if bad:
        raise context.fail(
            "sigmoid emitted a floating-point warning, so part of the computation overflowed or produced NaN",
            expected="no overflow, invalid-value or divide-by-zero warning",
            found=bad[0],
            code="overflow_warning",
        )
    return result


@check("shape_and_dtype")
def shape_and_dtype(context: CheckContext) -> None:
    inputs = st.one_of(
        strategies.moderate_arrays(np.float64),
        strategies.moderate_arrays(np.float32),
        hnp.arrays(np.int64, hnp.array_shapes(min_dims=0, max_dims=3, max_side=5), elements=st.integers(-50, 50)),
        hnp.arrays(np.bool_, hnp.array_shapes(min_dims=0, max_dims=3, max_side=5)),
        st.floats(-50, 50),
        st.integers(-50, 50),
    )

    def test(z) -> None:
        reply = context.call_reply("sigmoid", z)
        result = array_or_none(reply.value)
        if result is None:
            raise context.fail(not_an_array_message("sigmoid", reply.value), expected="a NumPy array or NumPy scalar")
        expected_shape = np.shape(z)
        if result.shape != expected_shape:
            raise context.fail(
                "sigmoid returned an array of the wrong shape",
                expected=f"shape {expected_shape}", found=f"shape {result.shape}", code="wrong_shape",
            )
        if result.dtype != _expected_dtype(z):
            raise context.fail(
                "sigmoid returned the wrong dtype",
                expected=f"dtype {_expected_dtype(z)}", found=f"dtype {result.dtype}", code="wrong_dtype",
            )

    context.check_property(test, inputs)


@check("matches_reference", needs_reference=True)
def matches_reference(context: CheckContext) -> None:
    reference = context.require_reference()

    def test(z) -> None:
        result = _sigmoid_output(context, z)
        expected = np.asarray(reference.sigmoid(z))
        problem = mismatch(result, expected, context.tolerance(z.dtype.name))
        if problem:
            raise context.fail("sigmoid differs from the reference solution: " + problem, code="wrong_values")

    context.check_property(test, st.one_of(strategies.moderate_arrays(np.float64, 40.0), strategies.moderate_arrays(np.float32, 20.0)))


@check("extreme_inputs")
def extreme_inputs(context: CheckContext) -> None:
    def test(z) -> None:
        context.describe_input(f"z = {describe(z)}")
        result = _sigmoid_output(context, z)
        if result.shape != z.shape:
            raise context.fail("sigmoid changed the shape of its input", expected=f"shape {z.shape}", found=f"shape {result.shape}")
        if np.isnan(result).any():
            raise context.fail(
                "sigmoid returned NaN for an input that is not NaN",
                expected="values in [0, 1]", found=describe(result), code="nan_output",
            )
        if (result < 0).any() or (result > 1).any():
            raise context.fail("sigmoid returned a value outside [0, 1]", expected="values in [0, 1]", found=describe(result))

    context.check_property(test, st.one_of(strategies.extreme_arrays(np.float64), strategies.extreme_arrays(np.float32)))

    for dtype in FLOATING:
        z = np.array([np.inf, -np.inf, np.nan, 0.0], dtype=dtype)
        context.describe_input(f"z = {describe(z)}")
        result = _sigmoid_output(context, z)
        if result.shape != z.shape:
            raise context.fail("sigmoid changed the shape of its input", expected=f"shape {z.shape}", found=f"shape {result.shape}")
        expected = np.array([1.0, 0.0, np.nan, 0.5])
        for position, name in enumerate(("sigmoid(inf)", "sigmoid(-inf)", "sigmoid(nan)", "sigmoid(0)")):
            found, wanted = float(result[position]), float(expected[position])
            if not (found == wanted or (np.isnan(wanted) and np.isnan(found))):
                raise context.fail(
                    f"{name} is wrong for {np.dtype(dtype).name} input",
                    expected=f"{name} = {wanted!r}", found=f"{name} = {found!r}", code="wrong_at_infinity",
                )


@check("symmetry_and_monotonicity")
def symmetry_and_monotonicity(context: CheckContext) -> None:
    symmetric = context.tolerance("symmetry_float64")

    def test(values) -> None:
        z = np.sort(np.asarray(values, dtype=np.float64))
        context.describe_input(f"z = {describe(z)}")
        both = _sigmoid_output(context, np.concatenate([z, -z]))
        if both.shape != (2 * z.size,):
            raise context.fail("sigmoid changed the shape of its input", expected=f"shape {(2 * z.size,)}", found=f"shape {both.shape}")
        positive, negative = both[: z.size], both[z.size :]
        if np.isnan(both).any():
            raise context.fail(
                "sigmoid returned NaN for an input that is not NaN",
                expected="values in [0, 1]", found=describe(both), code="nan_output",
            )
        if np.any(np.diff(positive) < 0):
            index = int(np.argmax(np.diff(positive) < 0))
            raise context.fail(
                "sigmoid decreased although z increased",
                expected=f"sigmoid({z[index]!r}) <= sigmoid({z[index + 1]!r})",
                found=f"{positive[index]!r} > {positive[index + 1]!r}",
                code="not_monotone",
            )
        problem = mismatch(negative, (1.0 - positive).astype(np.float64), symmetric)
        if problem:
            raise context.fail("sigmoid(-z) does not equal 1 - sigmoid(z): " + problem, code="not_symmetric")

    finite = st.one_of(st.sampled_from([0.0, 1e-300, 0.5, 17.0, 37.0, 89.0, 710.0, 1e308]), st.floats(-800, 800))
    context.check_property(test, st.lists(finite, min_size=1, max_size=8))
