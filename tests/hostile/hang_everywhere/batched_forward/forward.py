"""Hostile submission: hang_everywhere."""

def forward(X, params, activations):
    while True:
        pass
