"""Forward pass with a cache: the reference, the stub and every example submission, graded end to end."""

from exercise_grading import EXERCISES, SOLUTIONS, grade_example, grade_exercise

CHECKS = (
    "cache_structure",
    "matches_reference",
    "cache_not_aliased",
    "cache_nbytes_formula",
    "cache_nbytes_matches_cache",
)


def test_reference_gets_full_marks():
    outcomes = grade_exercise("forward_cache", SOLUTIONS)

    for name in CHECKS:
        assert outcomes[name].status.value == "passed", (name, outcomes[name].message)
    assert sum(outcome.score for outcome in outcomes.values()) == 11


def test_stub_is_not_implemented_everywhere():
    outcomes = grade_exercise("forward_cache", EXERCISES)

    for name in CHECKS:
        assert outcomes[name].status.value == "not_implemented", name
    assert "cache_nbytes still raises NotImplementedError" in outcomes["cache_nbytes_formula"].message
    assert "forward_pass_batched still raises NotImplementedError" in outcomes["cache_structure"].message


def test_correct_alternative_gets_full_marks():
    outcomes = grade_example("forward_cache", "correct_alternatives")

    for name in CHECKS:
        assert outcomes[name].status.value == "passed", (name, outcomes[name].message)


def test_z_stored_twice_fails_structure():
    outcomes = grade_example("forward_cache", "cache_z_twice")

    assert outcomes["cache_structure"].status.value == "failed"
    assert outcomes["matches_reference"].status.value == "passed"
    assert outcomes["cache_not_aliased"].status.value == "passed"
    assert outcomes["cache_nbytes_formula"].status.value == "passed"
    assert outcomes["cache_nbytes_matches_cache"].status.value == "failed"
    assert outcomes["cache_structure"].message == "cache[0] A_prev has the wrong shape"
    assert outcomes["cache_structure"].counterexample == "X of shape (3, 5) and layer sizes [3, 4, 2] (activations relu, tanh)"
    assert "A_prev entries of your cache are not the layer inputs" in outcomes["cache_nbytes_matches_cache"].message


def test_reused_buffer_fails_aliasing():
    outcomes = grade_example("forward_cache", "cache_reused_buffer")

    assert outcomes["cache_structure"].status.value == "passed"
    assert outcomes["matches_reference"].status.value == "failed"
    assert outcomes["cache_not_aliased"].status.value == "failed"
    assert outcomes["cache_nbytes_formula"].status.value == "passed"
    assert outcomes["cache_nbytes_matches_cache"].status.value == "failed"
    assert outcomes["cache_not_aliased"].message.startswith(
        "cache[0] A from the first call changed when forward_pass_batched was called again"
    )
    assert "overlap in memory" in outcomes["cache_nbytes_matches_cache"].message


def test_nbytes_double_count_fails_memory():
    outcomes = grade_example("forward_cache", "nbytes_counts_twice")

    assert outcomes["cache_structure"].status.value == "passed"
    assert outcomes["matches_reference"].status.value == "passed"
    assert outcomes["cache_not_aliased"].status.value == "passed"
    assert outcomes["cache_nbytes_formula"].status.value == "failed"
    assert outcomes["cache_nbytes_matches_cache"].status.value == "failed"
    assert outcomes["cache_nbytes_formula"].expected == "3,219,456 bytes"
    assert outcomes["cache_nbytes_formula"].found.startswith("4,005,888 bytes")
    assert outcomes["cache_nbytes_formula"].counterexample == "cache_nbytes([784, 256, 128, 10], 256, np.float64)"
