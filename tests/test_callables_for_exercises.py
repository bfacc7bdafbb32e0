"""Grader callables that the exercises pass into the worker: generators, dtypes, probes, recorders."""

import random

import numpy as np
import pytest

from grader.sandbox import callables
from grader.sandbox.client import WorkerClient
from grader.sandbox.codec import CallableRef


def test_random_generator_is_seeded():
    first = callables.build("random_generator", {"seed": 5}).standard_normal(3)
    second = callables.build("random_generator", {"seed": 5}).standard_normal(3)

    assert first.tobytes() == second.tobytes()


def test_numpy_type_returns_scalar_type():
    assert callables.build("numpy_type", "float32") is np.float32


def test_numpy_type_rejects_unknown_name():
    with pytest.raises(KeyError, match="numpy_type 'object'"):
        callables.build("numpy_type", "object")


def test_global_random_state_sees_numpy_draw():
    before = callables.global_random_state()
    np.random.standard_normal()
    after = callables.global_random_state()

    assert before["numpy"] != after["numpy"]
    assert before["python"] == after["python"]


def test_global_random_state_sees_python_draw():
    before = callables.global_random_state()
    random.random()
    after = callables.global_random_state()

    assert before["python"] != after["python"]


def test_global_random_state_ignores_generator():
    before = callables.global_random_state()
    np.random.default_rng(0).standard_normal(10)
    after = callables.global_random_state()

    assert before == after


def test_recording_network_fingerprints_inputs():
    network = callables.RecordingNetwork([(np.eye(2), np.zeros(2))], ["identity"], fingerprints=True)

    network(np.array([[1.0, 2.0], [3.0, 4.0]]))
    network(np.array([[2.0], [4.0]]))

    assert network.calls == [
        {"shape": [2, 2], "first": 1.0, "last": 4.0},
        {"shape": [2, 1], "first": 2.0, "last": 4.0},
    ]


def test_recording_network_batch_offset_applies_to_batches_only():
    network = callables.RecordingNetwork([(np.eye(2), np.zeros(2))], ["identity"], batch_offset=0.5)
    X = np.arange(6.0).reshape(2, 3)

    batched = network(X)
    single = network(X[:, [1]])

    assert np.array_equal(batched, X + callables.batch_offset_pattern((2, 3), 0.5))
    assert np.array_equal(single, X[:, [1]])


def test_batch_offset_pattern_largest_magnitude_is_negative():
    pattern = callables.batch_offset_pattern((3, 7), 0.25)

    assert pattern.min() == pytest.approx(-0.25)
    assert pattern.max() == pytest.approx(0.05)


def test_stashed_probe_snapshots_worker_state(tmp_path):
    with WorkerClient(scratch=tmp_path) as worker:
        worker.stash("before", CallableRef("global_random_state"))
        worker.stash("again", CallableRef("global_random_state"))
        before = worker.fetch("before").value
        again = worker.fetch("again").value

    assert set(before) == {"numpy", "python"}
    assert before == again
