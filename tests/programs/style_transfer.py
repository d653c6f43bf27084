"""A feed-forward style-transfer network, trained as fast neural style trains it, on
synthetic images.

The image transformation network pads by reflection before every convolution, normalises
with affine instance norm, keeps the size through residual blocks and upsamples by nearest
interpolation. Its output is judged by a frozen feature network: the content loss compares
the features of the output and of the input, the style loss the Gram matrices of the
output's features and of one style image's. The feature network here is a small random
one rather than VGG (nothing downloads); the losses have the example's form.

    python style_transfer.py --steps 10 --losses losses.json

For a run in lockstep with another library: ``--float64`` and the initial weights written
by one run (``--save-init``) and read by the other (``--load-init``); the images are drawn
with NumPy from ``--seed`` either way.
"""
import argparse
import json

import numpy as np
import torch
from torch import nn
from torch.nn import functional as F


class ConvLayer(nn.Module):
    def __init__(self, in_channels, out_channels, kernel_size, stride):
        super().__init__()
        self.pad = nn.ReflectionPad2d(kernel_size // 2)
        self.conv = nn.Conv2d(in_channels, out_channels, kernel_size, stride)

    def forward(self, x):
        return self.conv(self.pad(x))


class ResidualBlock(nn.Module):
    def __init__(self, channels):
        super().__init__()
        self.conv1 = ConvLayer(channels, channels, 3, 1)
        self.in1 = nn.InstanceNorm2d(channels, affine=True)
        self.conv2 = ConvLayer(channels, channels, 3, 1)
        self.in2 = nn.InstanceNorm2d(channels, affine=True)
        self.relu = nn.ReLU()

    def forward(self, x):
        out = self.relu(self.in1(self.conv1(x)))
        return self.in2(self.conv2(out)) + x


class UpsampleConvLayer(nn.Module):
    """Nearest upsampling, then a padded convolution (no checkerboard of a transposed conv)."""

    def __init__(self, in_channels, out_channels, kernel_size, upsample):
        super().__init__()
        self.upsample = upsample
        self.pad = nn.ReflectionPad2d(kernel_size // 2)
        self.conv = nn.Conv2d(in_channels, out_channels, kernel_size, 1)

    def forward(self, x):
        x = F.interpolate(x, mode="nearest", scale_factor=self.upsample)
        return self.conv(self.pad(x))


class TransformerNet(nn.Module):
    def __init__(self, width=8, blocks=2):
        super().__init__()
        w = width
        self.down = nn.Sequential(
            ConvLayer(3, w, 9, 1), nn.InstanceNorm2d(w, affine=True), nn.ReLU(),
            ConvLayer(w, 2 * w, 3, 2), nn.InstanceNorm2d(2 * w, affine=True), nn.ReLU(),
            ConvLayer(2 * w, 4 * w, 3, 2), nn.InstanceNorm2d(4 * w, affine=True), nn.ReLU())
        self.res = nn.Sequential(*[ResidualBlock(4 * w) for _ in range(blocks)])
        self.up = nn.Sequential(
            UpsampleConvLayer(4 * w, 2 * w, 3, 2), nn.InstanceNorm2d(2 * w, affine=True), nn.ReLU(),
            UpsampleConvLayer(2 * w, w, 3, 2), nn.InstanceNorm2d(w, affine=True), nn.ReLU(),
            ConvLayer(w, 3, 9, 1))

    def forward(self, x):
        return self.up(self.res(self.down(x)))


class Features(nn.Module):
    """A frozen feature network: the outputs of its two stages are the features."""

    def __init__(self):
        super().__init__()
        self.stage1 = nn.Sequential(nn.Conv2d(3, 8, 3, padding=1), nn.ReLU())
        self.stage2 = nn.Sequential(nn.MaxPool2d(2), nn.Conv2d(8, 16, 3, padding=1), nn.ReLU())
        for p in self.parameters():
            p.requires_grad = False

    def forward(self, x):
        h1 = self.stage1(x)
        return h1, self.stage2(h1)


def gram_matrix(y):
    b, ch, h, w = y.size()
    features = y.view(b, ch, w * h)
    return features.bmm(features.transpose(1, 2)) / (ch * h * w)


def images(n, size, rng, dtype):
    """``n`` 3-channel images in [0, 1]: smooth colour gradients with a few bright squares."""
    yy, xx = np.mgrid[0:size, 0:size] / size
    out = np.empty((n, 3, size, size))
    for i in range(n):
        for c in range(3):
            a, b = rng.uniform(-1, 1, size=2)
            out[i, c] = 0.5 + 0.3 * (a * yy + b * xx)
        for _ in range(2):
            y0, x0 = rng.integers(0, size - 6, size=2)
            out[i, :, y0:y0 + 6, x0:x0 + 6] = rng.uniform(0.6, 1.0)
    return np.clip(out, 0.0, 1.0).astype(dtype)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--batch-size', type=int, default=2)
    parser.add_argument('--image-size', type=int, default=32)
    parser.add_argument('--steps', type=int, default=10)
    parser.add_argument('--content-weight', type=float, default=1e2)
    parser.add_argument('--style-weight', type=float, default=1e6)
    parser.add_argument('--seed', type=int, default=1)
    parser.add_argument('--float64', action='store_true', help='compute in float64')
    parser.add_argument('--save-init', metavar='PATH', help='save the initial state_dicts here (after --load-init)')
    parser.add_argument('--load-init', metavar='PATH', help='start from these state_dicts')
    parser.add_argument('--losses', metavar='PATH', help='write the losses to this JSON file')
    args = parser.parse_args()

    torch.manual_seed(args.seed)
    if args.float64:
        torch.set_default_dtype(torch.float64)
    dtype = np.float64 if args.float64 else np.float32
    rng = np.random.default_rng(args.seed)

    transformer = TransformerNet()
    features = Features()
    if args.load_init:
        state = torch.load(args.load_init)
        transformer.load_state_dict(state["transformer"])
        features.load_state_dict(state["features"])
    if args.save_init:
        torch.save({"transformer": transformer.state_dict(), "features": features.state_dict()},
                   args.save_init)
    optimizer = torch.optim.Adam(transformer.parameters(), 1e-3)
    mse_loss = nn.MSELoss()

    style = torch.from_numpy(images(1, args.image_size, rng, dtype))
    style = style.repeat(args.batch_size, 1, 1, 1)
    with torch.no_grad():
        gram_style = [gram_matrix(y) for y in features(style)]

    history = {"losses": [], "content": [], "style": []}
    transformer.train()
    for step in range(args.steps):
        x = torch.from_numpy(images(args.batch_size, args.image_size, rng, dtype))
        optimizer.zero_grad()
        y = transformer(x)
        features_y = features(y)
        features_x = features(x)
        content_loss = args.content_weight * mse_loss(features_y[1], features_x[1])
        style_loss = 0.
        for ft_y, gm_s in zip(features_y, gram_style):
            gm_y = gram_matrix(ft_y)
            style_loss += mse_loss(gm_y, gm_s[:len(x), :, :])
        style_loss *= args.style_weight
        total_loss = content_loss + style_loss
        total_loss.backward()
        optimizer.step()
        history["losses"].append(total_loss.item())
        history["content"].append(content_loss.item())
        history["style"].append(style_loss.item())
        print(f"step {step + 1}\tcontent: {content_loss.item():.6f}\tstyle: "
              f"{style_loss.item():.6f}\ttotal: {total_loss.item():.6f}")

    transformer.eval()
    with torch.no_grad():
        out = transformer(torch.from_numpy(images(1, args.image_size, rng, dtype)))
    assert out.shape == (1, 3, args.image_size, args.image_size)
    history["output_mean"] = out.mean().item()

    if args.losses:
        with open(args.losses, 'w') as f:
            json.dump(history, f)


if __name__ == '__main__':
    main()
