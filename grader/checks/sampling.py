"""Acceptance intervals from sampling theory, for checks that judge random samples.

Each ``*_interval`` function returns the range that a statistic of an i.i.d.
sample of size n from the expected distribution falls outside with
probability (about) ``alpha``.  A check that compares m statistics gives
each ``alpha = rate / m``.  By the union bound (Bonferroni), a correct sample
then fails the check with probability at most ``rate``.

The mean interval is exact for normal samples.  The standard deviation uses
the Wilson-Hilferty approximation to the chi-squared distribution, skewness
uses D'Agostino's transformation (D'Agostino, Belanger and D'Agostino, "A
suggestion for using powerful and informative tests of normality", The
American Statistician 44(4), 1990) and kurtosis that of Anscombe and Glynn
("Distribution of the kurtosis statistic b2 for normal samples",
Biometrika 70(1), 1983).  The distance of the empirical CDF from the expected
CDF uses the Dvoretzky-Kiefer-Wolfowitz inequality with Massart's constant,
which holds for every n without approximation.

NOTE: the three transformations are accurate to a few percent of alpha for
samples of thousands of values and alpha near 1e-8; the checks use them only
on samples of tens of thousands of values.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from statistics import NormalDist
from typing import Callable

import numpy as np

_STANDARD_NORMAL = NormalDist()


@dataclass(frozen=True)
class Interval:
    low: float
    high: float

    def __contains__(self, value: float) -> bool:
        return self.low <= value <= self.high

    def __str__(self) -> str:
        return f"[{self.low:.4g}, {self.high:.4g}]"


def two_sided_critical(alpha: float) -> float:
    """Return c with P(|Z| > c) = alpha for a standard normal Z."""
    return _STANDARD_NORMAL.inv_cdf(1.0 - alpha / 2.0)


def mean_interval(n: int, mean: float, sigma: float, alpha: float) -> Interval:
    """Interval for the sample mean of n values from N(mean, sigma^2)."""
    half_width = two_sided_critical(alpha) * sigma / math.sqrt(n)
    return Interval(mean - half_width, mean + half_width)


def std_interval(n: int, sigma: float, alpha: float) -> Interval:
    """Interval for the sample standard deviation (ddof=1) of n values from a normal with std ``sigma``.

    (n - 1) s^2 / sigma^2 follows chi-squared with k = n - 1 degrees of
    freedom, and by Wilson-Hilferty (s^2 / sigma^2)^(1/3) is close to
    N(1 - 2/(9k), 2/(9k)).
    """
    k = n - 1
    critical = two_sided_critical(alpha)
    centre, spread = 1.0 - 2.0 / (9.0 * k), math.sqrt(2.0 / (9.0 * k))
    low_cube, high_cube = centre - critical * spread, centre + critical * spread
    low = sigma * math.sqrt(max(low_cube, 0.0) ** 3)
    return Interval(low, sigma * math.sqrt(high_cube**3))


def skewness(sample: np.ndarray) -> float:
    """Return the moment skewness m3 / m2^1.5 (sqrt(b1) in D'Agostino's notation)."""
    centred = sample - sample.mean()
    m2 = float(np.mean(centred**2))
    return float(np.mean(centred**3)) / m2**1.5


def excess_kurtosis(sample: np.ndarray) -> float:
    """Return the moment kurtosis m4 / m2^2 minus 3, which is 0 for a normal distribution."""
    centred = sample - sample.mean()
    m2 = float(np.mean(centred**2))
    return float(np.mean(centred**4)) / m2**2 - 3.0


def skewness_interval(n: int, alpha: float) -> Interval:
    """Interval for ``skewness`` of n normal values, by D'Agostino's transformation (n >= 8)."""
    scale = math.sqrt((n + 1) * (n + 3) / (6.0 * (n - 2)))
    beta2 = 3.0 * (n * n + 27 * n - 70) * (n + 1) * (n + 3) / ((n - 2) * (n + 5) * (n + 7) * (n + 9))
    w_squared = -1.0 + math.sqrt(2.0 * (beta2 - 1.0))
    delta = 1.0 / math.sqrt(math.log(math.sqrt(w_squared)))
    alpha_term = math.sqrt(2.0 / (w_squared - 1.0))
    # Z = delta * asinh(Y / alpha_term) with Y = skewness * scale, solved for the skewness at Z = +-c.
    high = alpha_term * math.sinh(two_sided_critical(alpha) / delta) / scale
    return Interval(-high, high)


def excess_kurtosis_interval(n: int, alpha: float) -> Interval:
    """Interval for ``excess_kurtosis`` of n normal values, by Anscombe and Glynn's transformation (n >= 20)."""
    expected_b2 = 3.0 * (n - 1) / (n + 1)
    sd_b2 = math.sqrt(24.0 * n * (n - 2) * (n - 3) / ((n + 1) ** 2 * (n + 3) * (n + 5)))
    root_beta1 = (
        6.0 * (n * n - 5 * n + 2) / ((n + 7) * (n + 9))
        * math.sqrt(6.0 * (n + 3) * (n + 5) / (n * (n - 2) * (n - 3)))
    )
    a = 6.0 + 8.0 / root_beta1 * (2.0 / root_beta1 + math.sqrt(1.0 + 4.0 / root_beta1**2))
    spread = math.sqrt(2.0 / (9.0 * a))
    critical = two_sided_critical(alpha)

    def b2_at(z: float) -> float:
        # Z = (1 - 2/(9a) - t) / spread with t^3 = (1 - 2/a) / (1 + x sqrt(2/(a - 4))), solved for x.
        t = 1.0 - 2.0 / (9.0 * a) - z * spread
        x = ((1.0 - 2.0 / a) / t**3 - 1.0) / math.sqrt(2.0 / (a - 4.0))
        return expected_b2 + x * sd_b2

    return Interval(b2_at(-critical) - 3.0, b2_at(critical) - 3.0)


def ks_distance(sample: np.ndarray, cdf: Callable[[np.ndarray], np.ndarray]) -> tuple[float, float]:
    """Return the largest gap between the sample's empirical CDF and ``cdf``, and the value where it occurs."""
    ordered = np.sort(sample.reshape(-1))
    n = ordered.size
    expected = cdf(ordered)
    above = np.arange(1, n + 1) / n - expected
    below = expected - np.arange(0, n) / n
    index_above, index_below = int(np.argmax(above)), int(np.argmax(below))
    if above[index_above] >= below[index_below]:
        return float(above[index_above]), float(ordered[index_above])
    return float(below[index_below]), float(ordered[index_below])


def ks_bound(n: int, alpha: float) -> float:
    """Return eps with P(sup |F_n - F| > eps) <= alpha for n i.i.d. values from F (DKW with Massart's constant)."""
    return math.sqrt(math.log(2.0 / alpha) / (2.0 * n))


def standard_normal_cdf(values: np.ndarray) -> np.ndarray:
    """Return the standard normal CDF of each value (NumPy has no erf, so this goes through math.erf)."""
    erf = np.frompyfunc(math.erf, 1, 1)
    return 0.5 * (1.0 + erf(np.asarray(values, dtype=np.float64) / math.sqrt(2.0)).astype(np.float64))
