"""Hostile submission: recursion."""

def sigmoid(z):
    return sigmoid(z)
