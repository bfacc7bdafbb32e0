"""Hostile submission: memory_creep."""

def sigmoid(z):
    blocks = []
    while True:
        blocks.append(bytearray(64 * 2**20))
