"""Hostile submission: huge_allocation."""

import numpy as np


def sigmoid(z):
    return np.ones(10**12)
