"""Hostile submission: missing_module."""

import tensorflow_that_is_not_installed


def sigmoid(z):
    return z
