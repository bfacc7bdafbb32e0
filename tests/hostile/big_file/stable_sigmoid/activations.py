"""Hostile submission: big_file."""


def sigmoid(z):
    with open("big.bin", "wb") as stream:
        for _ in range(64):
            stream.write(bytes(2**20))
