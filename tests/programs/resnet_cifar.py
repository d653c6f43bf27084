"""A CIFAR-style ResNet trained on synthetic 3x32x32 images.

BasicBlocks (two 3x3 convolutions with batch norm, added to a shortcut that is the identity
or a strided 1x1 convolution with batch norm when the shape changes), global average pooling
and a linear classifier; SGD with momentum, weight decay (not on biases and batch-norm
parameters) and Nesterov, and the learning rate set per epoch by CosineAnnealingLR,
MultiStepLR, or a linear warmup followed by cosine annealing (SequentialLR). Batches are
augmented on the fly as CIFAR training does, with random crops of the zero-padded image and
horizontal flips; the loss may smooth its labels. Each epoch ends with an evaluation in
eval mode (running batch-norm statistics) and a checkpoint that is read back.

    python resnet_cifar.py --epochs 5 --scheduler cosine --losses losses.json

For a run in lockstep with another library: ``--float64`` and the initial weights written by
one run (``--save-init``) and read by the other (``--load-init``).
"""
import argparse
import json
import os
import tempfile

import numpy as np
import torch
import torch.backends.cudnn as cudnn
import torch.nn as nn
import torch.nn.functional as F
import torch.optim as optim
import torch.utils.data as data


class BasicBlock(nn.Module):
    expansion = 1

    def __init__(self, in_planes, planes, stride=1):
        super(BasicBlock, self).__init__()
        self.conv1 = nn.Conv2d(in_planes, planes, kernel_size=3, stride=stride, padding=1, bias=False)
        self.bn1 = nn.BatchNorm2d(planes)
        self.conv2 = nn.Conv2d(planes, planes, kernel_size=3, stride=1, padding=1, bias=False)
        self.bn2 = nn.BatchNorm2d(planes)

        self.shortcut = nn.Sequential()
        if stride != 1 or in_planes != self.expansion * planes:
            self.shortcut = nn.Sequential(
                nn.Conv2d(in_planes, self.expansion * planes, kernel_size=1, stride=stride, bias=False),
                nn.BatchNorm2d(self.expansion * planes)
            )

    def forward(self, x):
        out = F.relu(self.bn1(self.conv1(x)))
        out = self.bn2(self.conv2(out))
        out += self.shortcut(x)
        out = F.relu(out)
        return out


class ResNet(nn.Module):
    def __init__(self, block, num_blocks, widths=(8, 16, 32), num_classes=10):
        super(ResNet, self).__init__()
        self.in_planes = widths[0]
        self.conv1 = nn.Conv2d(3, widths[0], kernel_size=3, stride=1, padding=1, bias=False)
        self.bn1 = nn.BatchNorm2d(widths[0])
        self.layer1 = self._make_layer(block, widths[0], num_blocks[0], stride=1)
        self.layer2 = self._make_layer(block, widths[1], num_blocks[1], stride=2)
        self.layer3 = self._make_layer(block, widths[2], num_blocks[2], stride=2)
        self.linear = nn.Linear(widths[2] * block.expansion, num_classes)
        for m in self.modules():
            if isinstance(m, nn.Conv2d):
                nn.init.kaiming_normal_(m.weight, mode='fan_out', nonlinearity='relu')
            elif isinstance(m, nn.BatchNorm2d):
                nn.init.constant_(m.weight, 1)
                nn.init.constant_(m.bias, 0)

    def _make_layer(self, block, planes, num_blocks, stride):
        strides = [stride] + [1] * (num_blocks - 1)
        layers = []
        for stride in strides:
            layers.append(block(self.in_planes, planes, stride))
            self.in_planes = planes * block.expansion
        return nn.Sequential(*layers)

    def forward(self, x):
        out = F.relu(self.bn1(self.conv1(x)))
        out = self.layer1(out)
        out = self.layer2(out)
        out = self.layer3(out)
        out = F.avg_pool2d(out, out.size(3))
        out = out.view(out.size(0), -1)
        out = self.linear(out)
        return out


def ResNetTiny():
    return ResNet(BasicBlock, [1, 1, 1])


def synthetic_cifar(n, rng, dtype):
    """``n`` 3x32x32 images of a class-coloured square on noise, normalised per channel."""
    labels = rng.integers(0, 10, size=n)
    palette = rng.uniform(0, 1, size=(10, 3))
    images = rng.uniform(0, 1, size=(n, 3, 32, 32)) * 0.5
    for i, c in enumerate(labels):
        y, x = rng.integers(0, 20, size=2)
        images[i, :, y:y + 12, x:x + 12] = palette[c][:, None, None]
    mean = np.array([0.4914, 0.4822, 0.4465])[:, None, None]
    std = np.array([0.2023, 0.1994, 0.2010])[:, None, None]
    return ((images - mean) / std).astype(dtype), labels.astype(np.int64)


def augment(images, rng, padding=4):
    """Random crops of the zero-padded images and random horizontal flips (the positions
    and coin flips are drawn with NumPy)."""
    n, _, h, w = images.shape
    padded = F.pad(images, (padding, padding, padding, padding))
    offsets = rng.integers(0, 2 * padding + 1, size=(n, 2))
    crops = torch.stack([padded[i, :, y:y + h, x:x + w] for i, (y, x) in enumerate(offsets)])
    flip = torch.from_numpy(rng.random(n) < 0.5)
    return torch.where(flip[:, None, None, None], torch.flip(crops, dims=[3]), crops)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--lr', default=0.1, type=float)
    parser.add_argument('--epochs', default=5, type=int)
    parser.add_argument('--batch-size', default=4, type=int)
    parser.add_argument('--train-size', default=8, type=int)
    parser.add_argument('--test-size', default=4, type=int)
    parser.add_argument('--scheduler', choices=['cosine', 'multistep', 'warmup-cosine'], default='cosine')
    parser.add_argument('--label-smoothing', type=float, default=0.0)
    parser.add_argument('--no-augment', action='store_true', help='train on the images as they are')
    parser.add_argument('--seed', type=int, default=0)
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
    device = 'cuda' if torch.cuda.is_available() else 'cpu'

    x_train, y_train = synthetic_cifar(args.train_size, rng, dtype)
    x_test, y_test = synthetic_cifar(args.test_size, rng, dtype)
    trainset = data.TensorDataset(torch.from_numpy(x_train), torch.from_numpy(y_train))
    testset = data.TensorDataset(torch.from_numpy(x_test), torch.from_numpy(y_test))
    trainloader = data.DataLoader(trainset, batch_size=args.batch_size, shuffle=False, num_workers=0)
    testloader = data.DataLoader(testset, batch_size=100, shuffle=False, num_workers=0)

    net = ResNetTiny()
    net = net.to(device)
    if device == 'cuda':
        net = torch.nn.DataParallel(net)
        cudnn.benchmark = True
    if args.load_init:
        net.load_state_dict(torch.load(args.load_init))
    if args.save_init:
        torch.save(net.state_dict(), args.save_init)

    criterion = nn.CrossEntropyLoss(label_smoothing=args.label_smoothing)
    decay, no_decay = [], []
    for name, param in net.named_parameters():
        if not param.requires_grad:
            continue
        if len(param.shape) == 1 or name.endswith(".bias"):
            no_decay.append(param)
        else:
            decay.append(param)
    optimizer = optim.SGD([{'params': no_decay, 'weight_decay': 0.},
                           {'params': decay, 'weight_decay': 5e-4}],
                          lr=args.lr, momentum=0.9, nesterov=True)
    if args.scheduler == 'cosine':
        scheduler = optim.lr_scheduler.CosineAnnealingLR(optimizer, T_max=args.epochs)
    elif args.scheduler == 'multistep':
        scheduler = optim.lr_scheduler.MultiStepLR(optimizer, milestones=[2, 4], gamma=0.1)
    else:
        warmup = optim.lr_scheduler.LinearLR(optimizer, start_factor=0.1, total_iters=2)
        cosine = optim.lr_scheduler.CosineAnnealingLR(optimizer, T_max=args.epochs - 2)
        scheduler = optim.lr_scheduler.SequentialLR(optimizer, [warmup, cosine], milestones=[2])

    history = {"losses": [], "test_loss": [], "lr": [], "correct": []}
    ckpt_dir = tempfile.mkdtemp()
    for epoch in range(args.epochs):
        net.train()
        train_loss = correct = total = 0
        for batch_idx, (inputs, targets) in enumerate(trainloader):
            inputs, targets = inputs.to(device), targets.to(device)
            if not args.no_augment:
                inputs = augment(inputs, rng)
            optimizer.zero_grad()
            outputs = net(inputs)
            loss = criterion(outputs, targets)
            loss.backward()
            optimizer.step()

            train_loss += loss.item()
            _, predicted = outputs.max(1)
            total += targets.size(0)
            correct += predicted.eq(targets).sum().item()
            history["losses"].append(loss.item())
        print('Epoch %d | Loss: %.3f | Acc: %.3f%% (%d/%d) | lr %.4f'
              % (epoch, train_loss / (batch_idx + 1), 100. * correct / total, correct, total,
                 optimizer.param_groups[0]['lr']))

        net.eval()
        test_loss = correct = 0
        with torch.no_grad():
            for inputs, targets in testloader:
                outputs = net(inputs)
                test_loss += criterion(outputs, targets).item()
                correct += outputs.argmax(1).eq(targets).sum().item()
        history["test_loss"].append(test_loss)
        history["correct"].append(correct)

        # a checkpoint as pytorch-cifar writes it, read back into a fresh network
        state = {'net': net.state_dict(), 'acc': 100. * correct / len(testset), 'epoch': epoch}
        path = os.path.join(ckpt_dir, 'ckpt.pth')
        torch.save(state, path)
        checkpoint = torch.load(path)
        restored = ResNetTiny()
        restored.load_state_dict(checkpoint['net'])
        restored.eval()
        with torch.no_grad():
            assert torch.equal(restored(torch.from_numpy(x_test)), net(torch.from_numpy(x_test)))
        assert checkpoint['epoch'] == epoch

        scheduler.step()
        history["lr"].append(scheduler.get_last_lr()[0])

    if args.losses:
        with open(args.losses, "w") as f:
            json.dump(history, f)


if __name__ == '__main__':
    main()
