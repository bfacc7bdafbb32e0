"""Measure how fast the grader is on this machine and compare it with its targets.

Run from the repository root of an installed checkout:

    python bench/run.py            # every figure, about five minutes on 2 cores
    python bench/run.py --quick    # one run of each, a class of 4: a smoke test

It measures five things.  One full submission is graded as a whole process,
with its phases.  The worker is timed at start and for round trips.  A class
is graded with -j 1 and with -j 2.  Timing verdicts are counted idle and
beside a CPU-bound process.  Peak memory is read for the grader and a worker.  ``docs/benchmarks.md`` records a run and what the targets
mean.  The benchmark only measures: it exits 0 whether targets are met or not.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

REPOSITORY = Path(__file__).resolve().parents[1]
EXERCISES = REPOSITORY / "exercises"
SOLUTIONS = REPOSITORY / "solutions"
EXAMPLES = REPOSITORY / "examples" / "submissions"

#: For each exercise with a timing check: (name, example submission whose module replaces the reference's, expected verdict).
#: Exercises or examples missing from this checkout are left out.
TIMING_VARIANTS = {
    "batched_forward": ("per-sample loop", "loop_forward", "failed"),
    "speedup": ("another correct measurement", "correct_alternatives", "passed"),
}

#: Script run in a child process that grades through ``grader.cli.main`` and
#: then writes its own peak RSS and that of its largest reaped child (a worker).
MEMORY_PROBE = """
import json, resource, sys
from grader.cli import main
out = sys.argv.pop(1)
code = main(sys.argv[1:])
with open(out, "w") as stream:
    json.dump({
        "code": code,
        "grader_kib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss,
        "worker_kib": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss,
    }, stream)
"""

#: A CPU-bound child that stops by itself after the given number of seconds.
CPU_HOG = "import sys, time\nend = time.monotonic() + float(sys.argv[1])\nwhile time.monotonic() < end:\n    pass\n"


@dataclass
class Target:
    """One target: what it measures, the limit, the measured value and whether it was met."""

    name: str
    limit: str
    measured: str
    met: bool | None


@dataclass
class Results:
    figures: dict[str, Any] = field(default_factory=dict)
    targets: list[Target] = field(default_factory=list)


def grader_command() -> list[str]:
    """Return the command that starts the grader as a user would: the console script beside this Python."""
    script = Path(sys.executable).with_name("grader")
    return [str(script)] if script.is_file() else [sys.executable, "-m", "grader"]


def run_timed(command: list[str], **kwargs: Any) -> tuple[float, subprocess.CompletedProcess]:
    """Run ``command`` from the repository root; return its wall time and the completed process."""
    wall, _, completed = run_measured(command, **kwargs)
    return wall, completed


def run_measured(command: list[str], **kwargs: Any) -> tuple[float, float, subprocess.CompletedProcess]:
    """Run ``command``; return its wall time, its CPU time and the completed process.

    The CPU time (user plus system) covers the process and every descendant
    it waited for, which includes the grader's workers and grading processes.
    """
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    completed = subprocess.run(command, capture_output=True, text=True, cwd=REPOSITORY, **kwargs)
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu, completed


def require_success(completed: subprocess.CompletedProcess, what: str, allowed: tuple[int, ...] = (0,)) -> None:
    if completed.returncode not in allowed:
        raise SystemExit(
            f"bench: {what} failed with exit status {completed.returncode}:\n{completed.stderr[-3000:]}"
        )


def summary(values: list[float]) -> dict[str, float]:
    return {"median": statistics.median(values), "min": min(values), "max": max(values), "runs": len(values)}


def describe(values: dict[str, float], unit: str = "s", scale: float = 1.0) -> str:
    return (
        f"median {values['median'] * scale:.3f} {unit}, min {values['min'] * scale:.3f} {unit}, "
        f"max {values['max'] * scale:.3f} {unit} ({values['runs']} runs)"
    )


def load_average() -> str:
    one, five, fifteen = os.getloadavg()
    return f"{one:.2f} {five:.2f} {fifteen:.2f}"


def exercise_names() -> list[str]:
    return sorted(path.parent.name for path in EXERCISES.glob("*/exercise.yaml"))


# 1. One full submission.


def bench_submission(runs: int, results: Results) -> None:
    print(f"\n1. One full submission: grader run exercises/ --submission solutions ({', '.join(exercise_names())})")
    print(f"   load average before: {load_average()}")
    walls: list[float] = []
    cpus: list[float] = []
    reports: list[dict[str, Any]] = []
    with tempfile.TemporaryDirectory(prefix="bench-") as scratch:
        report_path = Path(scratch) / "report.json"
        for _ in range(runs):
            command = [*grader_command(), "run", "exercises", "--submission", "solutions", "--json", str(report_path)]
            wall, cpu, completed = run_measured(command)
            require_success(completed, "grading the reference solutions")
            walls.append(wall)
            cpus.append(cpu)
            reports.append(json.loads(report_path.read_text()))

    wall = summary(walls)
    score = f"{reports[-1]['score']:g} / {reports[-1]['max_score']:g}"
    cpu = summary(cpus)
    print(f"   wall time: {describe(wall)}; score {score}")
    print(f"   CPU time of the grader and its workers: {describe(cpu)}")
    startup = summary([measure_imports() for _ in range(runs)])
    writing = summary([measure_report_writing(report) for report in reports])
    grading = summary([report["seconds"] for report in reports])
    before = statistics.median(walls) - grading["median"] - writing["median"]

    phases = ["worker_start", "load", "property_checks", "timing_checks", "diagnostics", "stop_workers"]
    medians = {
        phase: statistics.median(report.get("timings", {}).get(phase, 0.0) for report in reports) for phase in phases
    }
    print("   phases (medians; the first and the last are measured apart, the middle ones come from the report):")
    print(f"     interpreter start and imports (python -c 'import grader.cli, grader.grading')  {startup['median']:.3f} s")
    print(f"     rest of the time before grading (exercises, references) and exit          {max(0.0, before - startup['median']):.3f} s")
    for phase in phases:
        if medians[phase]:
            print(f"     {phase:<76}{medians[phase]:.3f} s")
    starts = reports[-1].get("timings", {}).get("worker_starts", 0)
    print(f"       ({starts} worker starts per submission)")
    print(f"     writing reports (terminal, JSON, Markdown, in-process)                     {writing['median']:.3f} s")
    print("   by exercise (medians, worker starts included):")
    by_exercise: dict[str, float] = {}
    for name in reports[-1].get("timings", {}).get("exercises", {}):
        by_exercise[name] = statistics.median(report["timings"]["exercises"].get(name, 0.0) for report in reports)
        print(f"     {name:<30}{by_exercise[name]:.3f} s")

    results.figures["submission"] = {
        "wall": wall, "cpu": cpu, "grading": grading, "imports": startup, "writing_reports": writing,
        "phases": medians, "worker_starts": starts, "exercises": by_exercise, "score": score,
        "load_average": load_average(),
    }
    results.targets.append(Target("one full submission, median wall", "<= 3 s", f"{wall['median']:.2f} s", wall["median"] <= 3.0))


def measure_imports() -> float:
    wall, completed = run_timed([sys.executable, "-c", "import grader.cli, grader.grading"])
    require_success(completed, "importing the grader")
    return wall


def measure_report_writing(data: dict[str, Any]) -> float:
    from grader.report import json_report, markdown, terminal
    from grader.report.model import Report

    report = Report.from_dict(data)
    with tempfile.TemporaryDirectory(prefix="bench-") as scratch:
        started = time.perf_counter()
        terminal.render(report, colour=False, verbose=False)
        json_report.write(report, Path(scratch) / "report.json")
        markdown.write(report, Path(scratch) / "report.md")
        return time.perf_counter() - started


# 2. The worker.


def bench_worker(runs: int, calls: int, results: Results) -> None:
    from grader.sandbox.client import WorkerClient

    import numpy as np

    print("\n2. The worker")
    small = np.arange(10, dtype=np.float64)
    large = np.random.default_rng(0).standard_normal((1000, 1000))
    starts: list[float] = []
    small_trips: list[float] = []
    large_trips: list[float] = []
    peaks: list[int] = []
    with tempfile.TemporaryDirectory(prefix="bench-") as scratch:
        module = Path(scratch) / "echo.py"
        module.write_text("def echo(value):\n    return value\n")
        for index in range(runs):
            client = WorkerClient(scratch=Path(scratch) / f"worker-{index}")
            try:
                started = time.perf_counter()
                client.ensure_started()
                starts.append(time.perf_counter() - started)
                reply = client.load_file("bench", module, timeout=10)
                if reply.status != "ok":
                    raise SystemExit(f"bench: loading {module} into the worker failed: {reply.message}")
                for value, trips in ((small, small_trips), (large, large_trips)):
                    for _ in range(calls):
                        started = time.perf_counter()
                        reply = client.call("bench", "echo", (value,), timeout=30)
                        trips.append(time.perf_counter() - started)
                        if reply.status != "ok" or not np.array_equal(reply.value, value):
                            raise SystemExit(f"bench: the worker did not echo the array back: {reply.status} {reply.message}")
                peaks.append(peak_rss_kib(client.process.pid) if client.process else 0)
            finally:
                client.close()

    start = summary(starts)
    print(f"   start (until ready, NumPy imported): {describe(start)}")
    print(f"   round trip, {small.nbytes} B array there and back: {describe(summary(small_trips), 'ms', 1e3)}")
    print(f"   round trip, {large.nbytes / 2**20:.1f} MiB array there and back: {describe(summary(large_trips), 'ms', 1e3)}")
    if any(peaks):
        print(f"   peak RSS of one worker after those calls: {max(peaks) / 1024:.0f} MiB")
    results.figures["worker"] = {
        "start": start, "small_round_trip": summary(small_trips), "large_round_trip": summary(large_trips),
        "small_bytes": small.nbytes, "large_bytes": large.nbytes, "peak_rss_kib": max(peaks),
    }
    results.targets.append(Target("worker start, median", "<= 0.3 s", f"{start['median']:.3f} s", start["median"] <= 0.3))


def peak_rss_kib(pid: int) -> int:
    """Return the peak resident set size (VmHWM) of process ``pid`` in KiB, or 0 where /proc has none."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


# 3. A class.


def make_class(folder: Path, size: int) -> dict[str, str]:
    """Write ``size`` submissions into ``folder``: the reference, and the reference with one example's modules in place.

    Returns each student's source, so the mix can be reported.
    """
    examples = sorted(path for path in EXAMPLES.iterdir() if path.is_dir()) if EXAMPLES.is_dir() else []
    sources: dict[str, str] = {}
    for index in range(size):
        student = folder / f"student{index:02d}"
        shutil.copytree(SOLUTIONS, student, ignore=shutil.ignore_patterns("__pycache__"))
        example = examples[index % (len(examples) + 1) - 1] if examples and index % (len(examples) + 1) else None
        if example is not None:
            for path in example.rglob("*.py"):
                target = student / path.relative_to(example)
                target.parent.mkdir(parents=True, exist_ok=True)
                shutil.copy(path, target)
        sources[student.name] = example.name if example else "reference"
    return sources


def bench_class(size: int, results: Results) -> None:
    print(f"\n3. A class of {size} submissions: grader run exercises/ --submissions DIR -j N")
    with tempfile.TemporaryDirectory(prefix="bench-class-") as scratch:
        sources = make_class(Path(scratch), size)
        # Examples named correct_* are right in every module they replace; every other example has a mistake.
        correct = sum(1 for source in sources.values() if source == "reference" or source.startswith("correct"))
        print(f"   {size} submissions from {len(set(sources.values()))} sources, {correct} of them correct everywhere")
        walls, cpus = {}, {}
        for jobs in (1, 2):
            print(f"   load average before -j {jobs}: {load_average()}")
            command = [*grader_command(), "run", "exercises", "--submissions", scratch, "-j", str(jobs)]
            wall, cpu, completed = run_measured(command)
            require_success(completed, f"grading the class with -j {jobs}")
            walls[jobs], cpus[jobs] = wall, cpu
            print(f"   -j {jobs}: {wall:.1f} s ({wall / size:.2f} s per submission), CPU time {cpu:.1f} s")
    ratio = walls[1] / walls[2]
    print(f"   throughput of -j 2 over -j 1: {ratio:.2f}x")
    cores = len(os.sched_getaffinity(0))
    print(f"   CPU time with -j 2 spread over all {cores} cores would take {cpus[2] / cores:.1f} s at the least")
    results.figures["class"] = {
        "size": size, "j1": walls[1], "j2": walls[2], "ratio": ratio, "cpu_j1": cpus[1], "cpu_j2": cpus[2], "cores": cores,
    }
    results.targets.append(Target(f"class of {size}, -j 2", "<= 60 s", f"{walls[2]:.1f} s", walls[2] <= 60 if size >= 40 else None))
    results.targets.append(Target(f"class of {size}, -j 2 over -j 1", ">= 1.6x", f"{ratio:.2f}x", ratio >= 1.6 if size >= 40 else None))


# 4. Timing verdicts.


def timing_submissions(folder: Path) -> tuple[list[str], dict[str, Path], dict[tuple[str, str], str]]:
    """Build the two submissions whose timing verdicts are counted; return exercises, submissions and expected verdicts."""
    present = set(exercise_names())
    exercises = [name for name in TIMING_VARIANTS if name in present and (SOLUTIONS / name).is_dir()]
    variant = folder / "variant"
    shutil.copytree(SOLUTIONS, variant, ignore=shutil.ignore_patterns("__pycache__"))
    expected: dict[tuple[str, str], str] = {}
    for name in list(exercises):
        _, example, verdict = TIMING_VARIANTS[name]
        source = EXAMPLES / example / name
        if not source.is_dir():
            exercises.remove(name)
            continue
        for path in source.glob("*.py"):
            shutil.copy(path, variant / name / path.name)
        expected[("reference", name)] = "passed"
        expected[("variant", name)] = verdict
    return exercises, {"reference": SOLUTIONS, "variant": variant}, expected


def bench_timing(runs: int, results: Results) -> None:
    print(f"\n4. Timing verdicts over {runs} runs, idle and beside a CPU-bound process")
    figures: dict[str, Any] = {}
    with tempfile.TemporaryDirectory(prefix="bench-timing-") as scratch:
        exercises, submissions, expected = timing_submissions(Path(scratch))
        if not exercises:
            print("   no exercise with a timing check and an example to compare: skipped")
            return
        for name in exercises:
            label, example, verdict = TIMING_VARIANTS[name]
            print(f"   {name}: reference (expects passed) and {label}, examples/submissions/{example} (expects {verdict})")
        only = [argument for name in exercises for argument in ("--only", name)]
        total_flips = 0
        for condition in ("idle", "loaded"):
            hog = None
            if condition == "loaded":
                # Long enough for every run; it also stops by itself should this script die.
                hog = subprocess.Popen([sys.executable, "-c", CPU_HOG, str(60 + 15 * runs * len(submissions))])
            try:
                print(f"   {condition}: load average before {load_average()}")
                verdicts = collect_verdicts(runs, submissions, only)
            finally:
                if hog is not None:
                    hog.terminate()
                    hog.wait()
            for (submission_name, exercise, check), seen in sorted(verdicts.items()):
                want = expected[(submission_name, exercise)]
                flips = sum(1 for status, _ in seen if status != want)
                total_flips += flips
                ratios = [value for _, value in seen if value is not None]
                spread = f", measured ratio {min(ratios):.2f} to {max(ratios):.2f}" if ratios else ""
                print(f"     {submission_name:<10}{exercise}.{check}: {len(seen) - flips}/{len(seen)} {want}, {flips} flipped{spread}")
                figures[f"{condition}/{submission_name}/{exercise}.{check}"] = {
                    "expected": want, "flipped": flips, "runs": len(seen), "ratios": ratios,
                }
    results.figures["timing"] = figures
    results.targets.append(Target(f"timing verdicts flipped in {runs} runs, idle and loaded", "0", str(total_flips), total_flips == 0))


def collect_verdicts(runs: int, submissions: dict[str, Path], only: list[str]) -> dict[tuple[str, str, str], list[tuple[str, float | None]]]:
    verdicts: dict[tuple[str, str, str], list[tuple[str, float | None]]] = {}
    with tempfile.TemporaryDirectory(prefix="bench-") as scratch:
        report_path = Path(scratch) / "report.json"
        for _ in range(runs):
            for submission_name, submission in submissions.items():
                command = [*grader_command(), "run", "exercises", "--submission", str(submission), *only, "--json", str(report_path)]
                _, completed = run_timed(command)
                require_success(completed, f"grading the {submission_name} submission")
                report = json.loads(report_path.read_text())
                for exercise in report["exercises"]:
                    for check in exercise["checks"]:
                        if check["kind"] == "timing":
                            key = (submission_name, exercise["name"], check["name"])
                            verdicts.setdefault(key, []).append((check["status"], timing_ratio(check)))
    return verdicts


def timing_ratio(check: dict[str, Any]) -> float | None:
    """Return the ratio a timing check measured, when it recorded one under a name containing ``ratio`` or ``slowdown``."""
    for key, value in (check.get("measurements") or {}).items():
        if ("ratio" in key or "slowdown" in key) and isinstance(value, (int, float)):
            return float(value)
    return None


# 5. Memory.


def bench_memory(results: Results) -> None:
    from grader.sandbox.limits import Limits

    print("\n5. Peak memory (RSS) while grading one full submission")
    with tempfile.TemporaryDirectory(prefix="bench-") as scratch:
        out = Path(scratch) / "memory.json"
        command = [sys.executable, "-c", MEMORY_PROBE, str(out), "run", "exercises", "--submission", "solutions", "--json", str(Path(scratch) / "r.json")]
        _, completed = run_timed(command)
        require_success(completed, "grading for the memory probe")
        usage = json.loads(out.read_text())
    grader_mib = usage["grader_kib"] / 1024
    worker_mib = usage["worker_kib"] / 1024
    cap_mib = Limits().memory_bytes / 2**20
    print(f"   grader process: {grader_mib:.0f} MiB")
    print(f"   largest worker: {worker_mib:.0f} MiB (each worker's address space is capped at {cap_mib:.0f} MiB)")
    results.figures["memory"] = {"grader_mib": grader_mib, "worker_mib": worker_mib, "worker_cap_mib": cap_mib}
    results.targets.append(Target("grader peak RSS", "<= 300 MiB plus each worker's cap", f"{grader_mib:.0f} MiB", grader_mib <= 300))


# Main.


def describe_machine() -> dict[str, Any]:
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    import numpy

    return {
        "cpu": cpu,
        "cores": os.cpu_count(),
        "memory_gib": round(os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30, 1),
        "python": platform.python_version(),
        "numpy": numpy.__version__,
        "openblas_environment": {key: os.environ[key] for key in sorted(os.environ) if key.startswith("OPENBLAS")},
        "load_average": load_average(),
        "date": time.strftime("%Y-%m-%d %H:%M %Z"),
    }


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(description="Measure the grader's speed and memory on this machine.")
    parser.add_argument("--quick", action="store_true", help="one run of each and a class of 4: checks the benchmark works, measures little")
    parser.add_argument("--runs", type=int, default=5, help="whole-process runs of one submission (default 5)")
    parser.add_argument("--class-size", type=int, default=40, help="submissions in the class (default 40)")
    parser.add_argument("--timing-runs", type=int, default=20, help="runs per condition for timing verdicts (default 20)")
    parser.add_argument(
        "--skip", action="append", default=[], choices=["submission", "worker", "class", "timing", "memory"],
        help="leave out a section (repeatable)",
    )
    parser.add_argument("--json", type=Path, metavar="FILE", help="also write every figure as JSON to FILE")
    return parser


def main(argv: list[str] | None = None) -> int:
    arguments = build_parser().parse_args(argv)
    if arguments.quick:
        arguments.runs, arguments.class_size, arguments.timing_runs = 1, 4, 1
    results = Results()
    machine = describe_machine()
    results.figures["machine"] = machine
    print(f"Machine: {machine['cpu']}, {machine['cores']} cores, {machine['memory_gib']} GiB; "
          f"Python {machine['python']}, NumPy {machine['numpy']}; {machine['date']}")
    print(f"OpenBLAS environment: {machine['openblas_environment'] or 'none'}; load average {machine['load_average']}")
    started = time.perf_counter()

    if "submission" not in arguments.skip:
        bench_submission(arguments.runs, results)
    if "worker" not in arguments.skip:
        bench_worker(max(arguments.runs, 3) * 2, 2 if arguments.quick else 20, results)
    if "class" not in arguments.skip:
        bench_class(arguments.class_size, results)
    if "timing" not in arguments.skip:
        bench_timing(arguments.timing_runs, results)
    if "memory" not in arguments.skip:
        bench_memory(results)

    print(f"\nTargets (benchmark took {time.perf_counter() - started:.0f} s; load average now {load_average()}):")
    for target in results.targets:
        verdict = {True: "met", False: "MISSED", None: "not judged (smaller than the target's size)"}[target.met]
        print(f"  {target.name:<50} target {target.limit:<35} measured {target.measured:<12} {verdict}")
    if arguments.json:
        results.figures["targets"] = [vars(target) for target in results.targets]
        arguments.json.write_text(json.dumps(results.figures, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
