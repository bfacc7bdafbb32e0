"""Length-prefixed frames over pipes.

A frame is an 8-byte big-endian length followed by that many bytes: a 4-byte
header length, a UTF-8 JSON header, then the raw buffers whose lengths the
header lists under ``"buffers"``.  Both sides use this module; the grader's
side reads with a deadline and a size cap, because the peer is untrusted.
"""

from __future__ import annotations

import json
import math
import os
import select
import struct
import time
from typing import Callable

_LENGTH = struct.Struct(">Q")
_HEADER_LENGTH = struct.Struct(">I")


class FrameError(Exception):
    """The peer sent bytes that are not a valid frame."""


class FrameTimeout(Exception):
    """No complete frame arrived before the deadline."""


class PeerClosed(Exception):
    """The peer closed its end of the pipe."""


def pack(header: dict, buffers: list[bytes] | tuple = ()) -> bytes:
    """Pack a header and its buffers into one frame."""
    header = dict(header)
    header["buffers"] = [len(buffer) for buffer in buffers]
    header_bytes = json.dumps(header, separators=(",", ":")).encode("utf-8")
    body = [_HEADER_LENGTH.pack(len(header_bytes)), header_bytes, *buffers]
    total = sum(len(part) for part in body)
    return _LENGTH.pack(total) + b"".join(body)


def unpack(body: bytes) -> tuple[dict, list[memoryview]]:
    """Split a frame body into its header and buffers, validating every length."""
    view = memoryview(body)
    if len(view) < _HEADER_LENGTH.size:
        raise FrameError("frame shorter than its header length field")
    (header_length,) = _HEADER_LENGTH.unpack_from(view)
    start = _HEADER_LENGTH.size
    if start + header_length > len(view):
        raise FrameError("header length runs past the end of the frame")
    try:
        header = json.loads(bytes(view[start : start + header_length]).decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError) as error:
        raise FrameError(f"header is not valid JSON: {error}") from None
    if not isinstance(header, dict):
        raise FrameError("header is not a JSON object")
    lengths = header.get("buffers", [])
    if not isinstance(lengths, list) or not all(
        isinstance(n, int) and not isinstance(n, bool) and n >= 0 for n in lengths
    ):
        raise FrameError("header field 'buffers' is not a list of sizes")
    offset = start + header_length
    buffers = []
    for length in lengths:
        if offset + length > len(view):
            raise FrameError("a buffer runs past the end of the frame")
        buffers.append(view[offset : offset + length])
        offset += length
    if offset != len(view):
        raise FrameError("frame has trailing bytes after its buffers")
    return header, buffers


def write_frame(fd: int, frame: bytes) -> None:
    """Write a whole frame to a blocking file descriptor."""
    view = memoryview(frame)
    while view:
        written = os.write(fd, view)
        view = view[written:]


def write_frame_until(fd: int, frame: bytes, deadline: float) -> None:
    """Write a whole frame to a non-blocking descriptor before ``deadline`` (a ``time.monotonic`` value).

    Raises FrameTimeout when the peer stops reading, so a worker that hangs
    with a full pipe cannot block the grader.
    """
    view = memoryview(frame)
    poller = select.poll()
    poller.register(fd, select.POLLOUT | select.POLLERR)
    while view:
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            raise FrameTimeout()
        if not poller.poll(math.ceil(remaining * 1000)):
            continue
        try:
            written = os.write(fd, view)
        except BlockingIOError:
            continue
        view = view[written:]


def read_exact_blocking(fd: int, size: int) -> bytes:
    """Read exactly ``size`` bytes from a blocking descriptor (the worker's side)."""
    chunks = []
    remaining = size
    while remaining:
        chunk = os.read(fd, min(remaining, 1 << 20))
        if not chunk:
            raise PeerClosed("pipe closed")
        chunks.append(chunk)
        remaining -= len(chunk)
    return b"".join(chunks)


def read_frame_blocking(fd: int) -> tuple[dict, list[memoryview]]:
    """Read one frame on the worker's side, where the grader is trusted."""
    (length,) = _LENGTH.unpack(read_exact_blocking(fd, _LENGTH.size))
    return unpack(read_exact_blocking(fd, length))


def read_frame(
    fd: int, deadline: float, max_bytes: int, drain: tuple[int, Callable[[], bool]] | None = None
) -> tuple[dict, list[memoryview]]:
    """Read one frame from an untrusted peer before ``deadline`` (a ``time.monotonic`` value).

    ``drain`` is a descriptor and a function to call whenever it is readable
    while waiting, which keeps the peer's output pipe from filling up.  The
    function returns False once that descriptor is closed.  Raises
    FrameTimeout when the deadline passes, PeerClosed when the pipe closes,
    and FrameError when the frame is malformed or announces more than
    ``max_bytes``.
    """
    prefix = _read_until(fd, _LENGTH.size, deadline, drain)
    (length,) = _LENGTH.unpack(prefix)
    if length > max_bytes:
        raise FrameError(
            f"result of {length / 2**20:.1f} MiB is over the limit of {max_bytes / 2**20:.0f} MiB"
        )
    return unpack(_read_until(fd, length, deadline, drain))


def _read_until(fd: int, size: int, deadline: float, drain: tuple[int, Callable[[], bool]] | None) -> bytes:
    chunks = bytearray()
    poller = select.poll()
    poller.register(fd, select.POLLIN | select.POLLHUP | select.POLLERR)
    if drain is not None:
        poller.register(drain[0], select.POLLIN | select.POLLHUP | select.POLLERR)
    while len(chunks) < size:
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            raise FrameTimeout()
        ready = dict(poller.poll(math.ceil(remaining * 1000)))
        if drain is not None and drain[0] in ready:
            if not drain[1]():
                poller.unregister(drain[0])
                drain = None
        if fd not in ready:
            continue
        chunk = os.read(fd, min(size - len(chunks), 1 << 20))
        if not chunk:
            raise PeerClosed("pipe closed")
        chunks += chunk
    return bytes(chunks)
