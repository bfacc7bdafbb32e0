"""Hostile submission: slow_import."""

import time

time.sleep(20)


def sigmoid(z):
    return z
