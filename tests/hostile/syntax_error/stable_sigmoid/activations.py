"""Hostile submission: syntax_error."""

def sigmoid(z)
    return z
