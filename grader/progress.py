"""Progress of a class run: a progress bar on a terminal, plain log lines elsewhere."""

from __future__ import annotations

import sys
import time
from typing import Any

from grader.report.model import Report


class Progress:
    """Shows how grading goes: a progress bar on a terminal, one log line per submission otherwise."""

    def __init__(self, *, stream: Any = None, bar: bool | None = None) -> None:
        self.stream = stream if stream is not None else sys.stderr
        self.use_bar = _is_terminal(self.stream) if bar is None else bar
        self.total = 0
        self.done = 0
        self.bar: Any = None
        self.started = time.monotonic()

    def start(self, *, total: int, done: int, jobs: int) -> None:
        self.total, self.done = total, done
        self.started = time.monotonic()
        to_grade = total - done
        self._line(
            f"grading {to_grade} of {total} submissions with {jobs} process{'es' if jobs != 1 else ''}"
            + (f"; {done} unchanged since their reports were written" if done else "")
        )
        if self.use_bar and to_grade:
            from tqdm import tqdm

            self.bar = tqdm(total=total, initial=done, unit="submission", file=self.stream, dynamic_ncols=True)

    def advance(self, student: str, report: Report, *, failed: bool) -> None:
        self.done += 1
        elapsed = time.monotonic() - self.started
        summary = f"{student}: {report.score:g} / {report.max_score:g} ({report.percent:.0f}%)"
        if failed:
            summary += ", grader error (see the log)"
        if self.bar is not None:
            self.bar.set_postfix_str(summary, refresh=False)
            self.bar.update(1)
        else:
            width = len(str(self.total))
            self._line(f"[{self.done:>{width}}/{self.total}] {summary} at {elapsed:.1f} s")

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()
            self.bar = None

    def _line(self, text: str) -> None:
        if self.bar is not None:
            self.bar.write(text, file=self.stream)
        else:
            print(text, file=self.stream, flush=True)


def _is_terminal(stream: Any) -> bool:
    try:
        return bool(stream.isatty())
    except (AttributeError, ValueError):
        return False

