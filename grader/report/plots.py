"""Pictures drawn from reports: a submission's activations and timing, a class's scores and checks.

Every picture is drawn from report data alone (never by running code), on
matplotlib's non-interactive Agg canvas without pyplot, so nothing opens a
window or keeps global figure state.  Files are PNG, written atomically.
"""

from __future__ import annotations

import io
import statistics
from pathlib import Path
from typing import Any

from grader.files import write_atomic
from grader.outcome import Status
from grader.report.model import Report

ACTIVATIONS_FILE = "activations.png"
TIMING_FILE = "timing.png"
SCORES_FILE = "scores.png"
CHECKS_FILE = "checks.png"
DPI = 110


def write_submission_plots(report: Report, folder: Path) -> tuple[list[Path], list[str]]:
    """Write a submission's pictures into ``folder``; return the files written and why any were not."""
    written, missing = [], []
    for name, draw in ((ACTIVATIONS_FILE, activation_histograms), (TIMING_FILE, timing_chart)):
        picture, problem = draw(report)
        if picture is None:
            missing.append(f"{name} not drawn: {problem}")
            continue
        write_atomic(folder / name, picture)
        written.append(folder / name)
    return written, missing


def write_class_plots(reports: list[Report], folder: Path) -> list[Path]:
    """Write the class's score distribution and check pass rates into ``folder``."""
    written = []
    for name, picture in ((SCORES_FILE, score_distribution(reports)), (CHECKS_FILE, check_pass_rates(reports))):
        write_atomic(folder / name, picture)
        written.append(folder / name)
    return written


# One submission.


def activation_histograms(report: Report) -> tuple[bytes | None, str]:
    """Draw one histogram per layer of the student's activations, with mean and std in each title."""
    data = report.diagnostics.get("activations")
    if not data:
        return None, "the submission was graded without collecting activations (use --plots)"
    if "problem" in data:
        return None, data["problem"]
    layers = data["layers"]
    network = data["network"]

    columns = min(5, len(layers))
    rows = -(-len(layers) // columns)
    figure, axes = _figure(rows, columns, width=3.1 * columns, height=2.7 * rows + 1.1, sharey=True)
    for axis, layer in zip(axes, layers):
        shares = [100 * count / max(1, layer["values"]) for count in layer["counts"]]
        axis.stairs(shares, layer["edges"], fill=True, color="#4C72B0", alpha=0.85)

        axis.set_title(
            f"Layer {layer['layer']}\nmean {_number(layer['mean'])}, std {_number(layer['std'])}\n"
            f"zeros {100 * layer['zero_fraction']:.0f}%",
            fontsize=9,
        )
        axis.tick_params(labelsize=8)
        axis.grid(axis="y", alpha=0.3)
        remarks = []
        if layer.get("beyond_fraction"):
            remarks.append(f"{100 * layer['beyond_fraction']:.1f}% beyond the right edge")
        if layer.get("non_finite"):
            remarks.append(f"{layer['non_finite']} inf or NaN")
        if remarks:
            axis.text(0.97, 0.95, "\n".join(remarks), transform=axis.transAxes, ha="right", va="top", fontsize=7.5)

    for axis in axes[len(layers):]:
        axis.set_visible(False)
    for row in range(rows):
        axes[row * columns].set_ylabel("share of units (%)", fontsize=9)
    for axis in axes[(rows - 1) * columns:]:
        axis.set_xlabel("activation value", fontsize=9)

    figure.suptitle(
        f"Activations of your forward pass, layer by layer: {network['layers']} ReLU layers of "
        f"{network['width']} units, He initialisation, {network['batch']} samples\n"
        "Exact zeros are left out of the bars and counted in the titles. "
        "In a healthy pass the spread stays about the same in every layer.",
        fontsize=10,
    )
    return _png(figure), ""


def timing_chart(report: Report) -> tuple[bytes | None, str]:
    """Draw the time of the student's, the reference's and a per-sample loop's forward pass."""
    timed = [
        (exercise, check)
        for exercise, check in report.checks()
        if "student_median_seconds" in check.measurements and "reference_median_seconds" in check.measurements
    ]
    if not timed:
        return None, "no timing check ran to completion on this submission"
    figure, axes = _figure(len(timed), 1, width=8.5, height=2.6 * len(timed) + 0.6)
    for axis, (exercise, check) in zip(axes, timed):
        _timing_bars(axis, exercise.name, check.name, check.measurements)
    return _png(figure), ""


def _timing_bars(axis: Any, exercise: str, check: str, measured: dict[str, Any]) -> None:
    """Draw one bar per implementation at its fastest run, as the check compares, and a dot at its median."""
    bars = [
        ("your forward", measured.get("student_seconds") or [measured["student_median_seconds"]], "#4C72B0"),
        ("reference", measured.get("reference_seconds") or [measured["reference_median_seconds"]], "#55A868"),
    ]
    if measured.get("loop_seconds"):
        bars.append(("per-sample loop\n(grader's)", measured["loop_seconds"], "#C44E52"))
    reference = min(bars[1][1])
    positions = list(range(len(bars)))[::-1]
    fastest = [1000 * min(samples) for _, samples, _ in bars]
    medians = [1000 * statistics.median(samples) for _, samples, _ in bars]
    axis.barh(positions, fastest, color=[colour for _, _, colour in bars], height=0.6)
    axis.plot(medians, positions, "o", color="black", markersize=5, label="median run")
    axis.set_yticks(positions, [label for label, _, _ in bars], fontsize=9)
    right = max(fastest + medians)
    for position, best, median in zip(positions, fastest, medians):
        ratio = best / (1000 * reference) if reference else float("nan")
        axis.text(max(best, median) + right * 0.03, position, f"{best:.2f} ms ({ratio:.1f}x reference)", fontsize=8, va="center")
    axis.set_xlim(0, right * 1.45)
    axis.set_xlabel(f"time of one call (ms): bar = fastest of {len(bars[0][1])} runs, which the check compares", fontsize=9)
    axis.legend(loc="lower right", fontsize=8)
    axis.grid(axis="x", alpha=0.3)
    workload = measured.get("workload", "")
    axis.set_title(f"{exercise}: {check}" + (f" on {workload}" if workload else ""), fontsize=10)


# A class.


def score_distribution(reports: list[Report]) -> bytes:
    """Draw a histogram of the students' scores as a percentage of the maximum."""
    percents = [report.percent for report in reports]
    figure, (axis,) = _figure(1, 1, width=7.5, height=4.2)
    edges = list(range(0, 101, 10))
    counts = [0] * 10
    for percent in percents:
        counts[min(9, int(percent // 10))] += 1
    axis.bar([edge + 5 for edge in edges[:-1]], counts, width=9, color="#4C72B0")
    for edge, count in zip(edges, counts):
        if count:
            axis.annotate(
                str(count), (edge + 5, count), xytext=(0, 4), textcoords="offset points", ha="center", va="bottom",
                fontsize=9, zorder=4, bbox={"facecolor": "white", "edgecolor": "none", "pad": 1},
            )
    if percents:
        median = statistics.median(percents)
        axis.axvline(median, color="#C44E52", linestyle="--", linewidth=1.5, label=f"median {median:.0f}%")
        axis.legend(loc="upper left", fontsize=9)
    axis.set_xticks(edges)
    axis.set_xlim(-1, 101)
    axis.set_ylim(0, max(counts + [1]) * 1.18)
    axis.yaxis.get_major_locator().set_params(integer=True)
    axis.set_xlabel("score (% of the maximum); the last bar includes 100%")
    axis.set_ylabel("students")
    axis.set_title(f"Score distribution of {len(percents)} students")
    axis.grid(axis="y", alpha=0.3)
    return _png(figure)


def pass_rates(reports: list[Report]) -> list[tuple[str, str, int, int]]:
    """Return (exercise, check, passed, graded) for every check, in report order; skipped checks are not graded."""
    order: dict[tuple[str, str], list[int]] = {}
    for report in reports:
        for exercise, check in report.checks():
            counts = order.setdefault((exercise.name, check.name), [0, 0])
            if check.status is not Status.SKIPPED:
                counts[1] += 1
                counts[0] += check.status is Status.PASSED
    return [(exercise, check, passed, graded) for (exercise, check), (passed, graded) in order.items()]


def check_pass_rates(reports: list[Report]) -> bytes:
    """Draw the share of students who passed each check, one bar per check."""
    rates = pass_rates(reports)
    figure, (axis,) = _figure(1, 1, width=8.5, height=0.42 * len(rates) + 1.6)
    positions = list(range(len(rates)))[::-1]
    shares = [100 * passed / graded if graded else 0 for _, _, passed, graded in rates]
    axis.barh(positions, shares, color="#55A868", height=0.65)
    axis.set_yticks(positions, [f"{exercise}: {check}" for exercise, check, _, _ in rates], fontsize=9)
    for position, share, (_, _, passed, graded) in zip(positions, shares, rates):
        axis.text(share + 1.5, position, f"{passed}/{graded}", va="center", fontsize=8)
    axis.set_xlim(0, 112)
    axis.set_xticks(range(0, 101, 20))
    axis.set_xlabel("students who passed the check (%)")
    axis.set_title(f"Pass rate of every check ({len(reports)} students)")
    axis.grid(axis="x", alpha=0.3)
    return _png(figure)


# Helpers.


def _figure(rows: int, columns: int, *, width: float, height: float, sharey: bool = False) -> tuple[Any, list[Any]]:
    from matplotlib.figure import Figure  # imported here: about 0.3 s, and only pictures need it

    figure = Figure(figsize=(width, height), dpi=DPI, layout="constrained")
    grid = figure.subplots(rows, columns, sharey=sharey, squeeze=False)
    return figure, [axis for row in grid for axis in row]


def _png(figure: Any) -> bytes:
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=DPI)
    return buffer.getvalue()


def _number(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.2f}"
