"""Side-by-side timing of student code against the reference, as a ratio of fastest runs.

Both run in worker processes with single-threaded BLAS, started the same
way, and both are timed from the grader's clock around the same request, so
student code cannot change its own measurement.  Calls alternate between the
two, on fresh inputs each round, and the verdict compares the fastest run of
each.  A busy machine only ever adds time to a run, such as a wait for a free
core or a late wake-up after the request.  So the fastest run stays steady
while other submissions are graded in parallel.  In such a class run on two
cores, medians of millisecond calls were seen to swing by a factor of five.
"""

from __future__ import annotations

import statistics
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from grader.checks.context import CheckContext
from grader.checks.failures import SkipCheck
from grader.sandbox.client import Reply, WorkerClient
from grader.sandbox.codec import StashRef
from grader.sandbox.limits import Limits


class ReferenceWorkers:
    """One worker running reference solutions, shared by the checks of one submission."""

    def __init__(self, solutions: Path | None, scratch: Path, limits: Limits) -> None:
        self.solutions = solutions
        self.scratch = scratch
        self.limits = limits
        self.client: WorkerClient | None = None
        self.loaded: set[str] = set()

    def prestart(self) -> None:
        """Start the worker process now without waiting for it, so that it imports NumPy while the grader works on.

        A worker takes a few tenths of a second to start, which the first
        check that needs it would otherwise wait for.  The first request waits
        for its ready message as usual, and reports a failed start.
        """
        if self.client is not None or self.solutions is None:
            return
        self.client = WorkerClient(limits=self.limits, scratch=self.scratch)
        self.client.prestart()

    def client_for(self, exercise_name: str, module: str, timeout: float) -> WorkerClient:
        """Return a worker with the reference module of ``exercise_name`` loaded as namespace ``reference``."""
        if self.solutions is None or not (self.solutions / exercise_name / module).is_file():
            raise SkipCheck("no reference solution is available to time against")
        if self.client is None:
            self.client = WorkerClient(limits=self.limits, scratch=self.scratch)
        namespace = f"reference:{exercise_name}"
        if namespace not in self.loaded:
            # Resolved, because the worker runs in its own scratch folder.
            reply = self.client.load_file(namespace, (self.solutions / exercise_name / module).resolve(), timeout)
            if reply.status != "ok":
                raise RuntimeError(f"the reference solution of {exercise_name} failed to load: {reply.message}")
            self.loaded.add(namespace)
        return self.client

    def client_with_baseline(self, name: str, path: Path, timeout: float) -> WorkerClient:
        """Return the reference worker with the grader's module at ``path`` loaded as namespace ``baseline:NAME``."""
        if self.client is None:
            self.client = WorkerClient(limits=self.limits, scratch=self.scratch)
        namespace = f"baseline:{name}"
        if namespace not in self.loaded:
            reply = self.client.load_file(namespace, path, timeout)
            if reply.status != "ok":
                raise RuntimeError(f"the grader's baseline {path.name} failed to load: {reply.message}")
            self.loaded.add(namespace)
        return self.client

    def close(self) -> None:
        if self.client is not None:
            self.client.close()


@dataclass
class SpeedComparison:
    student_seconds: list[float]
    reference_seconds: list[float]
    #: Times of the grader's baseline (such as a per-sample loop), when one was requested.
    baseline_seconds: list[float] = field(default_factory=list)

    @property
    def student_median(self) -> float:
        return statistics.median(self.student_seconds)

    @property
    def reference_median(self) -> float:
        return statistics.median(self.reference_seconds)

    @property
    def student_best(self) -> float:
        return min(self.student_seconds)

    @property
    def reference_best(self) -> float:
        return min(self.reference_seconds)

    @property
    def ratio(self) -> float:
        """How many times slower the student's fastest run is than the reference's."""
        return self.student_best / self.reference_best


def compare_speed(
    context: CheckContext,
    function: str,
    inputs: list[tuple],
    *,
    timeout: float,
    check_result: Any = None,
    baseline: Path | None = None,
) -> SpeedComparison:
    """Time ``function`` of the student and of the reference on each of ``inputs``, alternating.

    ``inputs`` is a list of argument tuples, one per round; each is stashed in
    both workers first so the timed request carries no array data.  The first
    round only warms up and is passed with its two results to
    ``check_result(student, reference)``, which raises a CheckFailure when the
    student's result is wrong; a fast wrong result earns no timing points.

    With ``baseline``, the path of a grader module defining ``function`` too
    (see ``grader.baselines``), that module is timed in the reference worker
    in the same rounds, for plots; it never affects the verdict.
    """
    exercise = context.exercise
    reference = context.reference_workers
    if reference is None:
        raise SkipCheck("no reference solution is available to time against")
    reference_client = reference.client_for(exercise.name, exercise.module, exercise.limits.import_timeout)
    reference_namespace = f"reference:{exercise.name}"
    settle_allocators(context, reference_client)

    baseline_namespace = None
    if baseline is not None:
        reference.client_with_baseline(exercise.name, baseline, exercise.limits.import_timeout)
        baseline_namespace = f"baseline:{exercise.name}"

    for index, args in enumerate(inputs):
        for position, value in enumerate(args):
            context.stash(f"timing-{index}-{position}", value)
            reference_client.stash(f"timing-{index}-{position}", value)

    def student_call(index: int, return_result: bool) -> Reply:
        return context.call_reply(
            function, *_stashed_args(index, len(inputs[index])), timeout=timeout, return_result=return_result
        )

    def reference_call(index: int, return_result: bool) -> Reply:
        reply = reference_client.call(
            reference_namespace, function, _stashed_args(index, len(inputs[index])),
            timeout=timeout, return_result=return_result,
        )
        if reply.status != "ok":
            raise RuntimeError(f"the reference solution failed while being timed: {reply.error_type} {reply.message}")
        return reply

    student_first = student_call(0, True)
    reference_first = reference_call(0, True)
    if check_result is not None:
        check_result(student_first.value, reference_first.value)

    def baseline_call(index: int) -> float:
        reply = reference_client.call(
            baseline_namespace, function, _stashed_args(index, len(inputs[index])), timeout=timeout, return_result=False
        )
        if reply.status != "ok":
            raise RuntimeError(f"the grader's baseline failed while being timed: {reply.error_type} {reply.message}")
        return reply.seconds

    comparison = SpeedComparison([], [])
    for index in range(1, len(inputs)):
        if index % 2:
            comparison.student_seconds.append(student_call(index, False).seconds)
            comparison.reference_seconds.append(reference_call(index, False).seconds)
        else:
            comparison.reference_seconds.append(reference_call(index, False).seconds)
            comparison.student_seconds.append(student_call(index, False).seconds)
        if baseline_namespace is not None:
            comparison.baseline_seconds.append(baseline_call(index))
    return comparison


#: Size of the array that settle_allocators stashes and releases in each worker.
ALLOCATOR_WARMUP_BYTES = 16 * 2**20


def settle_allocators(context: CheckContext, reference_client: WorkerClient) -> None:
    """Put the memory allocators of the student's and the reference worker in the same state before timing.

    glibc's malloc serves a large block with mmap, and with page faults on
    first touch, until freeing an mmapped block raises its threshold to that
    block's size, at most 32 MiB (mallopt(3), M_MMAP_THRESHOLD).  A worker
    that freed big arrays in earlier checks then reuses heap memory instead.
    In one measurement on a 2-core machine, that made the same forward pass
    on a (32, 2048) batch 2.7 times faster than in a fresh worker.  Stashing
    and releasing a 16 MiB array raises the threshold in both workers.
    """
    warmup = np.zeros(ALLOCATOR_WARMUP_BYTES // 8)
    for stash in (context.stash, reference_client.stash):
        stash("allocator-warmup", warmup)
        stash("allocator-warmup", None)


def reference_client(context: CheckContext) -> WorkerClient:
    """Return the reference worker with this exercise's reference solution loaded; SkipCheck without solutions."""
    exercise = context.exercise
    reference = context.reference_workers
    if reference is None:
        raise SkipCheck("no reference solution is available to measure against")
    return reference.client_for(exercise.name, exercise.module, exercise.limits.import_timeout)


def call_reference(context: CheckContext, function: str, *args: Any, timeout: float, **kwargs: Any) -> Reply:
    """Call the reference solution's ``function`` in the reference worker and return its Reply.

    The reference worker is started like the student's, with single-threaded
    BLAS, so a check can compare what the two measure in the same run.
    ``args`` may hold ``CallableRef`` values; ``StashRef`` values refer to the
    reference worker's own stash.  Raises SkipCheck without solutions.
    """
    client = reference_client(context)
    reply = client.call(f"reference:{context.exercise.name}", function, args, kwargs, timeout=timeout)
    if reply.status != "ok":
        raise RuntimeError(f"the reference solution's {function} failed: {reply.error_type} {reply.message}")
    return reply


def _stashed_args(index: int, count: int) -> list[StashRef]:
    return [StashRef(f"timing-{index}-{position}") for position in range(count)]
