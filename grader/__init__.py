"""grader: a grading and exercise harness for the batched forward pass of a neural network in NumPy."""

__version__ = "0.1.0"
