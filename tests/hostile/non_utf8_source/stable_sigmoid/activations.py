# Fonction sigmoïde écrite en Latin-1


def sigmoid(z):
    name = "sigmoïde"
    return z
