"""Every example submission gets exactly the verdicts its mistakes deserve."""

from __future__ import annotations

import pytest

from conftest import EXAMPLES, EXERCISES, SOLUTIONS, grade_folder, statuses

ALL_PASS_SIGMOID = {
    "shape_and_dtype": "passed",
    "matches_reference": "passed",
    "extreme_inputs": "passed",
    "symmetry_and_monotonicity": "passed",
}
ALL_PASS_FORWARD = {
    "output_shape": "passed",
    "matches_reference": "passed",
    "batched_equals_columns": "passed",
    "inputs_unchanged": "passed",
    "speed": "passed",
}

EXPECTED = {
    "correct_but_different": {"stable_sigmoid": ALL_PASS_SIGMOID, "batched_forward": ALL_PASS_FORWARD},
    "naive_sigmoid": {
        "stable_sigmoid": {
            # -z is undefined for a boolean array, so the boolean input raises.
            "shape_and_dtype": "error",
            "matches_reference": "passed",
            "extreme_inputs": "failed",
            "symmetry_and_monotonicity": "failed",
        },
        "batched_forward": ALL_PASS_FORWARD,
    },
    "clipped_sigmoid": {
        "stable_sigmoid": dict(ALL_PASS_SIGMOID, extreme_inputs="failed"),
        "batched_forward": ALL_PASS_FORWARD,
    },
    "bias_wrong_axis": {
        "stable_sigmoid": ALL_PASS_SIGMOID,
        "batched_forward": {
            "output_shape": "failed",
            "matches_reference": "error",
            "batched_equals_columns": "failed",
            "inputs_unchanged": "error",
            "speed": "error",
        },
    },
    "batch_first": {
        "stable_sigmoid": ALL_PASS_SIGMOID,
        "batched_forward": {
            "output_shape": "error",
            "matches_reference": "error",
            "batched_equals_columns": "error",
            "inputs_unchanged": "error",
            "speed": "error",
        },
    },
    "loop_forward": {
        "stable_sigmoid": ALL_PASS_SIGMOID,
        "batched_forward": dict(ALL_PASS_FORWARD, speed="failed"),
    },
    "centres_input_in_place": {
        "stable_sigmoid": ALL_PASS_SIGMOID,
        "batched_forward": {
            "output_shape": "passed",
            "matches_reference": "failed",
            "batched_equals_columns": "failed",
            "inputs_unchanged": "failed",
            "speed": "failed",
        },
    },
    "reshapes_bias_in_place": {
        "stable_sigmoid": ALL_PASS_SIGMOID,
        "batched_forward": dict(ALL_PASS_FORWARD, inputs_unchanged="failed"),
    },
}
CORE_EXERCISES = ["stable_sigmoid", "batched_forward"]


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_example_submission_verdicts(name):
    report = grade_folder(EXAMPLES / name, only=CORE_EXERCISES)
    found = statuses(report)
    for exercise, checks in EXPECTED[name].items():
        for check, status in checks.items():
            assert found[exercise][check] == status, f"{name}: {exercise}.{check}"


def test_reference_solutions_get_full_marks_twice_identically():
    first = grade_folder(SOLUTIONS, only=CORE_EXERCISES)
    second = grade_folder(SOLUTIONS, only=CORE_EXERCISES)
    assert first.score == first.max_score
    assert statuses(first) == statuses(second)
    assert first.score == second.score


def test_stubs_are_all_not_implemented():
    report = grade_folder(EXERCISES, only=CORE_EXERCISES)
    assert report.score == 0
    for exercise, check in report.checks():
        assert check.status.value == "not_implemented", f"{exercise.name}.{check.name}"
        assert "NotImplementedError" in check.message


def test_failure_names_the_shrunk_input():
    report = grade_folder(EXAMPLES / "bias_wrong_axis", only=["batched_forward"])
    check = report.exercises[0].checks[0]
    assert check.name == "output_shape"
    assert check.expected == "output shape (2, 1)"
    assert check.found == "output shape (2, 2)"
    assert check.counterexample.startswith("X of shape (3, 1) and layer sizes [3, 2]")


def test_counterexamples_are_deterministic():
    first = grade_folder(EXAMPLES / "naive_sigmoid", only=["stable_sigmoid"])
    second = grade_folder(EXAMPLES / "naive_sigmoid", only=["stable_sigmoid"])
    assert [c.counterexample for c in first.exercises[0].checks] == [c.counterexample for c in second.exercises[0].checks]


def test_overflow_failure_quotes_the_warning():
    report = grade_folder(EXAMPLES / "clipped_sigmoid", only=["stable_sigmoid"])
    check = {c.name: c for c in report.exercises[0].checks}["extreme_inputs"]
    assert check.found == "RuntimeWarning: overflow encountered in exp"
    assert "float32" in check.counterexample


def test_loop_timing_failure_reports_both_medians():
    report = grade_folder(EXAMPLES / "loop_forward", only=["batched_forward"])
    check = {c.name: c for c in report.exercises[0].checks}["speed"]
    assert check.measurements["slowdown"] > 5
    assert "times slower than the reference" in check.message
    assert "ms" in check.found
