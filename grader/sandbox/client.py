"""The grader's side of the boundary: start a worker, send requests, survive it.

``WorkerClient`` owns one worker process.  Every request has a wall-clock
deadline; when the worker misses it, crashes or exits, the client kills its
whole process group and raises ``WorkerTimeout`` or ``WorkerDied``.  The next
request starts a fresh worker and loads the same student files again, so one
broken call costs only the checks that make it.
"""

from __future__ import annotations

import json
import logging
import os
import signal
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from grader.sandbox import codec, framing
from grader.sandbox.limits import Limits

logger = logging.getLogger(__name__)

_PACKAGE_PARENT = str(Path(__file__).resolve().parents[2])
_BOOTSTRAP = (
    "import sys; sys.path.insert(0, sys.argv.pop(1)); "
    "from grader.sandbox.worker import main; main(sys.argv)"
)
_WORKER_ENVIRONMENT = {
    "PATH": "/usr/local/bin:/usr/bin:/bin",
    "LANG": "C.UTF-8",
    "LC_ALL": "C.UTF-8",
    "OPENBLAS_NUM_THREADS": "1",
    "OMP_NUM_THREADS": "1",
    "MKL_NUM_THREADS": "1",
    "MPLBACKEND": "Agg",
}


class WorkerError(Exception):
    """The worker could not complete a request; ``output`` is its captured stdout and stderr."""

    def __init__(self, message: str, output: str = "") -> None:
        super().__init__(message)
        self.output = output


class WorkerTimeout(WorkerError):
    """The worker did not answer within the deadline and was killed."""

    def __init__(self, seconds: float, output: str = "") -> None:
        super().__init__(f"did not finish within {seconds:g} s", output)
        self.seconds = seconds


class WorkerDied(WorkerError):
    """The worker exited, crashed or broke the protocol during a request."""


@dataclass
class Reply:
    """The worker's answer to one request, decoded in the grader.

    ``status`` is ``ok`` (``value`` holds the result), ``raised`` (student code
    raised ``error_type`` with ``message``), ``missing`` (no such function or
    namespace) or ``unencodable`` (the result could not be encoded).
    """

    status: str
    value: Any = None
    error_type: str = ""
    message: str = ""
    traceback: str = ""
    warnings: list[tuple[str, str]] = field(default_factory=list)
    records: list[Any] = field(default_factory=list)
    memory: dict[str, codec.ArrayMemory] = field(default_factory=dict)
    seconds: float = 0.0
    #: For ``run_cells``: one ``CellResult`` per cell, in the order they ran.
    cells: list["CellResult"] = field(default_factory=list)


@dataclass
class CellResult:
    """The outcome of one notebook cell in the worker: ``ok``, ``raised`` or ``timeout``."""

    number: int
    status: str
    error_type: str = ""
    message: str = ""
    traceback: str = ""


class _OutputCapture(threading.Thread):
    """Drain the worker's stdout and stderr, keeping at most ``cap`` bytes."""

    def __init__(self, fd: int, cap: int) -> None:
        super().__init__(daemon=True)
        self.fd = fd
        self.cap = cap
        self.kept = bytearray()
        self.total = 0
        self.lock = threading.Lock()

    def run(self) -> None:
        try:
            while chunk := os.read(self.fd, 1 << 16):
                with self.lock:
                    self.total += len(chunk)
                    room = self.cap - len(self.kept)
                    if room > 0:
                        self.kept += chunk[:room]
        except OSError:
            pass
        finally:
            os.close(self.fd)

    def take(self) -> str:
        with self.lock:
            text = self.kept.decode("utf-8", errors="replace")
            if self.total > len(self.kept):
                text += f"\n[output truncated: {self.total} bytes printed, {self.cap} kept]"
            self.kept.clear()
            self.total = 0
        return text


class WorkerClient:
    """One worker process for one submission, restarted when student code breaks it."""

    def __init__(
        self,
        *,
        limits: Limits | None = None,
        scratch: Path,
        startup_timeout: float = 30.0,
        python: str = sys.executable,
    ) -> None:
        self.limits = limits or Limits()
        self.scratch = Path(scratch)
        self.startup_timeout = startup_timeout
        self.python = python
        self.process: subprocess.Popen | None = None
        self.loaded: list[tuple[str, dict]] = []
        self.starts = 0
        #: Seconds spent starting workers and waiting until they were ready, over all starts.
        self.start_seconds = 0.0
        self._request_fd = -1
        self._response_fd = -1
        self._output: _OutputCapture | None = None

    # Life cycle.

    def start(self) -> None:
        """Start a worker and wait until it has imported NumPy and is ready."""
        began = time.perf_counter()
        self.scratch.mkdir(parents=True, exist_ok=True)
        request_read, request_write = os.pipe()
        response_read, response_write = os.pipe()
        output_read, output_write = os.pipe()
        environment = dict(_WORKER_ENVIRONMENT, HOME=str(self.scratch), TMPDIR=str(self.scratch))
        command = [
            self.python, "-I", "-c", _BOOTSTRAP, _PACKAGE_PARENT,
            str(request_read), str(response_write), json.dumps(self.limits.to_dict()),
        ]
        try:
            self.process = subprocess.Popen(
                command,
                stdin=subprocess.DEVNULL,
                stdout=output_write,
                stderr=output_write,
                pass_fds=(request_read, response_write),
                cwd=self.scratch,
                env=environment,
                start_new_session=True,
            )
        finally:
            for fd in (request_read, response_write, output_write):
                os.close(fd)
        self._request_fd, self._response_fd = request_write, response_read
        self._output = _OutputCapture(output_read, self.limits.output_bytes)
        self._output.start()
        self.starts += 1

        header, _ = self._receive(self.startup_timeout, "start")
        if header.get("status") != "ready":
            self.kill()
            raise WorkerDied(f"worker sent {header.get('status')!r} instead of ready")
        self.start_seconds += time.perf_counter() - began
        logger.debug("worker %d started", self.process.pid)

        for namespace, request in list(self.loaded):
            reply = self._request(request, request["timeout"])
            if reply.status != "ok":
                raise WorkerDied(f"reloading {request['path']} after a restart failed: {reply.message}")

    def ensure_started(self) -> None:
        if self.process is None or self.process.poll() is not None:
            if self.process is not None:
                self.kill()
            self.start()

    def kill(self) -> None:
        """Kill the worker's whole process group and release its pipes."""
        process, self.process = self.process, None
        if process is None:
            return
        try:
            os.killpg(process.pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass
        try:
            process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            logger.error("worker %d did not die after SIGKILL", process.pid)
        for fd in (self._request_fd, self._response_fd):
            if fd >= 0:
                try:
                    os.close(fd)
                except OSError:
                    pass
        self._request_fd = self._response_fd = -1

    def close(self) -> None:
        if self.process is not None and self.process.poll() is None:
            try:
                framing.write_frame(self._request_fd, framing.pack({"op": "exit"}))
                self.process.wait(timeout=2)
            except (OSError, subprocess.TimeoutExpired):
                pass
        self.kill()

    def __enter__(self) -> "WorkerClient":
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def take_output(self) -> str:
        """Return what student code printed since the last call, truncated at the cap."""
        return self._output.take() if self._output else ""

    # Requests.

    def load_file(self, namespace: str, path: Path, timeout: float, module_name: str | None = None) -> Reply:
        """Import a student file into ``namespace``; remembered and replayed after restarts."""
        self.ensure_started()
        request = {"op": "load_file", "namespace": namespace, "path": str(path), "module_name": module_name}
        reply = self._request(request, timeout)
        if reply.status == "ok":
            self.loaded.append((namespace, dict(request, timeout=timeout)))
        return reply

    def run_cells(self, namespace: str, cells: list[tuple[int, str]], *, cell_timeout: float, timeout: float) -> Reply:
        """Run notebook cells ``(number, source)`` in order in a fresh ``namespace``.

        A cell that raises or exceeds ``cell_timeout`` seconds is reported in
        ``Reply.cells`` and the rest still run; ``timeout`` bounds the whole
        request.  Remembered and replayed after restarts, like ``load_file``.
        """
        self.ensure_started()
        request = {
            "op": "run_cells",
            "namespace": namespace,
            "cells": [{"number": number, "source": source} for number, source in cells],
            "cell_timeout": cell_timeout,
        }
        reply = self._request(request, timeout)
        if reply.status == "ok":
            self.loaded.append((namespace, dict(request, timeout=timeout)))
        return reply

    def lookup(self, namespace: str, names: list[str], timeout: float = 10.0) -> dict[str, str]:
        """Return, for each of ``names``, ``callable``, ``not_callable`` or ``missing`` in ``namespace``."""
        self.ensure_started()
        reply = self._request({"op": "lookup", "namespace": namespace, "names": list(names)}, timeout)
        found = reply.value if reply.status == "ok" and isinstance(reply.value, dict) else {}
        return {name: found.get(name) if found.get(name) in ("callable", "not_callable") else "missing" for name in names}

    def call(
        self,
        namespace: str,
        function: str,
        args: tuple | list = (),
        kwargs: dict | None = None,
        *,
        timeout: float,
        keep: str | None = None,
        return_result: bool = True,
    ) -> Reply:
        """Call ``function`` from ``namespace`` in the worker on ``args``."""
        self.ensure_started()
        payload, buffers = codec.encode_request_value([list(args), kwargs or {}])
        request = {
            "op": "call",
            "namespace": namespace,
            "function": function,
            "args": payload["items"][0],
            "kwargs": payload["items"][1],
            "keep": keep,
            "return_result": return_result,
        }
        return self._request(request, timeout, buffers)

    def stash(self, key: str, value: Any, timeout: float = 30.0) -> None:
        """Keep ``value`` inside the worker so later calls can pass ``StashRef(key)``."""
        self.ensure_started()
        tree, buffers = codec.encode_request_value(value)
        self._request({"op": "stash", "key": key, "value": tree}, timeout, buffers)

    def fetch(self, key: str, timeout: float = 30.0) -> Reply:
        """Return the value kept in the worker under ``key``, as it is now."""
        self.ensure_started()
        return self._request({"op": "fetch", "key": key}, timeout)

    def _request(self, request: dict, timeout: float, buffers: list[bytes] | tuple = ()) -> Reply:
        started = time.perf_counter()
        try:
            framing.write_frame(self._request_fd, framing.pack(request, buffers))
        except OSError as error:
            raise self._died(f"could not send the request ({error.strerror})") from None
        header, response_buffers = self._receive(timeout, request["op"])
        seconds = time.perf_counter() - started
        return self._decode_reply(header, response_buffers, seconds)

    def _receive(self, timeout: float, what: str) -> tuple[dict, list]:
        deadline = time.monotonic() + timeout
        try:
            return framing.read_frame(self._response_fd, deadline, self.limits.result_bytes)
        except framing.FrameTimeout:
            self.kill()
            logger.info("worker timed out after %g s during %s", timeout, what)
            raise WorkerTimeout(timeout, self._settle_output()) from None
        except framing.PeerClosed:
            raise self._died("") from None
        except framing.FrameError as error:
            self.kill()
            raise WorkerDied(f"sent an invalid response ({error})", self._settle_output()) from None

    def _decode_reply(self, header: dict, buffers: list, seconds: float) -> Reply:
        status = header.get("status")
        if status not in ("ok", "raised", "missing", "unencodable"):
            self.kill()
            raise WorkerDied(f"sent an unexpected status {status!r}", self._settle_output())
        value = None
        memory: dict[str, codec.ArrayMemory] = {}
        if "result" in header:
            try:
                value = codec.decode(header["result"], buffers)
            except codec.CodecError as error:
                self.kill()
                raise WorkerDied(f"sent a result that could not be decoded ({error})") from None
            memory = codec.array_memory(header["result"])
        return Reply(
            status=status,
            value=value,
            error_type=str(header.get("type", "")),
            message=str(header.get("message", "")),
            traceback=str(header.get("traceback", "")),
            warnings=[(str(w[0]), str(w[1])) for w in header.get("warnings", []) if isinstance(w, list) and len(w) == 2],
            records=header.get("records", []) if isinstance(header.get("records"), list) else [],
            memory=memory,
            seconds=seconds,
            cells=_decode_cells(header.get("cells")),
        )

    def _died(self, reason: str) -> WorkerDied:
        process = self.process
        code = None
        if process is not None:
            try:
                code = process.wait(timeout=2)
            except subprocess.TimeoutExpired:
                pass
        self.kill()
        output = self._settle_output()
        if code is None:
            description = "stopped responding"
        elif code < 0:
            description = f"was killed by signal {_signal_name(-code)}"
        else:
            description = f"exited with status {code}"
        if reason:
            description += f": {reason}"
        return WorkerDied(description, output)

    def _settle_output(self) -> str:
        if self._output is not None:
            self._output.join(timeout=1)
        return self.take_output()


def _decode_cells(entries: Any) -> list[CellResult]:
    """Read the worker's per-cell results, dropping malformed entries and capping text lengths."""
    if not isinstance(entries, list):
        return []
    cells = []
    for entry in entries:
        if not isinstance(entry, dict) or not isinstance(entry.get("number"), int):
            continue
        status = entry.get("status")
        if status not in ("ok", "raised", "timeout"):
            continue
        cells.append(
            CellResult(
                number=entry["number"],
                status=status,
                error_type=str(entry.get("type", ""))[:200],
                message=str(entry.get("message", ""))[:2000],
                traceback=str(entry.get("traceback", ""))[:4000],
            )
        )
    return cells


def _signal_name(number: int) -> str:
    try:
        return signal.Signals(number).name
    except ValueError:
        return str(number)
