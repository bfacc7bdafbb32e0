"""grader validate: references, stubs and misconception mutants get the verdicts they must."""

from __future__ import annotations

import itertools
import shutil
import sys
from pathlib import Path

import numpy as np
import pytest

from conftest import EXERCISES, ROOT, SOLUTIONS, run_cli
from grader.exercise import discover, load
from grader.mutants import load_catalogue
from grader.validate import _code_lines

MUTANTS = ROOT / "mutants"
IGNORE = shutil.ignore_patterns("__pycache__")


@pytest.fixture
def sigmoid_only(tmp_path: Path) -> Path:
    """A copy of the stable_sigmoid exercise and its reference, with an empty mutants folder."""
    shutil.copytree(EXERCISES / "stable_sigmoid", tmp_path / "exercises" / "stable_sigmoid", ignore=IGNORE)
    shutil.copytree(SOLUTIONS / "stable_sigmoid", tmp_path / "solutions" / "stable_sigmoid", ignore=IGNORE)
    (tmp_path / "mutants" / "stable_sigmoid").mkdir(parents=True)
    return tmp_path


def table_rows(output: str) -> list[tuple[str, list[str]]]:
    """Return each row of the printed tables, a mutant or "mutants caught", with its cells."""
    rows = []
    for line in output.splitlines():
        if line.startswith("  mutants caught"):
            rows.append(("mutants caught", line.split()[2:]))
        elif line.startswith("  ") and line.rstrip().endswith((" ok", " FAILED")):
            name, *cells = line.split()
            rows.append((name, cells))
    return rows


def add_mutant(root: Path, name: str, *, source: Path, definition: str) -> Path:
    folder = root / "mutants" / "stable_sigmoid" / name
    folder.mkdir()
    shutil.copy(source, folder / "activations.py")
    (folder / "mutant.yaml").write_text(definition)
    return folder


NAIVE = MUTANTS / "stable_sigmoid" / "naive_formula"
CLIPPED = MUTANTS / "stable_sigmoid" / "clipped_at_500"
REFERENCE = SOLUTIONS / "stable_sigmoid" / "activations.py"


def test_shipped_exercises_validate():
    result = run_cli("validate", "exercises/", "--jobs", "2", timeout=900)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Validation passed" in result.stdout
    rows = table_rows(result.stdout)
    assert len([name for name, _ in rows if name != "mutants caught"]) >= 30
    assert len([name for name, _ in rows if name == "mutants caught"]) == len(discover(EXERCISES))
    for name, cells in rows:
        assert not {"MISSED", "NO-HINT", "BROKEN", "FAILED", "NONE"} & set(cells), name


def test_every_exercise_has_six_mutants():
    for folder in discover(EXERCISES):
        exercise = load(folder)
        catalogue = load_catalogue(MUTANTS, exercise)
        assert len(catalogue.mutants) >= 6, exercise.name
        for mutant in catalogue.mutants:
            assert mutant.misconception.strip(), mutant.label


def test_missed_label_and_wrong_hint_fail(sigmoid_only: Path):
    add_mutant(
        sigmoid_only, "naive_formula", source=NAIVE / "activations.py",
        definition=(NAIVE / "mutant.yaml").read_text(),
    )
    add_mutant(
        sigmoid_only, "reference_copy", source=REFERENCE,
        definition="misconception: none\nfails:\n  - check: extreme_inputs\n    hint: naive_overflow\n",
    )
    add_mutant(
        sigmoid_only, "clipped_with_wrong_label", source=CLIPPED / "activations.py",
        definition="misconception: clips\nfails:\n  - check: extreme_inputs\n    hint: naive_overflow\n",
    )

    result = run_cli("validate", sigmoid_only / "exercises", "--runs", "1", "--jobs", "2")

    assert result.returncode == 1, result.stdout + result.stderr
    out = result.stdout
    assert "Validation FAILED" in out
    assert "stable_sigmoid/reference_copy: extreme_inputs gave full marks (passed), but the mutant must fail it" in out
    assert (
        "stable_sigmoid/clipped_with_wrong_label: extreme_inputs lost points (failed: sigmoid emitted a "
        "floating-point warning, so part of the computation overflowed or produced NaN) but showed the hint "
        "for 'overflow_float32' instead of the hint for 'naive_overflow'"
    ) in out
    assert "no mutant loses points on matches_reference" in out
    rows = dict(table_rows(out))
    assert rows["naive_formula"] == ["caught", "-", "caught*", "caught*", "ok"]
    assert rows["reference_copy"] == ["-", "-", "MISSED", "-", "FAILED"]
    assert rows["clipped_with_wrong_label"] == ["-", "-", "NO-HINT", "-", "FAILED"]
    assert rows["mutants caught"] == ["1", "NONE", "2", "1"]


def test_declared_uncovered_check_passes(sigmoid_only: Path):
    for name in ("naive_formula", "abs_without_sign"):
        source = MUTANTS / "stable_sigmoid" / name
        add_mutant(sigmoid_only, name, source=source / "activations.py", definition=(source / "mutant.yaml").read_text())
    (sigmoid_only / "mutants" / "stable_sigmoid" / "uncovered.yaml").write_text(
        "shape_and_dtype: covered elsewhere in this test\n"
    )

    result = run_cli("validate", sigmoid_only / "exercises", "--runs", "2", "--show", "naive_formula")

    assert result.returncode == 0, result.stdout + result.stderr
    assert "uncovered by design: shape_and_dtype: covered elsewhere in this test" in result.stdout
    assert "reference: full marks on 2 runs" in result.stdout
    assert "stub: 0 points, every check not implemented" in result.stdout
    assert "--- stable_sigmoid/naive_formula: Uses the textbook formula" in result.stdout
    assert "hint:     exp(-z) overflows for large negative z" in result.stdout


def test_check_without_mutant_or_reason_fails(sigmoid_only: Path):
    add_mutant(
        sigmoid_only, "naive_formula", source=NAIVE / "activations.py", definition=(NAIVE / "mutant.yaml").read_text()
    )
    result = run_cli("validate", sigmoid_only / "exercises", "--runs", "1", "--jobs", "1")
    assert result.returncode == 1
    assert "no mutant loses points on matches_reference; add a mutant that must fail it" in result.stdout
    assert dict(table_rows(result.stdout))["mutants caught"] == ["1", "NONE", "1", "1"]


def test_broken_reference_and_implemented_stub_fail(sigmoid_only: Path):
    shutil.copy(NAIVE / "activations.py", sigmoid_only / "solutions" / "stable_sigmoid" / "activations.py")
    shutil.copy(REFERENCE, sigmoid_only / "exercises" / "stable_sigmoid" / "activations.py")
    (sigmoid_only / "mutants" / "stable_sigmoid" / "uncovered.yaml").write_text(
        "".join(f"{name}: not under test\n" for name in
                ("shape_and_dtype", "matches_reference", "extreme_inputs", "symmetry_and_monotonicity"))
    )

    result = run_cli("validate", sigmoid_only / "exercises", "--runs", "1")

    assert result.returncode == 1
    assert "stable_sigmoid: the reference solution did not pass extreme_inputs on run 1 of 1 (failed:" in result.stdout
    assert "stable_sigmoid: the stub got passed on extreme_inputs, expected not_implemented" in result.stdout
    assert "reference: NOT full marks on 1 runs" in result.stdout


def test_mutant_naming_unknown_check_is_usage_error(sigmoid_only: Path):
    add_mutant(
        sigmoid_only, "typo", source=NAIVE / "activations.py",
        definition="misconception: x\nfails:\n  - check: extreme_input\n    hint: naive_overflow\n",
    )
    result = run_cli("validate", sigmoid_only / "exercises")
    assert result.returncode == 2
    assert "typo/mutant.yaml: field fails.0.check: stable_sigmoid has no check 'extreme_input'" in result.stderr
    assert "Traceback" not in result.stderr


def test_mutant_naming_unknown_hint_is_usage_error(sigmoid_only: Path):
    add_mutant(
        sigmoid_only, "typo", source=NAIVE / "activations.py",
        definition="misconception: x\nfails:\n  - check: extreme_inputs\n    hint: overflow\n",
    )
    result = run_cli("validate", sigmoid_only / "exercises")
    assert result.returncode == 2
    assert "field fails.0.hint: check extreme_inputs has no hint for 'overflow'" in result.stderr
    assert "(its hints: naive_overflow," in result.stderr


def test_mutant_without_definition_is_usage_error(sigmoid_only: Path):
    folder = sigmoid_only / "mutants" / "stable_sigmoid" / "bare"
    folder.mkdir()
    shutil.copy(NAIVE / "activations.py", folder / "activations.py")
    result = run_cli("validate", sigmoid_only / "exercises")
    assert result.returncode == 2
    assert "bare/mutant.yaml: not found" in result.stderr


def test_mutants_of_unknown_exercise_are_usage_error(sigmoid_only: Path):
    (sigmoid_only / "mutants" / "stable_sigmod").mkdir()
    result = run_cli("validate", sigmoid_only / "exercises")
    assert result.returncode == 2
    assert "stable_sigmod: no exercise named stable_sigmod" in result.stderr


def test_show_unknown_mutant_is_usage_error(sigmoid_only: Path):
    result = run_cli("validate", sigmoid_only / "exercises", "--show", "nobody")
    assert result.returncode == 2
    assert "--show: no mutant named nobody" in result.stderr


def test_reference_lines_exclude_docstrings_and_comments(tmp_path: Path):
    path = tmp_path / "reference.py"
    path.write_text(
        '"""Module docstring that is long enough to count."""\n'
        "def forward(X, params, activations):\n"
        '    """A docstring line that is long enough to count."""\n'
        "    # a comment that is long enough to count\n"
        "    return activations[0](params[0][0] @ X)\n"
    )
    assert _code_lines(path) == ["def forward(X, params, activations):", "return activations[0](params[0][0] @ X)"]


def batched_forward_checks():
    load(EXERCISES / "batched_forward")
    return sys.modules["grader_exercise_checks.batched_forward"]


def test_forward_models_differ_on_square_network():
    checks = batched_forward_checks()
    network = checks._square_network()
    outputs = {code: model() for code, model in checks._misconceptions(network).items()}
    outputs["correct"] = checks._run_layers(network, checks._documented_layer)
    for (first, a), (second, b) in itertools.combinations(outputs.items(), 2):
        assert not np.allclose(a, b), f"{first} and {second} give the same output"
