"""The worker process: import student code and call it on request.

Run as ``python -I -m grader.sandbox.worker REQUEST_FD RESPONSE_FD LIMITS_JSON``.
Requests and responses are frames (``framing.py``) on two private pipes; the
worker's stdout and stderr belong to student code and are captured by the
grader.  The worker computes no verdict: it returns what student code
returned, raised or warned, and the grader judges.  Each response repeats its
request's ``id``, so the grader notices frames written out of turn.

Student code may leave objects whose ``__del__`` hangs.  The worker drops its
references to the result, the arguments and any exception before it sends
the response, so such a hang delays the request that caused it, not a later
one.
"""

from __future__ import annotations

import builtins
import ctypes
import gc
import importlib.util
import json
import linecache
import os
import signal
import sys
import time
import traceback
import warnings
from typing import Any

import numpy as np

from grader.sandbox import callables, codec, framing, limits

PR_SET_PDEATHSIG = 1
MAX_MESSAGE_CHARS = 2000
MAX_WARNINGS = 20


class Worker:
    def __init__(self, request_fd: int, response_fd: int) -> None:
        self.request_fd = request_fd
        self.response_fd = response_fd
        self.namespaces: dict[str, dict[str, Any]] = {}
        self.student_files: set[str] = set()
        self.stash: dict[str, Any] = {}
        self.recorders: list[callables.RecordingNetwork] = []
        self.request_id: Any = None
        self.pid = os.getpid()

    def serve(self) -> None:
        self.send({"status": "ready", "pid": os.getpid()})
        while True:
            try:
                header, buffers = framing.read_frame_blocking(self.request_fd)
            except framing.PeerClosed:
                return
            self.request_id = header.get("id")
            op = header.get("op")
            if op == "exit":
                return
            handler = getattr(self, f"op_{op}", None)
            if handler is None:
                self.send({"status": "protocol_error", "message": f"unknown op {op!r}"})
                continue
            handler(header, buffers)

    def send(self, header: dict, buffers: list[bytes] | tuple = ()) -> None:
        if os.getpid() != self.pid:
            os._exit(0)  # a child that student code forked got back here, and only the worker may respond
        _flush_student_output()
        framing.write_frame(self.response_fd, framing.pack(dict(header, id=self.request_id), buffers))

    # Loading student code.

    def op_load_file(self, header: dict, buffers: list) -> None:
        path = header["path"]
        namespace = header["namespace"]
        folder = os.path.dirname(os.path.abspath(path))
        if folder not in sys.path:
            sys.path.insert(0, folder)
        self.student_files.add(os.path.abspath(path))
        module_name = header.get("module_name") or os.path.splitext(os.path.basename(path))[0]
        failure = None
        try:
            spec = importlib.util.spec_from_file_location(module_name, path)
            if spec is None or spec.loader is None:
                raise ImportError(f"cannot load {path}")
            module = importlib.util.module_from_spec(spec)
            sys.modules[module_name] = module
            spec.loader.exec_module(module)
        except BaseException as error:  # noqa: BLE001 - student code may raise anything
            sys.modules.pop(module_name, None)
            failure = self.describe_exception(error)
        if failure is not None:
            _collect_garbage()
            self.send(failure)
            return
        self.namespaces[namespace] = vars(module)
        self.send({"status": "ok"})

    def op_run_cells(self, header: dict, buffers: list) -> None:
        """Run notebook cells in order in one namespace, as Jupyter would.

        Each cell compiles under the file name ``<cell N>`` so that tracebacks
        name it.  A cell that raises or runs past ``cell_timeout`` seconds is
        recorded, and the cells after it still run.  The reply lists every
        cell's result; the grader decides what each means.
        """
        namespace: dict[str, Any] = {"__name__": "__main__", "__builtins__": builtins, "display": _display}
        self.namespaces[header["namespace"]] = namespace
        cell_timeout = float(header.get("cell_timeout") or 0)
        results = []
        for cell in header["cells"]:
            number, source = int(cell["number"]), str(cell["source"])
            filename = f"<cell {number}>"
            linecache.cache[filename] = (len(source), None, source.splitlines(keepends=True), filename)
            try:
                code = compile(source, filename, "exec")
                with _time_limit(cell_timeout):
                    exec(code, namespace)
            except CellTimeout:
                results.append({"number": number, "status": "timeout", "seconds": cell_timeout})
            except BaseException as error:  # noqa: BLE001 - student code may raise anything
                results.append(dict(self.describe_exception(error), number=number))
            else:
                results.append({"number": number, "status": "ok"})
        self.send({"status": "ok", "cells": results})

    # Calling student code.

    def op_lookup(self, header: dict, buffers: list) -> None:
        """Say for each requested name whether the namespace defines it as a callable."""
        namespace = self.namespaces.get(header["namespace"])
        if namespace is None:
            self.send({"status": "missing", "message": f"namespace {header['namespace']!r} is not loaded"})
            return
        found = {}
        for name in header["names"]:
            value = namespace.get(name)
            if value is None:
                found[name] = "missing"
            elif callable(value):
                found[name] = "callable"
            else:
                found[name] = "not_callable"
        self.send({"status": "ok", "result": {"$": "dict", "items": [[name, kind] for name, kind in found.items()]}})

    def op_call(self, header: dict, buffers: list) -> None:
        namespace = self.namespaces.get(header["namespace"])
        if namespace is None:
            self.send({"status": "missing", "message": f"namespace {header['namespace']!r} is not loaded"})
            return
        function = namespace.get(header["function"])
        if function is None or not callable(function):
            self.send({"status": "missing", "message": f"no function named {header['function']!r}"})
            return

        self.recorders = []
        args = self.decode(header.get("args", {"$": "list", "items": []}), buffers)
        kwargs = self.decode(header.get("kwargs", {"$": "dict", "items": []}), buffers)
        failure = None
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            started = time.perf_counter()
            try:
                result = function(*args, **kwargs)
            except BaseException as error:  # noqa: BLE001 - student code may raise anything
                failure = self.describe_exception(error)
            elapsed = time.perf_counter() - started
        del args, kwargs, function
        if failure is not None:
            failure["warnings"] = self.describe_warnings(caught)
            del caught
            _collect_garbage()
            self.send(failure)
            return

        keep = header.get("keep")
        if keep:
            self.stash[keep] = result
        response: dict[str, Any] = {
            "status": "ok",
            "warnings": self.describe_warnings(caught),
            "records": [recorder.calls for recorder in self.recorders],
            "worker_seconds": elapsed,
        }
        del caught
        buffers: list[bytes] | tuple = ()
        if header.get("return_result", True):
            response, buffers = self.encode_value(response, result)
        del result
        _collect_garbage()
        self.send(response, buffers)

    def op_stash(self, header: dict, buffers: list) -> None:
        self.stash[header["key"]] = self.decode(header["value"], buffers)
        self.send({"status": "ok"})

    def op_fetch(self, header: dict, buffers: list) -> None:
        if header["key"] not in self.stash:
            self.send({"status": "missing", "message": f"nothing stashed under {header['key']!r}"})
            return
        self.send(*self.encode_value({"status": "ok"}, self.stash[header["key"]]))

    def op_drop(self, header: dict, buffers: list) -> None:
        for key in header.get("keys", []):
            self.stash.pop(key, None)
        self.send({"status": "ok"})

    # Helpers.

    def decode(self, tree: Any, buffers: list) -> Any:
        return codec.decode(tree, buffers, resolve_callable=self.build_callable, resolve_stash=self.stash.__getitem__)

    def build_callable(self, name: str, params: Any) -> Any:
        built = callables.build(name, params)
        if isinstance(built, callables.RecordingNetwork):
            self.recorders.append(built)
        return built

    def encode_value(self, response: dict, value: Any) -> tuple[dict, list[bytes] | tuple]:
        """Return ``response`` with ``value`` encoded into it, and the buffers to send along."""
        try:
            tree, value_buffers = codec.encode(value)
        except BaseException as error:  # noqa: BLE001 - encoding walks student objects
            return {"status": "unencodable", "message": _safe_text(error)}, ()
        return dict(response, result=tree), value_buffers

    def describe_exception(self, error: BaseException) -> dict:
        return {
            "status": "raised",
            "type": type(error).__name__[:200],
            "message": _safe_text(error),
            "traceback": self.student_traceback(error),
        }

    def student_traceback(self, error: BaseException) -> str:
        try:
            frames = [
                frame
                for frame in traceback.extract_tb(error.__traceback__)
                if os.path.abspath(frame.filename) in self.student_files or frame.filename.startswith("<cell")
            ]
            for frame in frames:
                frame.filename = os.path.basename(frame.filename)
            lines = traceback.format_list(frames[-6:])
            return "".join(lines)[-4000:]
        except BaseException:  # noqa: BLE001
            return ""

    @staticmethod
    def describe_warnings(caught: list) -> list[list[str]]:
        described = []
        for item in caught[:MAX_WARNINGS]:
            try:
                described.append([item.category.__name__[:100], str(item.message)[:300]])
            except BaseException:  # noqa: BLE001
                described.append(["Warning", "(unprintable warning)"])
        return described


class CellTimeout(BaseException):
    """A notebook cell ran longer than its time limit."""


class _time_limit:
    """Raise CellTimeout in the main thread after ``seconds`` of wall-clock time (0: no limit)."""

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds

    def __enter__(self) -> None:
        if self.seconds > 0:
            signal.signal(signal.SIGALRM, self._expire)
            signal.setitimer(signal.ITIMER_REAL, self.seconds)

    def __exit__(self, *exc_info: object) -> None:
        if self.seconds > 0:
            signal.setitimer(signal.ITIMER_REAL, 0)
            signal.signal(signal.SIGALRM, signal.SIG_DFL)

    @staticmethod
    def _expire(signum: int, frame: object) -> None:
        raise CellTimeout()


def _display(*objects: Any, **options: Any) -> None:
    """Print each object, standing in for IPython's ``display`` outside Jupyter."""
    for item in objects:
        print(repr(item))


def _collect_garbage() -> None:
    """Run finalizers of student objects now, inside the request that made them.

    Only the two young generations are collected, which takes microseconds.
    A full collection took about 2 ms with NumPy 2.4 loaded, measured on a
    2-core machine, and a submission makes hundreds of calls.
    NOTE: a reference cycle that a call promotes to the oldest generation
    is finalized during some later request instead.
    """
    try:
        gc.collect(1)
    except BaseException:  # noqa: BLE001 - a student's __del__ may raise anything
        pass


def _close_inherited_fds(keep: tuple[int, ...]) -> None:
    """Close every descriptor but stdin, stdout, stderr and ``keep``, whatever the launcher left open."""
    highest = os.sysconf("SC_OPEN_MAX")
    start = 3
    for fd in sorted(keep):
        os.closerange(start, fd)
        start = fd + 1
    os.closerange(start, highest)


def _die_with_parent() -> None:
    """Ask Linux to kill this process when its parent dies, so a crashed grader leaves no worker behind."""
    try:
        ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    except (OSError, AttributeError):
        pass  # not Linux: the worker still exits when its request pipe closes


def _flush_student_output() -> None:
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except BaseException:  # noqa: BLE001 - student code may have replaced the stream
            pass


def _safe_text(error: BaseException) -> str:
    try:
        text = str(error)
    except BaseException:  # noqa: BLE001 - a student's __str__ may raise
        text = "(the exception's message could not be printed)"
    return text[:MAX_MESSAGE_CHARS]


def main(argv: list[str]) -> None:
    request_fd, response_fd = int(argv[1]), int(argv[2])
    settings = json.loads(argv[3]) if len(argv) > 3 else {}
    _close_inherited_fds((request_fd, response_fd))
    _die_with_parent()
    limits.apply(limits.Limits(**settings))
    np.seterr(all="warn", under="ignore")
    os.set_inheritable(request_fd, False)
    os.set_inheritable(response_fd, False)
    Worker(request_fd, response_fd).serve()
    os._exit(0)


if __name__ == "__main__":
    main(sys.argv)
