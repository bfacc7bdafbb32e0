"""Acceptance intervals of grader.checks.sampling against values computed with SciPy 1.17.

The expected endpoints were found with scipy.stats.skewtest, kurtosistest
and chi2.ppf: the skewness or kurtosis at which the test statistic reaches
the two-sided critical value, and the chi-squared quantiles for the
standard deviation.
"""

import math

import numpy as np
import pytest

from grader.checks import sampling


@pytest.mark.parametrize(
    ("n", "alpha", "high"),
    [(1000, 0.01, 0.1999685473813784), (30000, 1e-6, 0.06924360579742021)],
)
def test_skewness_interval_matches_scipy(n, alpha, high):
    interval = sampling.skewness_interval(n, alpha)

    assert interval.high == pytest.approx(high, rel=1e-9)
    assert interval.low == pytest.approx(-high, rel=1e-9)


@pytest.mark.parametrize(
    ("n", "alpha", "low", "high"),
    [
        (1000, 0.01, -0.34157724519322974, 0.45948995626985667),
        (30000, 1e-6, -0.12979766797666814, 0.14775521139402104),
    ],
)
def test_kurtosis_interval_matches_scipy(n, alpha, low, high):
    interval = sampling.excess_kurtosis_interval(n, alpha)

    assert interval.low == pytest.approx(low, rel=1e-9)
    assert interval.high == pytest.approx(high, rel=1e-9)


@pytest.mark.parametrize(
    ("n", "alpha", "low", "high"),
    [
        (1000, 0.01, 0.9426078956079145, 1.0578324357575646),
        (30000, 1e-6, 0.9800854768346802, 1.0200252445007503),
    ],
)
def test_std_interval_is_close_to_exact_chi_squared(n, alpha, low, high):
    interval = sampling.std_interval(n, 2.0, alpha)

    # Wilson-Hilferty is an approximation: within 1e-5 of the exact quantiles here.
    assert interval.low == pytest.approx(2.0 * low, rel=1e-5)
    assert interval.high == pytest.approx(2.0 * high, rel=1e-5)


def test_mean_interval_uses_normal_quantile():
    interval = sampling.mean_interval(400, 1.0, 3.0, 0.05)

    assert interval.low == pytest.approx(1.0 - 1.959963984540054 * 3.0 / 20.0)
    assert interval.high == pytest.approx(1.0 + 1.959963984540054 * 3.0 / 20.0)


def test_ks_bound_solves_massart_inequality():
    bound = sampling.ks_bound(5000, 1e-6)

    assert 2.0 * math.exp(-2.0 * 5000 * bound**2) == pytest.approx(1e-6)


def test_ks_distance_of_small_sample():
    # The empirical CDF of [0.2, 0.4] reaches 1 at 0.4, where the uniform CDF is 0.4.
    distance, where = sampling.ks_distance(np.array([0.4, 0.2]), lambda values: values)

    assert distance == pytest.approx(0.6)
    assert where == 0.4


def test_standard_normal_cdf_values():
    values = sampling.standard_normal_cdf(np.array([-1.959963984540054, 0.0, 1.0]))

    assert values == pytest.approx([0.025, 0.5, 0.8413447460685429])


def test_moment_statistics_of_symmetric_sample():
    sample = np.array([-2.0, -1.0, 0.0, 1.0, 2.0])

    assert sampling.skewness(sample) == pytest.approx(0.0)
    assert sampling.excess_kurtosis(sample) == pytest.approx(1.7 - 3.0)
