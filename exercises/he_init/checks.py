"""Checks of the He initialisation exercise.

The statistical checks call he_init with fixed seeds, so a submission gets
the same verdict on every run.  Their bounds come from sampling theory
(``grader.checks.sampling``) with the false-failure rate of exercise.yaml,
split over every comparison the check makes.
"""

import math

import numpy as np
from hypothesis import strategies as st

from grader import strategies
from grader.checks import CheckContext, check, describe
from grader.checks import sampling
from grader.sandbox.codec import CallableRef

#: Statistics compared per judged layer and seed in weight_statistics.
STATISTICS_PER_LAYER = 5


def _generator(seed: int) -> CallableRef:
    return CallableRef("random_generator", {"seed": seed})


def _call_text(layer_sizes: list[int], seed: int) -> str:
    return f"he_init({layer_sizes}, np.random.default_rng({seed}))"


def _parameters(context: CheckContext, layer_sizes: list[int], seed: int) -> list[tuple[np.ndarray, np.ndarray]]:
    """Call he_init and return its (W, b) pairs, failing unless every shape and dtype is right."""
    context.describe_input(_call_text(layer_sizes, seed))
    value = context.call("he_init", list(layer_sizes), _generator(seed))
    layers = len(layer_sizes) - 1
    if not isinstance(value, (list, tuple)):
        raise context.fail(
            "he_init must return a list of (W, b) pairs",
            expected=f"a list of {layers} (W, b) pairs", found=describe(value),
        )
    if len(value) != layers:
        raise context.fail(
            "he_init returned the wrong number of layers",
            expected=f"{layers} (W, b) pairs, one per layer, since layer_sizes has {len(layer_sizes)} entries",
            found=f"{len(value)} items",
        )
    params = []
    for index, (pair, fan_in, fan_out) in enumerate(zip(value, layer_sizes[:-1], layer_sizes[1:])):
        if not isinstance(pair, (list, tuple)) or len(pair) != 2:
            raise context.fail(
                f"params[{index}] is not a (W, b) pair", expected="a tuple (W, b)", found=describe(pair)
            )
        W, b = pair
        _expect_array(context, f"W of params[{index}]", W, (fan_out, fan_in), "transposed_weights")
        _expect_array(context, f"b of params[{index}]", b, (fan_out,), "bias_column")
        params.append((W, b))
    return params


def _expect_array(context: CheckContext, name: str, value, shape: tuple[int, ...], code: str) -> None:
    if not isinstance(value, np.ndarray):
        raise context.fail(f"{name} is not a NumPy array", expected=f"an array of shape {shape}", found=describe(value))
    if value.shape != shape:
        transposed = value.shape == shape[::-1] and len(shape) == 2
        column = value.shape == shape + (1,)
        raise context.fail(
            f"{name} has the wrong shape",
            expected=f"shape {shape}", found=f"shape {value.shape}",
            code=code if transposed or column else None,
        )
    if value.dtype != np.float64:
        raise context.fail(f"{name} has the wrong dtype", expected="dtype float64", found=f"dtype {value.dtype}")


@check("shapes_and_dtypes")
def shapes_and_dtypes(context: CheckContext) -> None:
    def test(layer_sizes: list[int], seed: int) -> None:
        params = _parameters(context, layer_sizes, seed)
        for index, (_, b) in enumerate(params):
            if np.any(b != 0):
                raise context.fail(
                    f"b of params[{index}] is not all zeros", expected="b = np.zeros(fan_out)", found=describe(b)
                )

    for layer_sizes in ([1, 1], [3, 1], [1, 4], [2, 3, 1, 5]):
        test(layer_sizes, 0)
    context.check_property(test, strategies.layer_size_lists(max_width=12), st.integers(0, 2**32 - 1))


# Statistics.

#: Scales students use by mistake: formula, what went wrong, scale as a function of (fan_in, fan_out), failure code.
MISTAKEN_SCALES = (
    ("sqrt(2/fan_out)", "fan_out used in place of fan_in", lambda i, o: math.sqrt(2 / o), "scale_fan_out"),
    ("sqrt(1/fan_in)", "He's factor 2 left out", lambda i, o: math.sqrt(1 / i), "scale_one_over_fan_in"),
    ("2/fan_in", "the variance used as the standard deviation", lambda i, o: 2 / i, "variance_as_std"),
    ("1", "standard-normal draws left unscaled", lambda i, o: 1.0, "unscaled"),
    ("sqrt(2/(fan_in + fan_out))", "Glorot initialisation", lambda i, o: math.sqrt(2 / (i + o)), "glorot"),
)


def _diagnose_scale(found_std: float, fan_in: int, fan_out: int) -> tuple[str, str | None]:
    """Name the mistaken scale that explains ``found_std``, if one is within 5% of it."""
    for formula, mistake, scale, code in MISTAKEN_SCALES:
        if abs(found_std / scale(fan_in, fan_out) - 1) < 0.05:
            return f"; the scale {formula} gives this ({mistake})", code
    return "", None


@check("weight_statistics")
def weight_statistics(context: CheckContext) -> None:
    settings = context.settings["statistics"]
    layer_sizes, seeds = settings["layer_sizes"], settings["seeds"]
    judged = [
        index for index, (fan_in, fan_out) in enumerate(zip(layer_sizes[:-1], layer_sizes[1:]))
        if fan_in * fan_out >= settings["min_weights"]
    ]
    comparisons = len(seeds) * len(judged) * STATISTICS_PER_LAYER
    alpha = settings["false_failure_rate"] / comparisons
    context.measurements.update(comparisons=comparisons, alpha_per_comparison=alpha)

    for seed in seeds:
        params = _parameters(context, layer_sizes, seed)
        for index in judged:
            W = params[index][0]
            _judge_weights(context, f"params[{index}]", W, layer_sizes[index], layer_sizes[index + 1], alpha)


def _judge_weights(context: CheckContext, name: str, W: np.ndarray, fan_in: int, fan_out: int, alpha: float) -> None:
    """Fail unless W looks like an i.i.d. sample from N(0, 2 / fan_in); ``alpha`` is the rate per statistic."""
    n = W.size
    sigma = math.sqrt(2.0 / fan_in)
    label = f"the weights W of {name} (shape {W.shape}, fan_in {fan_in}, {n} weights)"
    chance = f"a correct he_init falls outside with probability below {alpha:.2g}"
    if not np.all(np.isfinite(W)):
        raise context.fail(f"{label} contain NaN or infinity", expected="finite weights")
    weights = W.reshape(-1)

    std = float(weights.std(ddof=1))
    bounds = sampling.std_interval(n, sigma, alpha)
    if std not in bounds:
        diagnosis, code = _diagnose_scale(std, fan_in, fan_out)
        raise context.fail(
            f"{label} have the wrong standard deviation: N(0, 2/fan_in) has standard deviation "
            f"sqrt(2/{fan_in}) = {sigma:.4g}",
            expected=f"a sample standard deviation in {bounds} ({chance})",
            found=f"{std:.4g}, which is {std / sigma:.3g} times sqrt(2/fan_in){diagnosis}",
            code=code,
        )

    mean = float(weights.mean())
    bounds = sampling.mean_interval(n, 0.0, sigma, alpha)
    if mean not in bounds:
        raise context.fail(
            f"{label} are not centred on 0",
            expected=f"a sample mean in {bounds} ({chance})", found=f"mean {mean:.4g}",
        )

    kurtosis = sampling.excess_kurtosis(weights)
    bounds = sampling.excess_kurtosis_interval(n, alpha)
    if kurtosis not in bounds:
        uniform = " (a uniform distribution gives -1.2)" if abs(kurtosis + 1.2) < 0.1 else ""
        raise context.fail(
            f"{label} are not normally distributed: their tails are {'lighter' if kurtosis < 0 else 'heavier'} "
            "than a normal distribution's",
            expected=f"an excess kurtosis in {bounds}, near 0 as for normal draws ({chance})",
            found=f"excess kurtosis {kurtosis:.4g}{uniform}",
            code="not_normal",
        )

    skewness = sampling.skewness(weights)
    bounds = sampling.skewness_interval(n, alpha)
    if skewness not in bounds:
        raise context.fail(
            f"{label} are not normally distributed: their distribution is lopsided",
            expected=f"a skewness in {bounds}, near 0 as for normal draws ({chance})",
            found=f"skewness {skewness:.4g}",
            code="not_normal",
        )

    distance, where = sampling.ks_distance(weights / sigma, sampling.standard_normal_cdf)
    bound = sampling.ks_bound(n, alpha)
    if distance > bound:
        raise context.fail(
            f"the distribution of {label}, divided by sqrt(2/fan_in), differs from the standard normal",
            expected=f"a largest gap between its empirical CDF and the normal CDF of at most {bound:.4g} "
            f"(Dvoretzky-Kiefer-Wolfowitz bound; {chance})",
            found=f"a gap of {distance:.4g} at {where:.3g}",
            code="not_normal",
        )


# Reproducibility.


def _global_random_state(context: CheckContext, key: str) -> dict:
    """Snapshot the worker's global random states: stashing the reference evaluates it there."""
    context.stash(key, CallableRef("global_random_state"))
    return context.fetch(key)


def _same_parameters(first: list, second: list) -> bool:
    return all(
        W1.tobytes() == W2.tobytes() and b1.tobytes() == b2.tobytes() for (W1, b1), (W2, b2) in zip(first, second)
    )


@check("reproducibility")
def reproducibility(context: CheckContext) -> None:
    settings = context.settings["reproducibility"]
    seed, other_seed = settings["seeds"]
    for layer_sizes in settings["layer_sizes"]:
        before = _global_random_state(context, "random-state-before")
        first = _parameters(context, layer_sizes, seed)
        after = _global_random_state(context, "random-state-after")
        if before["numpy"] != after["numpy"]:
            raise context.fail(
                "he_init used or changed NumPy's global random state, so its result depends on code run before it",
                expected="every random number drawn from the rng argument",
                found="np.random's global state changed during the call (as np.random.randn, "
                "np.random.normal or np.random.seed do)",
                code="global_random",
            )
        if before["python"] != after["python"]:
            raise context.fail(
                "he_init used or changed the global state of Python's random module",
                expected="every random number drawn from the rng argument",
                found="random's global state changed during the call (as random.gauss or random.seed do)",
                code="global_random",
            )

        again = _parameters(context, layer_sizes, seed)
        if not _same_parameters(first, again):
            raise context.fail(
                "two calls with identically seeded generators returned different parameters",
                expected=f"identical parameters from {_call_text(layer_sizes, seed)} both times",
                found="different values",
                code="global_random",
            )

        other = _parameters(context, layer_sizes, other_seed)
        for index, ((W, _), (W_other, _)) in enumerate(zip(first, other)):
            if W.tobytes() == W_other.tobytes():
                raise context.fail(
                    f"W of params[{index}] is the same for seeds {seed} and {other_seed}, "
                    "so he_init ignores the rng it is given",
                    expected="different weights for differently seeded generators",
                    found=f"identical W of shape {W.shape} for both seeds",
                )


# Health of a deep ReLU network.


@check("activation_health")
def activation_health(context: CheckContext) -> None:
    settings = context.settings["health"]
    width, depth, batch = settings["width"], settings["layers"], settings["batch_size"]
    low, high = settings["rms_band"]
    layer_sizes = [width] * (depth + 1)

    mean_square_ratios = np.zeros(depth)
    for seed in range(1, settings["networks"] + 1):
        params = _parameters(context, layer_sizes, seed)
        X = np.random.default_rng(1_000_000 + seed).standard_normal((width, batch))
        mean_square_ratios += _mean_square_profile(X, params) / settings["networks"]
    with np.errstate(all="ignore"):
        rms_ratios = np.sqrt(mean_square_ratios)
    context.measurements["rms_ratios"] = [float(ratio) for ratio in rms_ratios]
    context.describe_input(
        f"{settings['networks']} networks he_init({layer_sizes}, np.random.default_rng(seed)) for seeds "
        f"1 to {settings['networks']}, each fed X of shape ({width}, {batch}) from the standard normal distribution"
    )

    outside = [layer for layer, ratio in enumerate(rms_ratios, start=1) if not low <= ratio <= high]
    if outside:
        first = outside[0]
        shrinking = not rms_ratios[first - 1] >= low
        profile = ", ".join(f"{ratio:.3g}" for ratio in rms_ratios)
        raise context.fail(
            f"with your weights the activations {'vanish' if shrinking else 'explode'} in a deep ReLU network: "
            f"at layer {first} their RMS is {rms_ratios[first - 1]:.3g} times the input's",
            expected=f"the RMS of every layer's activations between {low:g} and {high:g} times the input's",
            found=f"RMS relative to the input, layers 1 to {depth}: {profile}",
            code="vanishing" if shrinking else "exploding",
        )


def _mean_square_profile(X: np.ndarray, params: list) -> np.ndarray:
    """Return the mean square of each layer's ReLU activations divided by the input's."""
    A = X
    profile = []
    with np.errstate(all="ignore"):
        for W, b in params:
            A = np.maximum(W @ A + b[:, None], 0.0)
            profile.append(float(np.mean(A**2)))
        return np.array(profile) / float(np.mean(X**2))
