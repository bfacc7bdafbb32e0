"""Speedup measurement: the reference, the stub and every example submission, graded end to end.

The timing check compares measurements within a factor of 3, and the
workload's loop is about 30 times slower than its batched call. So the
statuses asserted here do not depend on how busy the machine is, and no test
asserts a wall-clock time.
"""

from exercise_grading import EXERCISES, SOLUTIONS, grade_example, grade_exercise

CHECKS = ("result_contract", "timing_method", "max_abs_diff_correct", "timing_agrees")


def test_reference_gets_full_marks():
    outcomes = grade_exercise("speedup", SOLUTIONS)

    for name in CHECKS:
        assert outcomes[name].status.value == "passed", (name, outcomes[name].message)
    assert sum(outcome.score for outcome in outcomes.values()) == 10


def test_stub_is_not_implemented_everywhere():
    outcomes = grade_exercise("speedup", EXERCISES)

    for name in CHECKS:
        assert outcomes[name].status.value == "not_implemented", name
        assert "measure_speedup still raises NotImplementedError" in outcomes[name].message


def test_correct_alternative_gets_full_marks():
    outcomes = grade_example("speedup", "correct_alternatives")

    for name in CHECKS:
        assert outcomes[name].status.value == "passed", (name, outcomes[name].message)


def test_one_run_inverted_fails_three():
    outcomes = grade_example("speedup", "speedup_one_run_inverted")

    assert outcomes["result_contract"].status.value == "failed"
    assert outcomes["timing_method"].status.value == "failed"
    assert outcomes["max_abs_diff_correct"].status.value == "passed"
    assert outcomes["timing_agrees"].status.value == "failed"
    assert outcomes["result_contract"].message == "speedup is not t_loop / t_batch, it is t_batch / t_loop"
    assert outcomes["timing_method"].message.startswith("forward_fn was called on the whole batch once")
    assert outcomes["timing_agrees"].found.startswith("speedup = ")


def test_one_d_columns_fail_method():
    outcomes = grade_example("speedup", "speedup_one_d_columns")

    assert outcomes["result_contract"].status.value == "passed"
    assert outcomes["timing_method"].status.value == "failed"
    assert outcomes["max_abs_diff_correct"].status.value == "passed"
    assert outcomes["timing_agrees"].status.value == "passed"
    assert outcomes["timing_method"].found == "a call with an input of shape (6,)"
