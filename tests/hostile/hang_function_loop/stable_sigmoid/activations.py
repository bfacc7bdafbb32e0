"""Hostile submission: hang_function_loop."""

def sigmoid(z):
    while True:
        pass
