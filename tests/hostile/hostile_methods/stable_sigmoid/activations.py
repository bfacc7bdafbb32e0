"""Hostile submission: hostile_methods."""

import time


class Hostile:
    def __array__(self, *args, **kwargs):
        time.sleep(3600)

    def __len__(self):
        raise RuntimeError("no length")

    def __repr__(self):
        while True:
            pass

    def __str__(self):
        raise RuntimeError("no text")

    def __iter__(self):
        raise RuntimeError("no items")

    def __getattr__(self, name):
        time.sleep(3600)


def sigmoid(z):
    return Hostile()
