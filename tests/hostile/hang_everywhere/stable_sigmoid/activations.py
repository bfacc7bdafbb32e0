"""Hostile submission: hang_everywhere."""

def sigmoid(z):
    while True:
        pass
