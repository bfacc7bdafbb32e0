"""Checks of the stable sigmoid exercise."""

import numpy as np
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from grader import strategies
from grader.checks import CheckContext, CheckFailure, StudentCodeError, check, describe
from grader.checks.compare import array_or_none, mismatch, not_an_array_message
from grader.checks.recognise import matches

FLOATING = (np.float64, np.float32)
#: Warnings a stable sigmoid must not emit.  Underflow is expected and NumPy does not warn about it.
FORBIDDEN_WARNINGS = ("overflow", "invalid value", "divide by zero")
#: Single inputs on which the usual unstable formulas break: exp overflows at 1000 in both float types.
PROBE_VALUES = (1000.0, -1000.0, np.inf, -np.inf)


def _expected_dtype(z) -> np.dtype:
    if isinstance(z, np.ndarray) and z.dtype in (np.float32, np.float64):
        return z.dtype
    return np.dtype(np.float64)


def _forbidden_warning(warnings: list[tuple[str, str]]) -> str | None:
    """Return the first overflow, invalid-value or divide-by-zero warning as text, or None."""
    for category, text in warnings:
        if any(word in text for word in FORBIDDEN_WARNINGS):
            return f"{category}: {text}"
    return None


class Breakdown:
    """The student's sigmoid on each of ``PROBE_VALUES`` alone, to name the mistake it makes.

    Each value goes in its own one-element array, so a warning belongs to
    that value.  The calls happen the first time a failure needs a code, and
    their results are kept for the rest of the check.
    """

    def __init__(self, context: CheckContext) -> None:
        self.context = context
        self._results: dict[tuple[str, float], tuple[float | None, bool]] | None = None

    def _measure(self) -> dict[tuple[str, float], tuple[float | None, bool]]:
        results = {}
        for dtype in FLOATING:
            for value in PROBE_VALUES:
                try:
                    reply = self.context.call_reply("sigmoid", np.array([value], dtype=dtype))
                except (StudentCodeError, CheckFailure):
                    results[np.dtype(dtype).name, value] = (None, False)
                    continue
                array = array_or_none(reply.value)
                output = float(array.reshape(-1)[0]) if array is not None and array.size == 1 else None
                results[np.dtype(dtype).name, value] = (output, _forbidden_warning(reply.warnings) is not None)
        return results

    def code(self) -> str | None:
        """Return the failure code of the recognised mistake, or None when none is recognised."""
        if self._results is None:
            self._results = self._measure()
        results = self._results

        def output(dtype: str, value: float) -> float | None:
            return results[dtype, value][0]

        def warned(dtype: str, value: float) -> bool:
            return results[dtype, value][1]

        def is_nan(value: float | None) -> bool:
            return value is not None and np.isnan(value)

        dtypes = [np.dtype(dtype).name for dtype in FLOATING]
        if any(is_nan(output(dtype, value)) for dtype in dtypes for value in (1000.0, -1000.0)):
            return "nan_output"
        if any(is_nan(output(dtype, value)) for dtype in dtypes for value in (np.inf, -np.inf)):
            return "nan_at_infinity"
        at_minus_1000 = output("float64", -1000.0)
        if at_minus_1000 is not None and at_minus_1000 > 0.5:
            return "negative_branch_missing"
        if warned("float64", 1000.0) and warned("float64", -1000.0):
            return "overflow_both_branches"
        if warned("float64", -1000.0):
            return "naive_overflow"
        if not any(warned("float64", value) for value in PROBE_VALUES) and any(
            warned("float32", value) for value in PROBE_VALUES
        ):
            return "overflow_float32"
        return None


def _sigmoid_output(context: CheckContext, z, breakdown: Breakdown) -> np.ndarray:
    """Call the student's sigmoid on z and return its result as an array, failing on anything else."""
    reply = context.call_reply("sigmoid", z)
    result = array_or_none(reply.value)
    if result is None:
        raise context.fail(not_an_array_message("sigmoid", reply.value), expected="a NumPy array")
    warning = _forbidden_warning(reply.warnings)
    if warning:
        raise context.fail(
            "sigmoid emitted a floating-point warning, so part of the computation overflowed or produced NaN",
            expected="no overflow, invalid-value or divide-by-zero warning",
            found=warning,
            code=breakdown.code() or "overflow_warning",
        )
    return result


def _runs(context: CheckContext, z) -> bool:
    """Whether the student's sigmoid returns (rather than raises) on z."""
    try:
        context.call_reply("sigmoid", z)
    except (StudentCodeError, CheckFailure):
        return False
    return True


def _why_it_raised(context: CheckContext, z) -> str | None:
    """Name the kind of input that made sigmoid raise, when the same values in another form work."""
    array = np.asarray(z)
    if array.ndim == 0 and _runs(context, array.reshape(1)):
        return "scalar_input"
    if array.dtype == np.bool_ and _runs(context, array.astype(np.float64)):
        return "boolean_input"
    return None


def _dtype_code(z, found: np.dtype) -> str:
    expected = _expected_dtype(z)
    if expected == np.float32 and found == np.float64:
        return "float32_upcast"
    if expected == np.float64 and found.kind in "iub":
        return "integer_output"
    return "wrong_dtype"


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
        context.describe_input(f"z = {describe(z)}")
        try:
            reply = context.call_reply("sigmoid", z)
        except StudentCodeError as error:
            error.code = _why_it_raised(context, z)
            raise
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
                expected=f"dtype {_expected_dtype(z)}", found=f"dtype {result.dtype}", code=_dtype_code(z, result.dtype),
            )

    context.check_property(test, inputs)


@check("matches_reference", needs_reference=True)
def matches_reference(context: CheckContext) -> None:
    reference = context.require_reference()
    breakdown = Breakdown(context)

    def test(z) -> None:
        context.describe_input(f"z = {describe(z)}")
        result = _sigmoid_output(context, z, breakdown)
        expected = np.asarray(reference.sigmoid(z))
        tolerance = context.tolerance(z.dtype.name)
        problem = mismatch(result, expected, tolerance)
        if problem:
            # sigmoid(|z|) everywhere is the stable positive-z formula used for every sign.
            mirrored = matches(result, reference.sigmoid(np.abs(z)), tolerance)
            raise context.fail(
                "sigmoid differs from the reference solution: " + problem,
                code="negative_branch_missing" if mirrored else "wrong_values",
            )

    context.check_property(test, st.one_of(strategies.moderate_arrays(np.float64, 40.0), strategies.moderate_arrays(np.float32, 20.0)))


@check("extreme_inputs")
def extreme_inputs(context: CheckContext) -> None:
    breakdown = Breakdown(context)

    def test(z) -> None:
        context.describe_input(f"z = {describe(z)}")
        result = _sigmoid_output(context, z, breakdown)
        if result.shape != z.shape:
            raise context.fail("sigmoid changed the shape of its input", expected=f"shape {z.shape}", found=f"shape {result.shape}")
        if np.isnan(result).any():
            raise context.fail(
                "sigmoid returned NaN for an input that is not NaN",
                expected="values in [0, 1]", found=describe(result), code=breakdown.code() or "nan_output",
            )
        if (result < 0).any() or (result > 1).any():
            raise context.fail("sigmoid returned a value outside [0, 1]", expected="values in [0, 1]", found=describe(result))

    context.check_property(test, st.one_of(strategies.extreme_arrays(np.float64), strategies.extreme_arrays(np.float32)))

    for dtype in FLOATING:
        z = np.array([np.inf, -np.inf, np.nan, 0.0], dtype=dtype)
        context.describe_input(f"z = {describe(z)}")
        result = _sigmoid_output(context, z, breakdown)
        if result.shape != z.shape:
            raise context.fail("sigmoid changed the shape of its input", expected=f"shape {z.shape}", found=f"shape {result.shape}")
        expected = np.array([1.0, 0.0, np.nan, 0.5])
        for position, name in enumerate(("sigmoid(inf)", "sigmoid(-inf)", "sigmoid(nan)", "sigmoid(0)")):
            found, wanted = float(result[position]), float(expected[position])
            if not (found == wanted or (np.isnan(wanted) and np.isnan(found))):
                raise context.fail(
                    f"{name} is wrong for {np.dtype(dtype).name} input",
                    expected=f"{name} = {wanted!r}", found=f"{name} = {found!r}",
                    code=breakdown.code() or "wrong_at_infinity",
                )


@check("symmetry_and_monotonicity")
def symmetry_and_monotonicity(context: CheckContext) -> None:
    symmetric = context.tolerance("symmetry_float64")
    breakdown = Breakdown(context)

    def test(values) -> None:
        z = np.sort(np.asarray(values, dtype=np.float64))
        context.describe_input(f"z = {describe(z)}")
        both = _sigmoid_output(context, np.concatenate([z, -z]), breakdown)
        if both.shape != (2 * z.size,):
            raise context.fail("sigmoid changed the shape of its input", expected=f"shape {(2 * z.size,)}", found=f"shape {both.shape}")
        positive, negative = both[: z.size], both[z.size :]
        if np.isnan(both).any():
            raise context.fail(
                "sigmoid returned NaN for a finite input",
                expected="values in [0, 1]", found=describe(both), code=breakdown.code() or "nan_output",
            )
        # Equal halves point to one formula used for both signs.  A correct
        # sigmoid can also give equal halves, at z = +-1e-300 for example,
        # so this only names the mistake once a property has failed.
        mirrored = bool(np.any(z != 0)) and np.array_equal(positive, negative)
        if np.any(np.diff(positive) < 0):
            index = int(np.argmax(np.diff(positive) < 0))
            raise context.fail(
                "sigmoid decreased although z increased",
                expected=f"sigmoid({z[index]!r}) <= sigmoid({z[index + 1]!r})",
                found=f"{positive[index]!r} > {positive[index + 1]!r}",
                code="negative_branch_missing" if mirrored else "not_monotone",
            )
        problem = mismatch(negative, (1.0 - positive).astype(np.float64), symmetric)
        if problem:
            raise context.fail(
                "sigmoid(-z) does not equal 1 - sigmoid(z): " + problem,
                code="negative_branch_missing" if mirrored else "not_symmetric",
            )

    finite = st.one_of(st.sampled_from([0.0, 1e-300, 0.5, 17.0, 37.0, 89.0, 710.0, 1e308]), st.floats(-800, 800))
    context.check_property(test, st.lists(finite, min_size=1, max_size=8))
