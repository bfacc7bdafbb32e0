"""The grader's side of the boundary: start a worker, send requests, survive it.

``WorkerClient`` owns one worker process.  Every request has a wall-clock
deadline; when the worker misses it, crashes or exits, the client kills its
whole process group and raises ``WorkerTimeout`` or ``WorkerDied``.  The next
request starts a fresh worker, which loads again only the student module that
request needs, so one broken call costs only the checks that make it.

How the worker is confined depends on the ``Isolation`` level (see
``levels.py``): at ``process`` it is a plain child process, and at
``namespace`` and ``bwrap`` it starts through ``launch.py``.  Every string the
worker sends is passed through ``printable`` before anyone shows it.
"""

from __future__ import annotations

import json
import logging
import math
import os
import re
import select
import shutil
import signal
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from grader.sandbox import codec, framing, levels
from grader.sandbox.levels import Isolation
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


class WorkerStartError(WorkerError):
    """The worker could not be started; the grader or its sandbox is at fault, not student code."""


class WorkerTimeout(WorkerError):
    """The worker sent no response within the deadline and was killed."""

    def __init__(self, seconds: float, output: str = "") -> None:
        super().__init__(f"did not finish within {seconds:g} s", output)
        self.seconds = seconds


class WorkerDied(WorkerError):
    """The worker exited, crashed or broke the protocol during a request."""


_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def printable(text: str) -> str:
    """Escape control characters except newline and tab, so text from student code cannot
    move the cursor, clear the screen or overwrite lines of the grader's summary."""
    return _CONTROL.sub(lambda match: f"\\x{ord(match.group()):02x}", text)


@dataclass
class Reply:
    """The worker's response to one request, decoded in the grader.

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


class _OutputCapture:
    """The worker's stdout and stderr, read by the client while it waits, keeping at most ``cap`` bytes.

    Reading happens in the thread that sends requests, and the worker flushes
    its streams before it sends a response, so what a request printed has
    arrived by the time its response has.
    """

    def __init__(self, fd: int, cap: int) -> None:
        os.set_blocking(fd, False)
        self.fd = fd
        self.cap = cap
        self.kept = bytearray()
        self.total = 0

    def drain(self) -> bool:
        """Read whatever is waiting in the pipe; returns False once the pipe is closed."""
        while self.fd >= 0:
            try:
                chunk = os.read(self.fd, 1 << 16)
            except BlockingIOError:
                return True
            except OSError:
                chunk = b""
            if not chunk:
                self.close()
                return False
            self.total += len(chunk)
            room = self.cap - len(self.kept)
            if room > 0:
                self.kept += chunk[:room]
        return False

    def settle(self, seconds: float) -> None:
        """Read until every writer has closed the pipe, for at most ``seconds``, then close it."""
        deadline = time.monotonic() + seconds
        poller = select.poll()
        if self.fd >= 0:
            poller.register(self.fd, select.POLLIN | select.POLLHUP)
        while self.drain():
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                break
            poller.poll(math.ceil(remaining * 1000))
        self.close()

    def close(self) -> None:
        if self.fd >= 0:
            os.close(self.fd)
            self.fd = -1

    def take(self) -> str:
        self.drain()
        text = printable(self.kept.decode("utf-8", errors="replace"))
        if self.total > len(self.kept):
            text += f"\n[output truncated: {self.total} bytes printed, {self.cap} kept]"
        self.kept.clear()
        self.total = 0
        return text


class WorkerClient:
    """One worker process for one submission, restarted when student code breaks it.

    ``isolation`` sets how the worker is confined (level ``process`` when
    None).  ``readable`` lists folders that student code may read at the
    confined levels, such as the submission.  The worker reads a copy of each,
    made when the first worker starts and mounted at the folder's own path.
    The copy keeps symbolic links as links, so a link cannot pull in a file
    from outside.  A module outside these folders is copied on its own.
    """

    def __init__(
        self,
        *,
        limits: Limits | None = None,
        scratch: Path,
        startup_timeout: float = 30.0,
        python: str = sys.executable,
        isolation: Isolation | None = None,
        readable: tuple[Path, ...] | list[Path] = (),
    ) -> None:
        self.limits = limits or Limits()
        self.scratch = Path(scratch)
        self.startup_timeout = startup_timeout
        self.python = python
        self.isolation = isolation or Isolation("process")
        self.readable = tuple(Path(path).resolve() for path in readable)
        self.process: subprocess.Popen | None = None
        #: Load requests that succeeded, by namespace; a fresh worker repeats one before its first use.
        self.loaded: dict[str, dict] = {}
        self.starts = 0
        self._live_namespaces: set[str] = set()
        #: Seconds spent starting workers and waiting until they were ready, over all starts.
        self.start_seconds = 0.0
        self._request_fd = -1
        self._response_fd = -1
        self._request_id = 0
        self._output: _OutputCapture | None = None
        self._spare: _Spawned | None = None
        self._spawned = 0
        #: Copies of modules that lie outside ``readable``, which the worker may read.
        self._modules = self.scratch / "modules"
        self._copies: list[tuple[Path, Path]] | None = None

    # Life cycle.

    def start(self) -> None:
        """Make a worker the active one and wait until it has imported NumPy and is ready.

        The spare started after an earlier failure is used when there is one.
        Raises WorkerStartError when the worker does not get that far, which
        no student code can cause because none has been loaded yet.
        """
        began = time.perf_counter()
        spawned, self._spare = self._spare, None
        if spawned is None or spawned.process.poll() is not None:
            if spawned is not None:
                _discard(spawned)
            spawned = self._spawn()
        self.process, self._output = spawned.process, spawned.output
        self._request_fd, self._response_fd = spawned.request_fd, spawned.response_fd
        self._live_namespaces = set()
        self.starts += 1

        try:
            header, _ = self._receive(self.startup_timeout, "start")
        except WorkerError as error:
            raise WorkerStartError(f"the worker did not start ({error}): {error.output.strip()[-500:]}") from None
        if header.get("status") != "ready":
            self.kill()
            raise WorkerStartError(f"the worker sent {header.get('status')!r} instead of ready")
        self.start_seconds += time.perf_counter() - began
        logger.debug("worker %d started at isolation level %s", self.process.pid, self.isolation.level)
        if self.starts > 1:
            # This submission has broken a worker once and may do it again, so
            # start the next worker now, while this one serves requests.
            self._spare = self._spawn()

    def prestart(self) -> None:
        """Start a worker process without waiting for it; the next request makes it the active one.

        The process imports NumPy while the caller does other work, so the
        first request waits less.  Does nothing while a worker is active.
        """
        if self.process is None and self._spare is None:
            self._spare = self._spawn()

    def _spawn(self) -> "_Spawned":
        """Start a worker process in a scratch folder of its own, without waiting for it."""
        self._spawned += 1
        scratch = self.scratch / f"worker-{self._spawned}"
        scratch.mkdir(parents=True, exist_ok=True)
        self._modules.mkdir(exist_ok=True)

        request_read, request_write = os.pipe()
        response_read, response_write = os.pipe()
        output_read, output_write = os.pipe()
        environment = dict(_WORKER_ENVIRONMENT, HOME=str(scratch), TMPDIR=str(scratch))
        command = [
            self.python, "-I", "-c", _BOOTSTRAP, _PACKAGE_PARENT,
            str(request_read), str(response_write), json.dumps(self.limits.to_dict()),
        ]
        if self.isolation.confined:
            plan = levels.build_plan(
                self.isolation.level,
                scratch=scratch,
                readable=(*self._readable_copies(), (self._modules, self._modules)),
                command=command,
                environment=environment,
                limits=self.limits.rlimits(),
                pass_fds=(request_read, response_write),
            )
            command = levels.launcher_command(plan)

        try:
            process = subprocess.Popen(
                command,
                stdin=subprocess.DEVNULL,
                stdout=output_write,
                stderr=output_write,
                pass_fds=(request_read, response_write),
                cwd=scratch,
                env=environment,
                start_new_session=True,
            )
        except OSError as error:
            for fd in (request_write, response_read, output_read):
                os.close(fd)
            raise WorkerStartError(f"could not start the worker: {error}") from None
        finally:
            for fd in (request_read, response_write, output_write):
                os.close(fd)

        os.set_blocking(request_write, False)
        output = _OutputCapture(output_read, self.limits.output_bytes)
        return _Spawned(process, request_write, response_read, output)

    def ensure_started(self) -> None:
        if self.process is None or self.process.poll() is not None:
            if self.process is not None:
                self.kill()
            self.start()

    def kill(self) -> None:
        """Kill the worker's whole process group and release its pipes.

        At the confined levels, killing the launcher also ends the worker's
        PID namespace, so processes that left the group die too.
        """
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
        if self._spare is not None:
            _discard(self._spare)
            self._spare = None
        if self.process is not None and self.process.poll() is None:
            try:
                framing.write_frame_until(self._request_fd, framing.pack({"op": "exit"}), time.monotonic() + 1)
                self.process.wait(timeout=2)
            except (OSError, framing.FrameTimeout, subprocess.TimeoutExpired):
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
        """Import a student file into ``namespace``; remembered and repeated after restarts."""
        self.ensure_started()
        request = {
            "op": "load_file", "namespace": namespace,
            "path": str(self._visible_path(namespace, Path(path))), "module_name": module_name,
        }
        reply = self._request(request, timeout)
        if reply.status == "ok":
            self.loaded[namespace] = dict(request, timeout=timeout)
            self._live_namespaces.add(namespace)
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
            self.loaded[namespace] = dict(request, timeout=timeout)
            self._live_namespaces.add(namespace)
        return reply

    def lookup(self, namespace: str, names: list[str], timeout: float = 10.0) -> dict[str, str]:
        """Return, for each of ``names``, ``callable``, ``not_callable`` or ``missing`` in ``namespace``."""
        self.ensure_started()
        self._reload(namespace)
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
        self._reload(namespace)
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

    def _reload(self, namespace: str) -> None:
        """Load ``namespace`` into a fresh worker, as it was loaded into the one before."""
        request = self.loaded.get(namespace)
        if request is None or namespace in self._live_namespaces:
            return
        module = Path(request["path"]).name if "path" in request else "the notebook's cells"
        try:
            reply = self._request(request, request["timeout"])
        except WorkerTimeout as error:
            raise WorkerDied(
                f"had to be restarted, and importing {module} again did not finish within {error.seconds:g} s",
                error.output,
            ) from None
        except WorkerDied as error:
            raise WorkerDied(f"had to be restarted, and importing {module} again failed: {error}", error.output) from None
        if reply.status != "ok":
            raise WorkerDied(
                f"had to be restarted, and importing {module} again failed with {reply.error_type}: {reply.message}"
            )
        self._live_namespaces.add(namespace)

    def _readable_copies(self) -> list[tuple[Path, Path]]:
        """Copy each readable folder into the scratch folder once; returns (copy, original) pairs."""
        if self._copies is None:
            self._copies = []
            for index, folder in enumerate(self.readable):
                copy = self.scratch / "readable" / str(index)
                shutil.copytree(folder, copy, symlinks=True, ignore=self._skip_when_copying)
                _open_permissions(copy)
                self._copies.append((copy, folder))
        return self._copies

    def _skip_when_copying(self, folder: str, names: list[str]) -> set[str]:
        """Skip the scratch folder itself, caches, and anything but files, folders and links."""
        skipped = set()
        for name in names:
            path = Path(folder) / name
            if path == self.scratch or name == "__pycache__":
                skipped.add(name)
            elif not (path.is_symlink() or path.is_file() or path.is_dir()):
                skipped.add(name)
        return skipped

    def _visible_path(self, namespace: str, path: Path) -> Path:
        """Return where the worker can read ``path``: itself, or a copy in the scratch folder."""
        path = path.resolve()
        if not self.isolation.confined or any(path.is_relative_to(folder) for folder in self.readable):
            return path
        copy = self._modules / re.sub(r"[^\w.-]", "_", namespace) / path.name
        copy.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(path, copy)
        return copy

    def _request(self, request: dict, timeout: float, buffers: list[bytes] | tuple = ()) -> Reply:
        self._request_id += 1
        request = dict(request, id=self._request_id)
        started = time.perf_counter()
        deadline = time.monotonic() + timeout
        try:
            framing.write_frame_until(self._request_fd, framing.pack(request, buffers), deadline)
        except framing.FrameTimeout:
            self.kill()
            logger.info("worker did not read a %s request within %g s", request["op"], timeout)
            raise WorkerTimeout(timeout, self._settle_output()) from None
        except OSError as error:
            raise self._died(f"could not send the request ({error.strerror})") from None
        header, response_buffers = self._receive(deadline - time.monotonic(), request["op"], timeout)
        if self._output is not None:
            self._output.drain()  # the worker flushed before it responded, so this is all it printed
        if header.get("id") != self._request_id:
            self.kill()
            raise WorkerDied("sent a response that does not match the request", self._settle_output())
        seconds = time.perf_counter() - started
        return self._decode_reply(header, response_buffers, seconds)

    def _receive(self, remaining: float, what: str, timeout: float | None = None) -> tuple[dict, list]:
        timeout = remaining if timeout is None else timeout
        deadline = time.monotonic() + remaining
        try:
            output = self._output
            drain = (output.fd, output.drain) if output is not None and output.fd >= 0 else None
            return framing.read_frame(self._response_fd, deadline, self.limits.result_bytes, drain=drain)
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
            except (codec.CodecError, ValueError, TypeError, OverflowError, RecursionError) as error:
                self.kill()
                raise WorkerDied(f"sent a result that could not be decoded ({error})") from None
            memory = codec.array_memory(header["result"])
        warnings = header.get("warnings", [])
        return Reply(
            status=status,
            value=value,
            error_type=printable(str(header.get("type", "")))[:200],
            message=printable(str(header.get("message", ""))),
            traceback=printable(str(header.get("traceback", ""))),
            warnings=[
                (printable(str(w[0])), printable(str(w[1])))
                for w in (warnings if isinstance(warnings, list) else [])
                if isinstance(w, list) and len(w) == 2
            ],
            records=_valid_records(header.get("records", [])),
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
        if code is not None and code > 128 and self.isolation.confined:
            code = 128 - code  # launch.py reports a worker killed by signal N as exit status 128 + N
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
            self._output.settle(1.0)
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
                error_type=printable(str(entry.get("type", "")))[:200],
                message=printable(str(entry.get("message", "")))[:2000],
                traceback=printable(str(entry.get("traceback", "")))[:4000],
            )
        )
    return cells


def _open_permissions(folder: Path) -> None:
    """Let any user read ``folder``'s copy, whose owner is the grader, so the worker's user can."""
    for parent, folders, files in os.walk(folder):
        os.chmod(parent, 0o755)
        for name in files:
            path = Path(parent) / name
            if not path.is_symlink():
                os.chmod(path, 0o755 if path.stat().st_mode & 0o111 else 0o644)


@dataclass
class _Spawned:
    """A started worker process and the grader's ends of its pipes."""

    process: subprocess.Popen
    request_fd: int
    response_fd: int
    output: _OutputCapture


def _discard(spawned: _Spawned) -> None:
    """Kill a worker that never served a request and release its pipes."""
    try:
        os.killpg(spawned.process.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass
    try:
        spawned.process.wait(timeout=5)
    except subprocess.TimeoutExpired:
        logger.error("spare worker %d did not die after SIGKILL", spawned.process.pid)
    for fd in (spawned.request_fd, spawned.response_fd):
        try:
            os.close(fd)
        except OSError:
            pass
    spawned.output.close()


def _valid_records(records: Any) -> list[list[Any]]:
    """Return the recording networks' calls when well formed, else an empty list.

    Each call is a shape (a list of ints) or, with fingerprints, a dict of
    ``shape`` and the ``first`` and ``last`` input values (numbers or None).
    """
    if not isinstance(records, list) or not all(isinstance(calls, list) for calls in records):
        return []
    for calls in records:
        if not all(_valid_call(call) for call in calls):
            return []
    return records


def _valid_call(call: Any) -> bool:
    def is_shape(value: Any) -> bool:
        return isinstance(value, list) and all(type(n) is int for n in value)

    def is_number(value: Any) -> bool:
        return value is None or type(value) in (int, float)

    if isinstance(call, dict):
        return set(call) == {"shape", "first", "last"} and is_shape(call["shape"]) and is_number(call["first"]) and is_number(call["last"])
    return is_shape(call)


def _signal_name(number: int) -> str:
    try:
        return signal.Signals(number).name
    except ValueError:
        return str(number)
