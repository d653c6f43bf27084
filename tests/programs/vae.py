"""The variational autoencoder of PyTorch's VAE example (784-400-20), on synthetic images.

The encoder gives a mean and a log-variance, a latent is drawn with the reparameterisation
trick, and the loss is the binary cross-entropy of the reconstruction plus the KL divergence
from the unit Gaussian. The data are blurred random blobs in [0, 1], batched by a DataLoader
over a TensorDataset taken in a shuffled order.

    python vae.py --epochs 2 --losses losses.json

For a run in lockstep with another library: ``--float64 --numpy-noise`` (the reparameterisation
noise, the shuffle and the samples are drawn with NumPy from ``--seed``) and the initial
weights written by one run (``--save-init``) and read by the other (``--load-init``).
"""
import argparse
import json

import numpy as np
import torch
import torch.utils.data
from torch import nn, optim
from torch.nn import functional as F


class VAE(nn.Module):
    def __init__(self, noise=None):
        super(VAE, self).__init__()
        self.fc1 = nn.Linear(784, 400)
        self.fc21 = nn.Linear(400, 20)
        self.fc22 = nn.Linear(400, 20)
        self.fc3 = nn.Linear(20, 400)
        self.fc4 = nn.Linear(400, 784)
        self.noise = noise or torch.randn_like

    def encode(self, x):
        h1 = F.relu(self.fc1(x))
        return self.fc21(h1), self.fc22(h1)

    def reparameterize(self, mu, logvar):
        std = torch.exp(0.5 * logvar)
        eps = self.noise(std)
        return mu + eps * std

    def decode(self, z):
        h3 = F.relu(self.fc3(z))
        return torch.sigmoid(self.fc4(h3))

    def forward(self, x):
        mu, logvar = self.encode(x.view(-1, 784))
        z = self.reparameterize(mu, logvar)
        return self.decode(z), mu, logvar


def loss_function(recon_x, x, mu, logvar):
    """Reconstruction + KL divergence, summed over the batch."""
    BCE = F.binary_cross_entropy(recon_x, x.view(-1, 784), reduction='sum')
    # 0.5 * sum(1 + log(sigma^2) - mu^2 - sigma^2): Kingma and Welling, appendix B
    KLD = -0.5 * torch.sum(1 + logvar - mu.pow(2) - logvar.exp())
    return BCE + KLD


def blobs(n, rng, dtype):
    """``n`` images of 1x28x28: a few Gaussian blobs at random places, values in [0, 1]."""
    yy, xx = np.mgrid[0:28, 0:28]
    images = np.zeros((n, 1, 28, 28))
    for i in range(n):
        for _ in range(3):
            cy, cx = rng.uniform(4, 24, size=2)
            s = rng.uniform(1.5, 4.0)
            images[i, 0] += np.exp(-((yy - cy) ** 2 + (xx - cx) ** 2) / (2 * s * s))
    return np.clip(images, 0.0, 1.0).astype(dtype)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--batch-size', type=int, default=8)
    parser.add_argument('--train-size', type=int, default=40)
    parser.add_argument('--test-size', type=int, default=8)
    parser.add_argument('--epochs', type=int, default=2)
    parser.add_argument('--seed', type=int, default=1)
    parser.add_argument('--numpy-noise', action='store_true',
                        help='draw the noise, shuffle and samples with NumPy')
    parser.add_argument('--float64', action='store_true', help='compute in float64')
    parser.add_argument('--save-init', metavar='PATH', help='save the initial state_dict here (after --load-init)')
    parser.add_argument('--load-init', metavar='PATH', help='start from this state_dict')
    parser.add_argument('--losses', metavar='PATH', help='write the losses to this JSON file')
    args = parser.parse_args()

    torch.manual_seed(args.seed)
    if args.float64:
        torch.set_default_dtype(torch.float64)
    dtype = np.float64 if args.float64 else np.float32
    rng = np.random.default_rng(args.seed)

    def numpy_randn_like(t):
        return torch.from_numpy(rng.standard_normal(t.shape).astype(dtype))

    def randn(*shape):
        return numpy_randn_like(torch.empty(*shape)) if args.numpy_noise else torch.randn(*shape)

    train_set = torch.utils.data.TensorDataset(torch.from_numpy(blobs(args.train_size, rng, dtype)))
    test_set = torch.utils.data.TensorDataset(torch.from_numpy(blobs(args.test_size, rng, dtype)))
    if args.numpy_noise:
        order = rng.permutation(len(train_set)).tolist()
        train_loader = torch.utils.data.DataLoader(torch.utils.data.Subset(train_set, order),
                                                   batch_size=args.batch_size, shuffle=False)
    else:
        train_loader = torch.utils.data.DataLoader(train_set, batch_size=args.batch_size,
                                                   shuffle=True)
    test_loader = torch.utils.data.DataLoader(test_set, batch_size=args.batch_size, shuffle=False)

    model = VAE(noise=numpy_randn_like if args.numpy_noise else None)
    if args.load_init:
        model.load_state_dict(torch.load(args.load_init))
    if args.save_init:
        torch.save(model.state_dict(), args.save_init)
    optimizer = optim.Adam(model.parameters(), lr=1e-3)

    history = {"losses": [], "test_loss": [], "sample_mean": []}
    for epoch in range(1, args.epochs + 1):
        model.train()
        train_loss = 0
        for batch_idx, (data,) in enumerate(train_loader):
            optimizer.zero_grad()
            recon_batch, mu, logvar = model(data)
            loss = loss_function(recon_batch, data, mu, logvar)
            loss.backward()
            train_loss += loss.item()
            optimizer.step()
            history["losses"].append(loss.item() / len(data))
            print('Train Epoch: {} [{}/{}]\tLoss: {:.6f}'.format(
                epoch, batch_idx * len(data), len(train_loader.dataset), loss.item() / len(data)))
        print('====> Epoch: {} Average loss: {:.4f}'.format(epoch, train_loss / len(train_loader.dataset)))

        model.eval()
        test_loss = 0
        with torch.no_grad():
            for i, (data,) in enumerate(test_loader):
                recon_batch, mu, logvar = model(data)
                test_loss += loss_function(recon_batch, data, mu, logvar).item()
                if i == 0:
                    n = min(data.size(0), 8)
                    comparison = torch.cat([data[:n], recon_batch.view(data.size(0), 1, 28, 28)[:n]])
                    assert comparison.shape == (2 * n, 1, 28, 28)
        test_loss /= len(test_loader.dataset)
        history["test_loss"].append(test_loss)
        print('====> Test set loss: {:.4f}'.format(test_loss))

        with torch.no_grad():
            sample = model.decode(randn(64, 20)).cpu()
            history["sample_mean"].append(sample.view(64, 1, 28, 28).mean().item())

    if args.losses:
        with open(args.losses, "w") as f:
            json.dump(history, f)


if __name__ == "__main__":
    main()
