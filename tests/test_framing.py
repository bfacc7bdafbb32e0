"""Frames are length-checked, and reads from an untrusted peer end on time."""

from __future__ import annotations

import os
import struct
import time

import pytest

from grader.sandbox import framing


def test_pack_and_unpack_roundtrip():
    frame = framing.pack({"op": "call", "x": [1, 2]}, [b"abc", b""])
    header, buffers = framing.unpack(frame[8:])
    assert header["op"] == "call"
    assert [bytes(b) for b in buffers] == [b"abc", b""]


@pytest.mark.parametrize(
    "body, fragment",
    [
        (b"\x00\x00", "shorter"),
        (struct.pack(">I", 100) + b"{}", "runs past"),
        (struct.pack(">I", 2) + b"[]", "not a JSON object"),
        (struct.pack(">I", 3) + b"{x}", "not valid JSON"),
        (struct.pack(">I", 15) + b'{"buffers":[9]}' + b"abc", "past the end"),
        (struct.pack(">I", 2) + b"{}" + b"junk", "trailing"),
    ],
)
def test_malformed_frames_are_rejected(body, fragment):
    with pytest.raises(framing.FrameError, match=fragment):
        framing.unpack(body)


def test_read_frame_rejects_an_oversized_announcement():
    read_end, write_end = os.pipe()
    try:
        os.write(write_end, struct.pack(">Q", 10**12))
        with pytest.raises(framing.FrameError, match="over the limit"):
            framing.read_frame(read_end, time.monotonic() + 5, max_bytes=1024)
    finally:
        os.close(read_end)
        os.close(write_end)


def test_read_frame_times_out_on_a_silent_peer():
    read_end, write_end = os.pipe()
    try:
        os.write(write_end, b"\x00\x00")
        started = time.monotonic()
        with pytest.raises(framing.FrameTimeout):
            framing.read_frame(read_end, time.monotonic() + 0.3, max_bytes=1024)
        assert time.monotonic() - started < 3
    finally:
        os.close(read_end)
        os.close(write_end)


def test_read_frame_reports_a_closed_pipe():
    read_end, write_end = os.pipe()
    os.close(write_end)
    try:
        with pytest.raises(framing.PeerClosed):
            framing.read_frame(read_end, time.monotonic() + 5, max_bytes=1024)
    finally:
        os.close(read_end)
