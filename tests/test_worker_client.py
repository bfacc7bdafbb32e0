"""A real worker process: calls, failures of every kind, restarts and captured output."""

from __future__ import annotations

import time
from pathlib import Path

import numpy as np
import pytest

from grader.sandbox.client import WorkerClient, WorkerDied, WorkerTimeout
from grader.sandbox.codec import CallableRef, Opaque, StashRef
from grader.sandbox.limits import Limits

STUDENT_MODULE = '''
import os, signal, sys, time
import numpy as np

print("imported")

def double(x):
    return 2 * x

def spin():
    while True:
        pass

def leave(code):
    os._exit(code)

def kill_self():
    os.kill(os.getpid(), signal.SIGKILL)

def exit_politely():
    sys.exit(0)

def shout(n):
    sys.stdout.write("x" * n)
    return n

def overflow():
    return np.exp(np.array([1000.0]))

def apply(f, x):
    return f(x)

def scale_in_place(x):
    x *= 3
    return None

def not_yet():
    raise NotImplementedError

def opaque():
    return object()
'''


@pytest.fixture
def worker(tmp_path: Path):
    module = tmp_path / "student.py"
    module.write_text(STUDENT_MODULE)
    client = WorkerClient(limits=Limits(output_bytes=1000), scratch=tmp_path / "scratch")
    client.start()
    reply = client.load_file("student", module, timeout=20)
    assert reply.status == "ok"
    yield client
    client.close()


def test_call_returns_the_decoded_result(worker):
    reply = worker.call("student", "double", (np.arange(3.0),), timeout=5)
    assert reply.status == "ok"
    assert np.array_equal(reply.value, [0.0, 2.0, 4.0])


def test_import_output_is_captured(worker):
    # The output pipe is drained by a thread, so give it a moment to catch up.
    output = ""
    deadline = time.monotonic() + 5
    while "imported" not in output and time.monotonic() < deadline:
        output += worker.take_output()
        time.sleep(0.05)
    assert "imported" in output


def test_raised_exception_is_described(worker):
    reply = worker.call("student", "double", (None,), timeout=5)
    assert reply.status == "raised"
    assert reply.error_type == "TypeError"
    assert "student.py" in reply.traceback


def test_not_implemented_is_reported_by_type(worker):
    reply = worker.call("student", "not_yet", timeout=5)
    assert reply.error_type == "NotImplementedError"


def test_sys_exit_is_an_exception(worker):
    reply = worker.call("student", "exit_politely", timeout=5)
    assert reply.status == "raised"
    assert reply.error_type == "SystemExit"
    assert worker.starts == 1


def test_missing_function_is_reported(worker):
    reply = worker.call("student", "no_such_function", timeout=5)
    assert reply.status == "missing"


def test_hang_times_out_then_restarts(worker):
    started = time.monotonic()
    with pytest.raises(WorkerTimeout):
        worker.call("student", "spin", timeout=0.5)
    assert time.monotonic() - started < 5
    reply = worker.call("student", "double", (21,), timeout=20)
    assert reply.value == 42
    assert worker.starts == 2


def test_exit_status_is_reported(worker):
    with pytest.raises(WorkerDied, match="exited with status 7"):
        worker.call("student", "leave", (7,), timeout=5)


def test_signal_death_is_reported(worker):
    with pytest.raises(WorkerDied, match="SIGKILL"):
        worker.call("student", "kill_self", timeout=5)
    assert worker.call("student", "double", (1,), timeout=20).value == 2


def test_output_is_truncated_at_the_cap(worker):
    worker.take_output()
    worker.call("student", "shout", (50_000,), timeout=5)
    deadline = time.monotonic() + 5
    while worker._output.total < 50_000 and time.monotonic() < deadline:
        time.sleep(0.05)
    output = worker.take_output()
    assert output.startswith("x" * 1000)
    assert "truncated" in output
    assert len(output) < 1200


def test_floating_point_warnings_are_recorded(worker):
    reply = worker.call("student", "overflow", timeout=5)
    assert reply.warnings == [("RuntimeWarning", "overflow encountered in exp")]


def test_grader_callables_are_rebuilt_in_the_worker(worker):
    reply = worker.call("student", "apply", (CallableRef("relu"), np.array([-1.0, 2.0])), timeout=5)
    assert np.array_equal(reply.value, [0.0, 2.0])


def test_unknown_objects_come_back_opaque(worker):
    reply = worker.call("student", "opaque", timeout=5)
    assert isinstance(reply.value, Opaque)


def test_stash_shows_in_place_changes(worker):
    worker.stash("x", np.ones(3))
    worker.call("student", "scale_in_place", (StashRef("x"),), timeout=5)
    assert np.array_equal(worker.fetch("x").value, [3.0, 3.0, 3.0])


def test_worker_environment_is_minimal(tmp_path: Path, monkeypatch):
    monkeypatch.setenv("GRADER_SECRET_TOKEN", "hunter2")
    module = tmp_path / "env.py"
    module.write_text("import os\ndef environment():\n    return dict(os.environ)\n")
    with WorkerClient(scratch=tmp_path / "scratch") as client:
        client.start()
        client.load_file("env", module, timeout=20)
        environment = client.call("env", "environment", timeout=5).value
    assert "GRADER_SECRET_TOKEN" not in environment
    assert environment["OPENBLAS_NUM_THREADS"] == "1"
