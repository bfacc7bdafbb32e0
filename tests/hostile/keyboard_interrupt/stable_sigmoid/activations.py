"""Hostile submission: keyboard_interrupt."""

def sigmoid(z):
    raise KeyboardInterrupt
