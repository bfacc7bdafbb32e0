"""Isolation levels: what each one prevents, which are available here, and the worker's view.

There are three levels, from weakest to strongest:

``process``
    A separate worker process with resource limits, a scratch working
    folder and an environment without the grader's variables.  Always
    available.
``namespace``
    As ``process``, plus new mount, network, PID, IPC and UTS namespaces set
    up by ``launch.py`` with system calls, and a user id of its own.  The
    worker's view is read-only and contains the system, the Python installation,
    the sandbox package and the submission, plus its scratch folder.  Needs
    the grader to run as root on Linux (x86_64 or aarch64).
``bwrap``
    The same view built by bubblewrap, which also forbids new user
    namespaces inside the sandbox.  Needs root and the ``bwrap`` program.

``auto`` picks the strongest level that works on this machine; a level
asked for by name that does not work raises ``IsolationUnavailable``.
"""

from __future__ import annotations

import functools
import json
import os
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Sequence

import numpy as np

LEVELS = ("process", "namespace", "bwrap")
CHOICES = ("auto", *LEVELS)

#: Worker user ids are this base plus the launcher's PID, so two live workers never share one.
#: NOTE: assumes no account or file on the machine uses ids in [UID_BASE, UID_BASE + pid_max).
UID_BASE = 1_900_000_000
#: Sizes of the worker's private /tmp and of its scratch folder at the confined levels.
TMP_BYTES = 64 * 2**20
SCRATCH_BYTES = 64 * 2**20

_LAUNCHER = Path(__file__).with_name("launch.py")
_PACKAGE = Path(__file__).resolve().parents[1]
_SYSTEM_FOLDERS = ("usr", "bin", "sbin", "lib", "lib32", "lib64", "libx32")
_SYSTEM_FILES = ("/etc/ld.so.cache", "/etc/ld.so.conf", "/etc/localtime", "/etc/passwd", "/etc/group")

ALL = frozenset(LEVELS)
CONFINED = frozenset({"namespace", "bwrap"})


@dataclass(frozen=True)
class Protection:
    """One thing a submission might try, and the levels at which it cannot succeed."""

    key: str
    description: str
    levels: frozenset[str]
    #: Levels where it holds only when the grader does not run as root.
    unless_root: frozenset[str] = frozenset()


PROTECTIONS = (
    Protection("hang", "hangs and endless loops stop at the call, check and submission time limits", ALL),
    Protection("crash", "crashes, exits and signals end only the worker, which is restarted for the next check", ALL),
    Protection("output", "printed output is capped and its control characters are escaped", ALL),
    Protection("forged_result", "results cross as plain data (no pickle), and every verdict is computed in the grader", ALL),
    Protection("environment", "the worker does not inherit the grader's environment variables", ALL),
    Protection("resource_caps", "caps on memory, CPU time, written file size, open files and processes apply", ALL),
    Protection("caps_locked", "student code cannot raise those caps again", CONFINED, unless_root=frozenset({"process"})),
    Protection("process_bomb", "fork and thread bombs stop at the process cap", CONFINED, unless_root=frozenset({"process"})),
    Protection("leftover_processes", "no process started by student code outlives its worker", CONFINED),
    Protection("network", "no network access, loopback included", CONFINED),
    Protection("hidden_files", "solutions, other submissions, the report and the grader's code outside its sandbox package are hidden", CONFINED),
    Protection("read_only", "nothing outside the scratch folder and a private /tmp can be changed", CONFINED),
    Protection("disk_space", "the scratch folder and /tmp hold at most 64 MiB each, in memory, so the disk cannot fill up", CONFINED),
    Protection("grader_process", "the grader process cannot be signalled, traced or inspected through /proc", CONFINED),
    Protection("nested_namespaces", "no new user namespaces, which keeps the kernel's attack surface small", frozenset({"bwrap"})),
)


class IsolationUnavailable(Exception):
    """The requested isolation level does not work on this machine; the message gives the reason."""


@dataclass(frozen=True)
class Isolation:
    """The isolation level in force, and why stronger ones are unavailable."""

    level: str
    requested: str = "process"
    unavailable: dict[str, str] = field(default_factory=dict)
    as_root: bool = False

    @property
    def confined(self) -> bool:
        return self.level in CONFINED

    def holds(self, protection: Protection) -> bool:
        return self.level in protection.levels or (self.level in protection.unless_root and not self.as_root)

    def prevents(self) -> list[str]:
        return [p.key for p in PROTECTIONS if self.holds(p)]

    def summary(self) -> str:
        if self.level == "bwrap":
            text = "bubblewrap sandbox: no network, own user id, read-only view with only the submission and a scratch folder"
        elif self.level == "namespace":
            text = "namespaces: no network, own user id, read-only view with only the submission and a scratch folder"
        else:
            text = "separate worker process with resource limits"
            if self.as_root:
                text += "; it runs as root, so it can read and change every file and reach the network"
            else:
                text += "; it runs as the grader's user, so it can read that user's files and reach the network"
        return f"{self.level} ({text})"

    def to_dict(self) -> dict[str, Any]:
        """Return the report's ``isolation`` field."""
        return {
            "level": self.level,
            "requested": self.requested,
            "summary": self.summary(),
            "prevents": {p.key: p.description for p in PROTECTIONS if self.holds(p)},
            "does_not_prevent": {p.key: p.description for p in PROTECTIONS if not self.holds(p)},
            "unavailable": dict(self.unavailable),
        }


def resolve(requested: str = "auto") -> Isolation:
    """Return the level to use for ``requested``, one of ``CHOICES``.

    Raises IsolationUnavailable when a named level cannot run here.  Only the
    levels needed are probed, once per process, each by starting a
    short-lived sandbox; ``unavailable`` lists the stronger levels that failed.
    """
    if requested not in CHOICES:
        raise IsolationUnavailable(f"unknown isolation level {requested!r}; choose one of {', '.join(CHOICES)}")
    reasons: dict[str, str] = {}
    if requested == "auto":
        level = "process"
        for candidate in ("bwrap", "namespace"):
            problem = probe(candidate)
            if problem is None:
                level = candidate
                break
            reasons[candidate] = problem
    else:
        problem = probe(requested)
        if problem is not None:
            raise IsolationUnavailable(f"isolation level {requested} is unavailable: {problem}")
        level = requested
    return Isolation(level=level, requested=requested, unavailable=reasons, as_root=os.geteuid() == 0)


@functools.cache
def probe(level: str) -> str | None:
    """Return why ``level`` cannot run here, or None when a trial sandbox started and exited cleanly."""
    if level == "process":
        return None
    if os.geteuid() != 0:
        return "the grader does not run as root"
    if sys.platform != "linux":
        return f"needs Linux, not {sys.platform}"
    if level == "bwrap" and shutil.which("bwrap") is None:
        return "bubblewrap is not installed (the bwrap program was not found on PATH)"
    with tempfile.TemporaryDirectory(prefix="grader-probe-") as folder:
        scratch = Path(folder) / "scratch"
        scratch.mkdir()
        plan = build_plan(level, scratch=scratch, readable=(), command=["/usr/bin/env", "true"], environment={}, limits={}, pass_fds=())
        try:
            completed = subprocess.run(
                launcher_command(plan), capture_output=True, text=True, timeout=30, start_new_session=True
            )
        except (OSError, subprocess.TimeoutExpired) as error:
            return f"a trial sandbox failed to start ({error})"
    if completed.returncode != 0:
        detail = completed.stderr.strip().splitlines()[-1:] or [f"exit status {completed.returncode}"]
        return f"a trial sandbox failed: {detail[0]}"
    return None


def launcher_command(plan: dict[str, Any]) -> list[str]:
    """Return the command that runs ``launch.py`` on ``plan``; -S keeps site-packages out of the root process."""
    return [sys.executable, "-I", "-S", str(_LAUNCHER), json.dumps(plan)]


def build_plan(
    level: str,
    *,
    scratch: Path,
    readable: Sequence[tuple[Path, Path]],
    command: list[str],
    environment: dict[str, str],
    limits: dict[str, int],
    pass_fds: tuple[int, ...] | list[int],
) -> dict[str, Any]:
    """Describe the worker's sandbox for ``launch.py``: its view, user, limits and command.

    Each ``(source, target)`` pair of ``readable`` appears read-only at
    ``target``.  The worker's user must be allowed to read each source, since
    the kernel still checks its permissions.  At ``scratch`` the worker finds
    an empty tmpfs of ``SCRATCH_BYTES``, so what it writes never reaches the
    disk.  The new root of level namespace is a folder beside ``scratch``.
    """
    scratch = Path(scratch).resolve()
    root = scratch.parent / f"{scratch.name}-root"
    root.mkdir(exist_ok=True)
    symlinks, binds = _system_view()
    for path in _python_paths() + [_PACKAGE / "__init__.py", _PACKAGE / "sandbox"]:
        binds.append((str(path.resolve()), str(path.resolve()), "ro"))
    binds += [(str(source), str(target), "ro") for source, target in readable]
    return {
        "level": level,
        "uid_base": UID_BASE,
        "root": str(root),
        "scratch": str(scratch),
        "scratch_bytes": SCRATCH_BYTES,
        "symlinks": symlinks,
        "tmpfs": [["/tmp", TMP_BYTES]],
        "binds": [list(bind) for bind in _outermost(binds)],
        "bwrap": shutil.which("bwrap") or "bwrap",
        "limits": limits,
        "command": command,
        "environment": environment,
        "pass_fds": list(pass_fds),
    }


def _system_view() -> tuple[list[list[str]], list[tuple[str, str, str]]]:
    symlinks: list[list[str]] = []
    binds: list[tuple[str, str, str]] = []
    for name in _SYSTEM_FOLDERS:
        path = Path("/") / name
        if path.is_symlink():
            symlinks.append([str(path), os.readlink(path)])
        elif path.is_dir():
            binds.append((str(path), str(path), "ro"))
    binds += [(name, name, "ro") for name in _SYSTEM_FILES if os.path.isfile(name)]
    return symlinks, binds


def _python_paths() -> list[Path]:
    """Return the folders of the interpreter, the standard library, the virtual environment and NumPy."""
    executable = Path(sys.executable)
    paths = {Path(sys.base_prefix), Path(sys.base_exec_prefix), Path(sys.prefix), Path(sys.exec_prefix)}
    paths.add(Path(np.__file__).resolve().parents[1])
    paths.add(executable.resolve().parent)
    return sorted(p.resolve() for p in paths)


def _outermost(binds: list[tuple[str, str, str]]) -> list[tuple[str, str, str]]:
    """Drop read-only binds of the same path inside another, and order parents before children."""
    read_only = [target for source, target, mode in binds if mode == "ro" and source == target]
    kept = []
    for bind in binds:
        source, target, mode = bind
        inside = any(target != other and target.startswith(other.rstrip("/") + "/") for other in read_only)
        if mode == "ro" and source == target and inside:
            continue
        if bind not in kept:
            kept.append(bind)
    return sorted(kept, key=lambda bind: (bind[1].count("/"), bind[1]))
