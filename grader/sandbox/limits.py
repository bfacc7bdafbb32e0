"""Resource limits a worker applies to itself before it loads any student code."""

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


def apply(limits: Limits) -> None:
    """Set this process's rlimits (soft and hard) from ``limits``."""
    for name, value in (
        ("RLIMIT_AS", limits.memory_bytes),
        ("RLIMIT_CPU", limits.cpu_seconds),
        ("RLIMIT_NPROC", limits.max_processes),
        ("RLIMIT_FSIZE", limits.file_size_bytes),
        ("RLIMIT_NOFILE", limits.open_files),
        ("RLIMIT_CORE", 0),
    ):
        _lower(getattr(resource, name), value)


def _lower(kind: int, value: int) -> None:
    soft, hard = resource.getrlimit(kind)
    if hard != resource.RLIM_INFINITY:
        value = min(value, hard)
    resource.setrlimit(kind, (value, value))
