"""Hostile submission: os_exit."""

import os


def sigmoid(z):
    os._exit(0)
