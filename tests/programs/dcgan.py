"""A small DCGAN in the manner of PyTorch's DCGAN example, on synthetic 16x16 colour images.

The generator turns a latent vector into an image with transposed convolutions, batch norm
and ReLU, ending in tanh; the discriminator scores images with strided convolutions, batch
norm and leaky ReLU, ending in a sigmoid. Each step updates D on a real and a fake batch
(BCELoss), then G through D's verdict on the same fakes. Both use Adam with beta1 = 0.5.

    python dcgan.py --steps 10 --losses losses.json

For a run in lockstep with another library: ``--float64 --numpy-noise`` (the latent noise is
drawn with NumPy from ``--seed``) and the initial weights of both networks written by one run
(``--save-init``) and read by the other (``--load-init``).
"""
import argparse
import json

import numpy as np
import torch
import torch.backends.cudnn as cudnn
import torch.nn as nn
import torch.optim as optim
import torch.utils.data


def weights_init(m):
    """The DCGAN paper's init: N(0, 0.02) for convolutions, N(1, 0.02) for batch-norm gains."""
    classname = m.__class__.__name__
    if classname.find('Conv') != -1:
        torch.nn.init.normal_(m.weight, 0.0, 0.02)
    elif classname.find('BatchNorm') != -1:
        torch.nn.init.normal_(m.weight, 1.0, 0.02)
        torch.nn.init.zeros_(m.bias)


class Generator(nn.Module):
    def __init__(self, nz, ngf, nc, ngpu=0):
        super(Generator, self).__init__()
        self.ngpu = ngpu
        self.main = nn.Sequential(
            # nz x 1 x 1
            nn.ConvTranspose2d(nz, ngf * 4, 4, 1, 0, bias=False),
            nn.BatchNorm2d(ngf * 4),
            nn.ReLU(True),
            # (ngf*4) x 4 x 4
            nn.ConvTranspose2d(ngf * 4, ngf * 2, 4, 2, 1, bias=False),
            nn.BatchNorm2d(ngf * 2),
            nn.ReLU(True),
            # (ngf*2) x 8 x 8
            nn.ConvTranspose2d(ngf * 2, nc, 4, 2, 1, bias=False),
            nn.Tanh()
            # nc x 16 x 16
        )

    def forward(self, input):
        if input.is_cuda and self.ngpu > 1:
            output = nn.parallel.data_parallel(self.main, input, range(self.ngpu))
        else:
            output = self.main(input)
        return output


class Discriminator(nn.Module):
    def __init__(self, nc, ndf, ngpu=0):
        super(Discriminator, self).__init__()
        self.ngpu = ngpu
        self.main = nn.Sequential(
            # nc x 16 x 16
            nn.Conv2d(nc, ndf, 4, 2, 1, bias=False),
            nn.LeakyReLU(0.2, inplace=True),
            # ndf x 8 x 8
            nn.Conv2d(ndf, ndf * 2, 4, 2, 1, bias=False),
            nn.BatchNorm2d(ndf * 2),
            nn.LeakyReLU(0.2, inplace=True),
            # (ndf*2) x 4 x 4
            nn.Conv2d(ndf * 2, 1, 4, 1, 0, bias=False),
            nn.Sigmoid()
        )

    def forward(self, input):
        if input.is_cuda and self.ngpu > 1:
            output = nn.parallel.data_parallel(self.main, input, range(self.ngpu))
        else:
            output = self.main(input)
        return output.view(-1, 1).squeeze(1)


def stripes(n, rng, dtype):
    """``n`` 3x16x16 images in [-1, 1]: coloured diagonal stripes at random phases."""
    yy, xx = np.mgrid[0:16, 0:16]
    images = np.empty((n, 3, 16, 16))
    for i in range(n):
        phase, freq = rng.uniform(0, 2 * np.pi), rng.uniform(0.3, 0.8)
        colour = rng.uniform(-1, 1, size=3)
        images[i] = colour[:, None, None] * np.sin(freq * (xx + yy) + phase)[None]
    return images.astype(dtype)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--batch-size', type=int, default=4)
    parser.add_argument('--train-size', type=int, default=40)
    parser.add_argument('--steps', type=int, default=10)
    parser.add_argument('--nz', type=int, default=16, help='size of the latent vector')
    parser.add_argument('--ngf', type=int, default=8)
    parser.add_argument('--ndf', type=int, default=8)
    parser.add_argument('--lr', type=float, default=0.0002)
    parser.add_argument('--beta1', type=float, default=0.5)
    parser.add_argument('--seed', type=int, default=999)
    parser.add_argument('--numpy-noise', action='store_true', help='draw the latent noise with NumPy')
    parser.add_argument('--float64', action='store_true', help='compute in float64')
    parser.add_argument('--save-init', metavar='PATH', help='save both initial state_dicts here (after --load-init)')
    parser.add_argument('--load-init', metavar='PATH', help='start from these state_dicts')
    parser.add_argument('--losses', metavar='PATH', help='write the losses to this JSON file')
    opt = parser.parse_args()

    torch.manual_seed(opt.seed)
    cudnn.benchmark = True
    if opt.float64:
        torch.set_default_dtype(torch.float64)
    dtype = np.float64 if opt.float64 else np.float32
    rng = np.random.default_rng(opt.seed)
    device = torch.device("cpu")
    nc = 3

    dataset = torch.utils.data.TensorDataset(torch.from_numpy(stripes(opt.train_size, rng, dtype)))
    dataloader = torch.utils.data.DataLoader(dataset, batch_size=opt.batch_size, shuffle=False,
                                             drop_last=True)

    netG = Generator(opt.nz, opt.ngf, nc).to(device)
    netG.apply(weights_init)
    netD = Discriminator(nc, opt.ndf).to(device)
    netD.apply(weights_init)
    print(netG)
    print(netD)
    if opt.load_init:
        init = torch.load(opt.load_init, map_location=device)
        netG.load_state_dict(init['netG'])
        netD.load_state_dict(init['netD'])
    if opt.save_init:
        torch.save({'netG': netG.state_dict(), 'netD': netD.state_dict()}, opt.save_init)

    criterion = nn.BCELoss()

    def noise(b):
        if opt.numpy_noise:
            return torch.from_numpy(rng.standard_normal((b, opt.nz, 1, 1)).astype(dtype))
        return torch.randn(b, opt.nz, 1, 1, device=device)

    fixed_noise = noise(opt.batch_size)
    real_label = 1.
    fake_label = 0.

    optimizerD = optim.Adam(netD.parameters(), lr=opt.lr, betas=(opt.beta1, 0.999))
    optimizerG = optim.Adam(netG.parameters(), lr=opt.lr, betas=(opt.beta1, 0.999))

    history = {"losses": [], "loss_g": [], "d_x": [], "d_g_z": []}
    step = 0
    while step < opt.steps:
        for i, (data,) in enumerate(dataloader):
            if step == opt.steps:
                break
            # (1) update D: maximize log(D(x)) + log(1 - D(G(z)))
            netD.zero_grad()
            real_cpu = data.to(device)
            batch_size = real_cpu.size(0)
            label = torch.full((batch_size,), real_label, dtype=real_cpu.dtype, device=device)
            output = netD(real_cpu)
            errD_real = criterion(output, label)
            errD_real.backward()
            D_x = output.mean().item()

            fake = netG(noise(batch_size))
            label.fill_(fake_label)
            output = netD(fake.detach())
            errD_fake = criterion(output, label)
            errD_fake.backward()
            D_G_z1 = output.mean().item()
            errD = errD_real + errD_fake
            optimizerD.step()

            # (2) update G: maximize log(D(G(z)))
            netG.zero_grad()
            label.fill_(real_label)  # fake labels are real for the generator's cost
            output = netD(fake)
            errG = criterion(output, label)
            errG.backward()
            D_G_z2 = output.mean().item()
            optimizerG.step()

            print('[%d/%d] Loss_D: %.4f Loss_G: %.4f D(x): %.4f D(G(z)): %.4f / %.4f'
                  % (step, opt.steps, errD.item(), errG.item(), D_x, D_G_z1, D_G_z2))
            history["losses"].append(errD.item())
            history["loss_g"].append(errG.item())
            history["d_x"].append(D_x)
            history["d_g_z"].append(D_G_z2)
            step += 1

    netG.eval()
    with torch.no_grad():
        fake = netG(fixed_noise).detach().cpu()
    history["fixed_fake_mean"] = [fake.mean().item(), fake.abs().max().item()]

    if opt.losses:
        with open(opt.losses, "w") as f:
            json.dump(history, f)


if __name__ == '__main__':
    main()
