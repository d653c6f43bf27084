"""The VAE of pytorch/examples vae: 784-400-(20, 20) encoder, the reparameterisation
mu + eps * exp(logvar / 2), 20-400-784 decoder with a sigmoid; the loss is the summed
binary cross-entropy plus the KL divergence; batch 128, Adam(lr=1e-3).
(With ``L.deterministic`` eps comes with the data instead of ``randn_like``.)
"""
from __future__ import annotations

NAME = "vae"
TITLE = "VAE 784-400-20 (official example), B=128, Adam"
STEPS = (5, 40)

BATCH = 128


def data(rng):
    import numpy as np
    return {"x": rng.random((BATCH, 1, 28, 28)).astype(np.float32),
            "eps": rng.standard_normal((BATCH, 20)).astype(np.float32)}


def build(L):
    torch, nn, F = L.torch, L.nn, L.F
    det = L.deterministic

    class VAE(nn.Module):
        def __init__(self):
            super().__init__()
            self.fc1 = nn.Linear(784, 400)
            self.fc21 = nn.Linear(400, 20)
            self.fc22 = nn.Linear(400, 20)
            self.fc3 = nn.Linear(20, 400)
            self.fc4 = nn.Linear(400, 784)
            self.fixed_eps = None

        def encode(self, x):
            h1 = F.relu(self.fc1(x))
            return self.fc21(h1), self.fc22(h1)

        def reparameterize(self, mu, logvar):
            std = torch.exp(0.5 * logvar)
            eps = self.fixed_eps if det else torch.randn_like(std)
            return mu + eps * std

        def decode(self, z):
            h3 = F.relu(self.fc3(z))
            return torch.sigmoid(self.fc4(h3))

        def forward(self, x):
            mu, logvar = self.encode(x.view(-1, 784))
            z = self.reparameterize(mu, logvar)
            return self.decode(z), mu, logvar

    return {"model": VAE()}


def trainer(L, mods, batch):
    torch, F, optim = L.torch, L.F, L.optim
    model = mods["model"]
    model.fixed_eps = batch["eps"]
    opt = optim.Adam(model.parameters(), lr=1e-3)
    x = batch["x"]

    def loss_function(recon_x, x, mu, logvar):
        BCE = F.binary_cross_entropy(recon_x, x.view(-1, 784), reduction="sum")
        KLD = -0.5 * torch.sum(1 + logvar - mu.pow(2) - logvar.exp())
        return BCE + KLD

    def step():
        opt.zero_grad()
        recon, mu, logvar = model(x)
        loss = loss_function(recon, x, mu, logvar)
        loss.backward()
        opt.step()
        return loss

    return step
