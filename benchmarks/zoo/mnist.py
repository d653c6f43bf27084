"""The convnet of pytorch/examples mnist: Conv2d(1, 32, 3, 1), ReLU, Conv2d(32, 64, 3, 1),
ReLU, max_pool2d(2), Dropout(0.25), flatten, Linear(9216, 128), ReLU, Dropout(0.5),
Linear(128, 10), log_softmax + nll_loss; batch 64, Adadelta(lr=1.0).
"""
from __future__ import annotations

NAME = "mnist"
TITLE = "MNIST convnet (official example), B=64, Adadelta"
STEPS = (2, 10)

BATCH = 64


def data(rng):
    import numpy as np
    return {"x": rng.standard_normal((BATCH, 1, 28, 28)).astype(np.float32),
            "y": rng.integers(0, 10, BATCH).astype(np.int64)}


def build(L):
    torch, nn, F = L.torch, L.nn, L.F
    det = L.deterministic

    class Net(nn.Module):
        def __init__(self):
            super().__init__()
            self.conv1 = nn.Conv2d(1, 32, 3, 1)
            self.conv2 = nn.Conv2d(32, 64, 3, 1)
            self.dropout1 = nn.Dropout(0.0 if det else 0.25)
            self.dropout2 = nn.Dropout(0.0 if det else 0.5)
            self.fc1 = nn.Linear(9216, 128)
            self.fc2 = nn.Linear(128, 10)

        def forward(self, x):
            x = F.relu(self.conv1(x))
            x = F.relu(self.conv2(x))
            x = F.max_pool2d(x, 2)
            x = self.dropout1(x)
            x = torch.flatten(x, 1)
            x = F.relu(self.fc1(x))
            x = self.dropout2(x)
            x = self.fc2(x)
            return F.log_softmax(x, dim=1)

    return {"model": Net()}


def trainer(L, mods, batch):
    F, optim = L.F, L.optim
    model = mods["model"]
    model.train()
    opt = optim.Adadelta(model.parameters(), lr=1.0)
    x, y = batch["x"], batch["y"]

    def step():
        opt.zero_grad()
        loss = F.nll_loss(model(x), y)
        loss.backward()
        opt.step()
        return loss

    return step
