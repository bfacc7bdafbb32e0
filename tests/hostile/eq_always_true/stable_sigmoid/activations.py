"""Hostile submission: eq_always_true."""

class Anything:
    def __eq__(self, other):
        return True

    def __ne__(self, other):
        return False

    __hash__ = object.__hash__


def sigmoid(z):
    return Anything()
