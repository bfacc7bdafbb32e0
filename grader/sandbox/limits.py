"""Resource limits a worker applies to itself before it loads any student code.

At level ``process`` the worker sets them on itself, and a worker running as
root could raise them again.  At the confined levels ``launch.py`` sets them
before it gives up root, so they hold.  RLIMIT_NPROC counts every process
and thread of the worker's user, and the kernel ignores it for root.
"""

from __future__ import annotations

import resource
from dataclasses import asdict, dataclass


@dataclass(frozen=True)
class Limits:
    """Caps on one worker process.  Sizes are in bytes, times in seconds."""

    memory_bytes: int = 2 * 2**30
    cpu_seconds: int = 300
    max_processes: int = 64
    file_size_bytes: int = 16 * 2**20
    open_files: int = 256
    output_bytes: int = 64 * 2**10
    result_bytes: int = 256 * 2**20

    def to_dict(self) -> dict[str, int]:
        return asdict(self)

    def rlimits(self) -> dict[str, int]:
        """Return the rlimits these caps map to, by ``resource`` constant name."""
        return {
            "RLIMIT_AS": self.memory_bytes,
            "RLIMIT_CPU": self.cpu_seconds,
            "RLIMIT_NPROC": self.max_processes,
            "RLIMIT_FSIZE": self.file_size_bytes,
            "RLIMIT_NOFILE": self.open_files,
            "RLIMIT_CORE": 0,
        }


def apply(limits: Limits) -> None:
    """Set this process's rlimits (soft and hard) from ``limits``."""
    for name, value in limits.rlimits().items():
        _lower(getattr(resource, name), value)


def _lower(kind: int, value: int) -> None:
    soft, hard = resource.getrlimit(kind)
    if hard != resource.RLIM_INFINITY:
        value = min(value, hard)
    resource.setrlimit(kind, (value, value))
