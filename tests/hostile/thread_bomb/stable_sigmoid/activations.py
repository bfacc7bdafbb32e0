"""Hostile submission: thread_bomb."""

import threading
import time


def sigmoid(z):
    while True:
        threading.Thread(target=time.sleep, args=(3600,), daemon=True).start()
