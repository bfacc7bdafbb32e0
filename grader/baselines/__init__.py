"""Grader-written implementations that timing checks measure beside the student's and the reference's.

Each module here is loaded by file path into the reference worker, so it
must import only NumPy and the standard library.
"""

from pathlib import Path

#: The forward pass computed one sample (one column of X) at a time.
PER_SAMPLE_FORWARD = Path(__file__).with_name("per_sample.py")
