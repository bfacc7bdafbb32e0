"""Hostile submission: sigkill_self."""

import os
import signal


def sigmoid(z):
    os.kill(os.getpid(), signal.SIGKILL)
