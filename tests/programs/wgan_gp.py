"""A Wasserstein GAN with gradient penalty (WGAN-GP) on synthetic 16x16 colour images, in
the manner of the published WGAN-GP training scripts.

The critic is a small convnet without batch norm (the penalty is per sample) that scores
an image with one unbounded number; the generator is DCGAN's (transposed convolutions,
batch norm, ReLU, tanh). The critic takes ``--n-critic`` steps per generator step, each
on ``D(fake) - D(real)`` plus ``lambda * (|grad_x D(x_hat)| - 1)^2`` at random points
``x_hat`` between real and fake images, the gradient taken with
``autograd.grad(create_graph=True)`` so that the penalty itself is differentiated. Adam
with betas (0.5, 0.9) for both.

    python wgan_gp.py --steps 4 --losses losses.json

For a run in lockstep with another library: ``--float64 --numpy-noise`` (the latent
noise and the interpolation weights are drawn with NumPy from ``--seed``) and the
initial weights of both networks written by one run (``--save-init``) and read by the
other (``--load-init``).
"""
import argparse
import json

import numpy as np
import torch
import torch.autograd as autograd
import torch.nn as nn
import torch.optim as optim


class Critic(nn.Module):
    def __init__(self, nc, ndf):
        super().__init__()
        self.features = nn.Sequential(
            nn.Conv2d(nc, ndf, 4, 2, 1),            # 16 -> 8
            nn.LeakyReLU(0.2, inplace=True),
            nn.Conv2d(ndf, ndf * 2, 4, 2, 1),       # 8 -> 4
            nn.LeakyReLU(0.2, inplace=True),
        )
        self.score = nn.Linear(ndf * 2 * 4 * 4, 1)

    def forward(self, x):
        return self.score(self.features(x).flatten(1)).view(-1)


class Generator(nn.Module):
    def __init__(self, nz, ngf, nc):
        super().__init__()
        self.main = nn.Sequential(
            nn.ConvTranspose2d(nz, ngf * 4, 4, 1, 0, bias=False),   # 1 -> 4
            nn.BatchNorm2d(ngf * 4),
            nn.ReLU(True),
            nn.ConvTranspose2d(ngf * 4, ngf * 2, 4, 2, 1, bias=False),  # 4 -> 8
            nn.BatchNorm2d(ngf * 2),
            nn.ReLU(True),
            nn.ConvTranspose2d(ngf * 2, nc, 4, 2, 1, bias=False),  # 8 -> 16
            nn.Tanh(),
        )

    def forward(self, z):
        return self.main(z)


def gradient_penalty(critic, real, fake, alpha):
    """``(|grad D(x_hat)|_2 - 1)^2`` averaged over the batch, ``x_hat`` between real and fake."""
    x_hat = (alpha * real + (1 - alpha) * fake).requires_grad_(True)
    scores = critic(x_hat)
    grads = autograd.grad(outputs=scores, inputs=x_hat, grad_outputs=torch.ones_like(scores),
                          create_graph=True, retain_graph=True, only_inputs=True)[0]
    return ((grads.view(grads.size(0), -1).norm(2, dim=1) - 1) ** 2).mean()


def rings(n, rng, dtype):
    """``n`` 3x16x16 images in [-1, 1]: coloured rings of random radius and centre."""
    yy, xx = np.mgrid[0:16, 0:16]
    images = np.empty((n, 3, 16, 16))
    for i in range(n):
        cy, cx, radius = rng.uniform(5, 11), rng.uniform(5, 11), rng.uniform(2, 6)
        colour = rng.uniform(-1, 1, size=3)
        ring = np.cos(np.hypot(yy - cy, xx - cx) - radius)
        images[i] = colour[:, None, None] * ring[None]
    return images.astype(dtype)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--batch-size', type=int, default=4)
    parser.add_argument('--train-size', type=int, default=32)
    parser.add_argument('--steps', type=int, default=4, help='generator steps')
    parser.add_argument('--n-critic', type=int, default=3, help='critic steps per generator step')
    parser.add_argument('--gp-lambda', type=float, default=10.0)
    parser.add_argument('--nz', type=int, default=16)
    parser.add_argument('--ngf', type=int, default=8)
    parser.add_argument('--ndf', type=int, default=8)
    parser.add_argument('--lr', type=float, default=1e-4)
    parser.add_argument('--seed', type=int, default=7)
    parser.add_argument('--numpy-noise', action='store_true', help='draw noise and weights with NumPy')
    parser.add_argument('--float64', action='store_true', help='compute in float64')
    parser.add_argument('--save-init', metavar='PATH', help='save both initial state_dicts here (after --load-init)')
    parser.add_argument('--load-init', metavar='PATH', help='start from these state_dicts')
    parser.add_argument('--losses', metavar='PATH', help='write the losses to this JSON file')
    opt = parser.parse_args()

    torch.manual_seed(opt.seed)
    if opt.float64:
        torch.set_default_dtype(torch.float64)
    dtype = np.float64 if opt.float64 else np.float32
    rng = np.random.default_rng(opt.seed)
    data = torch.from_numpy(rings(opt.train_size, rng, dtype))
    loader = torch.utils.data.DataLoader(torch.utils.data.TensorDataset(data),
                                         batch_size=opt.batch_size, shuffle=False, drop_last=True)

    netG, netD = Generator(opt.nz, opt.ngf, 3), Critic(3, opt.ndf)
    if opt.load_init:
        init = torch.load(opt.load_init)
        netG.load_state_dict(init['netG'])
        netD.load_state_dict(init['netD'])
    if opt.save_init:
        torch.save({'netG': netG.state_dict(), 'netD': netD.state_dict()}, opt.save_init)
    optD = optim.Adam(netD.parameters(), lr=opt.lr, betas=(0.5, 0.9))
    optG = optim.Adam(netG.parameters(), lr=opt.lr, betas=(0.5, 0.9))

    def noise(b):
        if opt.numpy_noise:
            return torch.from_numpy(rng.standard_normal((b, opt.nz, 1, 1)).astype(dtype))
        return torch.randn(b, opt.nz, 1, 1)

    def mix(b):
        if opt.numpy_noise:
            return torch.from_numpy(rng.random((b, 1, 1, 1)).astype(dtype))
        return torch.rand(b, 1, 1, 1)

    history = {"losses": [], "penalty": [], "wasserstein": [], "loss_g": []}
    batches = iter(loader)
    for step in range(opt.steps):
        for p in netD.parameters():
            p.requires_grad = True
        for _ in range(opt.n_critic):
            try:
                (real,) = next(batches)
            except StopIteration:
                batches = iter(loader)
                (real,) = next(batches)
            optD.zero_grad()
            with torch.no_grad():
                fake = netG(noise(real.size(0)))
            d_real, d_fake = netD(real).mean(), netD(fake).mean()
            gp = gradient_penalty(netD, real, fake, mix(real.size(0)))
            loss_d = d_fake - d_real + opt.gp_lambda * gp
            loss_d.backward()
            optD.step()
            history["losses"].append(loss_d.item())
            history["penalty"].append(gp.item())
            history["wasserstein"].append((d_real - d_fake).item())

        for p in netD.parameters():   # the critic is fixed while the generator learns
            p.requires_grad = False
        optG.zero_grad()
        loss_g = -netD(netG(noise(opt.batch_size))).mean()
        loss_g.backward()
        optG.step()
        history["loss_g"].append(loss_g.item())
        print(f"[{step}/{opt.steps}] loss_D {history['losses'][-1]:.4f} "
              f"loss_G {loss_g.item():.4f} W {history['wasserstein'][-1]:.4f}")

    if opt.losses:
        with open(opt.losses, "w") as f:
            json.dump(history, f)


if __name__ == '__main__':
    main()
