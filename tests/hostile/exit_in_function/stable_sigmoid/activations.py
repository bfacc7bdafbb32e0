"""Hostile submission: exit_in_function."""

import sys


def sigmoid(z):
    sys.exit(0)
