"""Hostile submission: many_files."""

import os


def sigmoid(z):
    streams = []
    for _ in range(100_000):
        streams.append(open(os.devnull))
