"""Hostile submission: hang_sleep."""

import time


def sigmoid(z):
    time.sleep(3600)
