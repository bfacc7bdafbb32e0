"""Pictures: a submission's activation histograms and timing chart, a class's scores and pass rates."""

import json
import struct

from conftest import EXERCISES, SOLUTIONS, Code, run_grader, sample_report

from grader.report import plots
from grader.report.model import Report


def png_size(path) -> tuple[int, int]:
    """Return (width, height) of a PNG file, failing unless it starts like one."""
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n", f"{path} is not a PNG file"
    return struct.unpack(">II", data[16:24])


def test_plots_of_correct_submission(tmp_path):
    result = run_grader(
        "run", str(EXERCISES), "--submission", str(SOLUTIONS), "--plots", str(tmp_path / "plots"), "--json", str(tmp_path / "r.json")
    )
    assert result.returncode == 0, result.stderr
    width, height = png_size(tmp_path / "plots" / "activations.png")
    assert width > 1200
    assert height > 500
    width, height = png_size(tmp_path / "plots" / "timing.png")
    assert width > 600
    assert height > 200

    report = Report.from_dict(json.loads((tmp_path / "r.json").read_text()))
    layers = report.diagnostics["activations"]["layers"]
    assert [layer["layer"] for layer in layers] == list(range(1, 11))
    # He initialisation keeps the spread steady with depth, and a ReLU zeroes about half the units.
    assert all(0.6 < layer["std"] < 1.2 for layer in layers)
    assert all(0.4 < layer["zero_fraction"] < 0.6 for layer in layers)
    speed = report.exercises[1].checks[-1].measurements
    assert speed["loop_median_seconds"] > speed["reference_median_seconds"]
    assert len(speed["loop_seconds"]) == len(speed["student_seconds"]) == 9


def test_missing_forward_draws_no_histograms(tmp_path, submissions):
    path = submissions.file("only_sigmoid", Code(forward=None))
    result = run_grader("run", str(EXERCISES), "--submission", str(path), "--plots", str(tmp_path / "plots"))
    assert result.returncode == 0, result.stderr
    assert "grader: activations.png not drawn: forward could not be called: missing: define `forward` in your submission" in result.stderr
    assert "grader: timing.png not drawn: no timing check ran to completion on this submission" in result.stderr
    assert not (tmp_path / "plots").exists()


def test_wrong_forward_explains_missing_histograms(tmp_path, submissions):
    path = submissions.file("transposed", Code(forward="transposed"))
    result = run_grader("run", str(EXERCISES), "--submission", str(path), "--only", "batched_forward", "--plots", str(tmp_path / "plots"))
    assert "activations.png not drawn: forward returned shape (512, 256) for the first 1 layers, expected shape (256, 512)" in result.stderr


def test_class_plots_are_pngs(tmp_path):
    reports = [sample_report("alice"), sample_report("bob")]
    written = plots.write_class_plots(reports, tmp_path)
    assert [path.name for path in written] == ["scores.png", "checks.png"]
    assert all(png_size(path)[0] > 500 for path in written)
    assert plots.pass_rates(reports)[:2] == [("stable_sigmoid", "passes", 2, 2), ("stable_sigmoid", "fails", 0, 2)]
    assert ("batched_forward", "needs_reference", 0, 0) in plots.pass_rates(reports)
