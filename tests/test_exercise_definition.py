"""exercise.yaml is validated before any student code runs, and errors name the file and field."""

from __future__ import annotations

from pathlib import Path

import pytest

from grader.exercise import ExerciseError, discover, load
from conftest import EXERCISES


def test_shipped_exercises_load():
    exercises = [load(folder) for folder in discover(EXERCISES)]
    names = {exercise.name for exercise in exercises}
    assert {"stable_sigmoid", "batched_forward"} <= names
    for exercise in exercises:
        assert exercise.max_score > 0


def test_exponent_without_dot_is_number(exercises_copy: Path):
    path = exercises_copy / "stable_sigmoid" / "exercise.yaml"
    path.write_text(path.read_text().replace("rtol: 1.0e-9", "rtol: 1e-9"))
    assert load(path.parent).tolerance("float64").rtol == 1e-9


def test_invalid_yaml_names_the_file(exercises_copy: Path):
    path = exercises_copy / "stable_sigmoid" / "exercise.yaml"
    path.write_text("title: [unclosed\n")
    with pytest.raises(ExerciseError, match=r"stable_sigmoid/exercise.yaml: invalid YAML"):
        load(path.parent)


def test_wrong_field_type_names_the_field(exercises_copy: Path):
    path = exercises_copy / "stable_sigmoid" / "exercise.yaml"
    path.write_text(path.read_text().replace("points: 2\n", "points: two\n", 1))
    with pytest.raises(ExerciseError, match=r"field checks\.0\.points: 'two' is not of type 'number'"):
        load(path.parent)


def test_unknown_field_is_rejected(exercises_copy: Path):
    path = exercises_copy / "stable_sigmoid" / "exercise.yaml"
    path.write_text(path.read_text() + "timeout: 3\n")
    with pytest.raises(ExerciseError, match="Additional properties are not allowed"):
        load(path.parent)


def test_check_without_a_function_is_named(exercises_copy: Path):
    path = exercises_copy / "stable_sigmoid" / "exercise.yaml"
    path.write_text(path.read_text().replace("name: extreme_inputs", "name: extreme_values"))
    with pytest.raises(ExerciseError, match="check 'extreme_values' has no function"):
        load(path.parent)


def test_missing_exercises_folder_is_reported(tmp_path: Path):
    with pytest.raises(ExerciseError, match="exercises folder not found"):
        discover(tmp_path / "nowhere")


def test_folder_without_exercises_is_reported(tmp_path: Path):
    with pytest.raises(ExerciseError, match="no exercise folders"):
        discover(tmp_path)
