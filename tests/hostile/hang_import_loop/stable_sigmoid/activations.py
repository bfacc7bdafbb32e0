"""Hostile submission: hang_import_loop."""

while True:
    pass


def sigmoid(z):
    return z
