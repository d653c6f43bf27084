"""DCGAN in the manner of pytorch/examples dcgan: a generator of ConvTranspose2d +
BatchNorm + ReLU from nz=100 to 64x64x3 (ngf=64, Tanh), a discriminator of stride-2
Conv2d + BatchNorm + LeakyReLU(0.2) (ndf=64, Sigmoid), N(0, 0.02) initialisation; one
iteration = the discriminator step on a real and a fake batch, then the generator step;
BCE loss, Adam(lr=0.0002, betas=(0.5, 0.999)), batch 16. The noise comes with the data.
"""
from __future__ import annotations

NAME = "dcgan"
TITLE = "DCGAN G+D step, 64x64x3, nz=100, ngf=ndf=64, B=16, Adam"
STEPS = (2, 4)

NZ, NGF, NDF, NC, BATCH = 100, 64, 64, 3, 16


def data(rng):
    import numpy as np
    return {"real": rng.uniform(-1, 1, (BATCH, NC, 64, 64)).astype(np.float32),
            "noise": rng.standard_normal((BATCH, NZ, 1, 1)).astype(np.float32)}


def build(L):
    nn = L.nn

    def weights_init(m):
        classname = m.__class__.__name__
        if classname.find("Conv") != -1:
            nn.init.normal_(m.weight, 0.0, 0.02)
        elif classname.find("BatchNorm") != -1:
            nn.init.normal_(m.weight, 1.0, 0.02)
            nn.init.zeros_(m.bias)

    class Generator(nn.Module):
        def __init__(self):
            super().__init__()
            self.main = nn.Sequential(
                nn.ConvTranspose2d(NZ, NGF * 8, 4, 1, 0, bias=False),      # 4x4
                nn.BatchNorm2d(NGF * 8), nn.ReLU(True),
                nn.ConvTranspose2d(NGF * 8, NGF * 4, 4, 2, 1, bias=False),  # 8x8
                nn.BatchNorm2d(NGF * 4), nn.ReLU(True),
                nn.ConvTranspose2d(NGF * 4, NGF * 2, 4, 2, 1, bias=False),  # 16x16
                nn.BatchNorm2d(NGF * 2), nn.ReLU(True),
                nn.ConvTranspose2d(NGF * 2, NGF, 4, 2, 1, bias=False),      # 32x32
                nn.BatchNorm2d(NGF), nn.ReLU(True),
                nn.ConvTranspose2d(NGF, NC, 4, 2, 1, bias=False),           # 64x64
                nn.Tanh())

        def forward(self, z):
            return self.main(z)

    class Discriminator(nn.Module):
        def __init__(self):
            super().__init__()
            self.main = nn.Sequential(
                nn.Conv2d(NC, NDF, 4, 2, 1, bias=False),                   # 32x32
                nn.LeakyReLU(0.2, inplace=True),
                nn.Conv2d(NDF, NDF * 2, 4, 2, 1, bias=False),              # 16x16
                nn.BatchNorm2d(NDF * 2), nn.LeakyReLU(0.2, inplace=True),
                nn.Conv2d(NDF * 2, NDF * 4, 4, 2, 1, bias=False),          # 8x8
                nn.BatchNorm2d(NDF * 4), nn.LeakyReLU(0.2, inplace=True),
                nn.Conv2d(NDF * 4, NDF * 8, 4, 2, 1, bias=False),          # 4x4
                nn.BatchNorm2d(NDF * 8), nn.LeakyReLU(0.2, inplace=True),
                nn.Conv2d(NDF * 8, 1, 4, 1, 0, bias=False),
                nn.Sigmoid())

        def forward(self, x):
            return self.main(x).view(-1, 1).squeeze(1)

    netG, netD = Generator(), Discriminator()
    netG.apply(weights_init)
    netD.apply(weights_init)
    return {"netG": netG, "netD": netD}


def trainer(L, mods, batch):
    torch, nn, optim = L.torch, L.nn, L.optim
    netG, netD = mods["netG"], mods["netD"]
    criterion = nn.BCELoss()
    optD = optim.Adam(netD.parameters(), lr=0.0002, betas=(0.5, 0.999))
    optG = optim.Adam(netG.parameters(), lr=0.0002, betas=(0.5, 0.999))
    real, noise = batch["real"], batch["noise"]
    real_label, fake_label = 1.0, 0.0

    def step():
        # (1) update D: maximize log(D(x)) + log(1 - D(G(z)))
        netD.zero_grad()
        b = real.size(0)
        label = torch.full((b,), real_label, dtype=real.dtype)
        errD_real = criterion(netD(real), label)
        errD_real.backward()
        fake = netG(noise)
        label.fill_(fake_label)
        errD_fake = criterion(netD(fake.detach()), label)
        errD_fake.backward()
        optD.step()
        # (2) update G: maximize log(D(G(z)))
        netG.zero_grad()
        label.fill_(real_label)
        errG = criterion(netD(fake), label)
        errG.backward()
        optG.step()
        return errD_real + errD_fake, errG

    return step
