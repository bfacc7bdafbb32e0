"""He initialisation: the reference, the stub and every example submission, graded end to end."""

from exercise_grading import EXERCISES, SOLUTIONS, grade_example, grade_exercise

STATISTICS_CALL = "he_init([400, 150, 300, 100, 3], np.random.default_rng(20261201))"
CHECKS = ("shapes_and_dtypes", "weight_statistics", "reproducibility", "activation_health")


def test_reference_gets_full_marks():
    outcomes = grade_exercise("he_init", SOLUTIONS)

    for name in CHECKS:
        assert outcomes[name].status.value == "passed", (name, outcomes[name].message)
    assert sum(outcome.score for outcome in outcomes.values()) == 10


def test_stub_is_not_implemented_everywhere():
    outcomes = grade_exercise("he_init", EXERCISES)

    for name in CHECKS:
        assert outcomes[name].status.value == "not_implemented", name
        assert "he_init still raises NotImplementedError" in outcomes[name].message


def test_correct_alternative_gets_full_marks():
    outcomes = grade_example("he_init", "correct_alternatives")

    for name in CHECKS:
        assert outcomes[name].status.value == "passed", (name, outcomes[name].message)


def test_sqrt_one_over_fan_in_fails():
    outcomes = grade_example("he_init", "he_scale_sqrt_one_over_fan_in")

    assert outcomes["shapes_and_dtypes"].status.value == "passed"
    assert outcomes["weight_statistics"].status.value == "failed"
    assert outcomes["reproducibility"].status.value == "passed"
    assert outcomes["activation_health"].status.value == "failed"
    assert "the scale sqrt(1/fan_in) gives this" in outcomes["weight_statistics"].found
    assert outcomes["weight_statistics"].expected.startswith("a sample standard deviation in [0.06959, 0.07184]")
    assert outcomes["weight_statistics"].counterexample == STATISTICS_CALL
    assert "vanish" in outcomes["activation_health"].message


def test_two_over_fan_in_fails():
    outcomes = grade_example("he_init", "he_scale_two_over_fan_in")

    assert outcomes["shapes_and_dtypes"].status.value == "passed"
    assert outcomes["weight_statistics"].status.value == "failed"
    assert outcomes["reproducibility"].status.value == "passed"
    assert outcomes["activation_health"].status.value == "failed"
    assert "the variance used as the standard deviation" in outcomes["weight_statistics"].found
    assert outcomes["weight_statistics"].counterexample == STATISTICS_CALL


def test_fan_out_scale_fails_statistics():
    outcomes = grade_example("he_init", "he_scale_fan_out")

    assert outcomes["shapes_and_dtypes"].status.value == "passed"
    assert outcomes["weight_statistics"].status.value == "failed"
    assert outcomes["reproducibility"].status.value == "passed"
    # The health network has square layers, where fan_out equals fan_in.
    assert outcomes["activation_health"].status.value == "passed"
    assert "sqrt(2/fan_out)" in outcomes["weight_statistics"].found
    assert outcomes["weight_statistics"].counterexample == STATISTICS_CALL
    assert outcomes["weight_statistics"].hint.startswith("He initialisation scales by the layer's input width")


def test_uniform_fails_normality():
    outcomes = grade_example("he_init", "he_uniform")

    assert outcomes["shapes_and_dtypes"].status.value == "passed"
    assert outcomes["weight_statistics"].status.value == "failed"
    assert outcomes["reproducibility"].status.value == "passed"
    assert outcomes["activation_health"].status.value == "passed"
    assert "not normally distributed" in outcomes["weight_statistics"].message
    assert "excess kurtosis" in outcomes["weight_statistics"].found


def test_standard_normal_fails():
    outcomes = grade_example("he_init", "he_standard_normal")

    assert outcomes["shapes_and_dtypes"].status.value == "passed"
    assert outcomes["weight_statistics"].status.value == "failed"
    assert outcomes["reproducibility"].status.value == "passed"
    assert outcomes["activation_health"].status.value == "failed"
    assert "standard-normal draws left unscaled" in outcomes["weight_statistics"].found
    assert "explode" in outcomes["activation_health"].message


def test_global_randn_fails_reproducibility():
    outcomes = grade_example("he_init", "he_global_randn")

    assert outcomes["shapes_and_dtypes"].status.value == "passed"
    # np.random.randn draws correct N(0, 1) values from an unseeded state; a
    # correct distribution fails the statistics with probability below 1e-6.
    assert outcomes["weight_statistics"].status.value == "passed"
    assert outcomes["reproducibility"].status.value == "failed"
    assert outcomes["activation_health"].status.value == "passed"
    assert "NumPy's global random state" in outcomes["reproducibility"].message
