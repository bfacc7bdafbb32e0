"""Hostile submission: segfault."""

import ctypes


def sigmoid(z):
    return ctypes.string_at(0)
