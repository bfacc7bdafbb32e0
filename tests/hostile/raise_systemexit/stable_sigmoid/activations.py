"""Hostile submission: raise_systemexit."""

def sigmoid(z):
    raise SystemExit(3)
