"""Hostile submission: hang_ignore_sigterm."""

import signal
import time

signal.signal(signal.SIGTERM, signal.SIG_IGN)
signal.signal(signal.SIGINT, signal.SIG_IGN)


def sigmoid(z):
    time.sleep(3600)
