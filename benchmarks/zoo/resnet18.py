"""ResNet-18 for 32x32 images in the manner of the CIFAR-10 training scripts (kuangliu
style): a 3x3 stem without max-pooling, BasicBlocks [2, 2, 2, 2] of 64-512 channels with
BatchNorm and ReLU and 1x1 projection shortcuts, 4x4 average pooling, Linear(512, 10);
batch 32, cross-entropy, SGD with momentum 0.9 and weight decay 5e-4.
"""
from __future__ import annotations

NAME = "resnet18"
TITLE = "ResNet-18 (CIFAR), 32x32, B=32, SGD momentum + wd"
STEPS = (2, 3)

BATCH, CLASSES = 32, 10


def data(rng):
    import numpy as np
    return {"x": rng.standard_normal((BATCH, 3, 32, 32)).astype(np.float32),
            "y": rng.integers(0, CLASSES, BATCH).astype(np.int64)}


def build(L):
    nn, F = L.nn, L.F

    class BasicBlock(nn.Module):
        expansion = 1

        def __init__(self, in_planes, planes, stride=1):
            super().__init__()
            self.conv1 = nn.Conv2d(in_planes, planes, kernel_size=3, stride=stride, padding=1, bias=False)
            self.bn1 = nn.BatchNorm2d(planes)
            self.conv2 = nn.Conv2d(planes, planes, kernel_size=3, stride=1, padding=1, bias=False)
            self.bn2 = nn.BatchNorm2d(planes)
            self.shortcut = nn.Sequential()
            if stride != 1 or in_planes != planes:
                self.shortcut = nn.Sequential(
                    nn.Conv2d(in_planes, planes, kernel_size=1, stride=stride, bias=False),
                    nn.BatchNorm2d(planes))

        def forward(self, x):
            out = F.relu(self.bn1(self.conv1(x)))
            out = self.bn2(self.conv2(out))
            out = out + self.shortcut(x)
            return F.relu(out)

    class ResNet(nn.Module):
        def __init__(self, num_blocks=(2, 2, 2, 2), num_classes=CLASSES):
            super().__init__()
            self.in_planes = 64
            self.conv1 = nn.Conv2d(3, 64, kernel_size=3, stride=1, padding=1, bias=False)
            self.bn1 = nn.BatchNorm2d(64)
            self.layer1 = self._make_layer(64, num_blocks[0], 1)
            self.layer2 = self._make_layer(128, num_blocks[1], 2)
            self.layer3 = self._make_layer(256, num_blocks[2], 2)
            self.layer4 = self._make_layer(512, num_blocks[3], 2)
            self.linear = nn.Linear(512, num_classes)

        def _make_layer(self, planes, n, stride):
            layers = []
            for s in [stride] + [1] * (n - 1):
                layers.append(BasicBlock(self.in_planes, planes, s))
                self.in_planes = planes
            return nn.Sequential(*layers)

        def forward(self, x):
            out = F.relu(self.bn1(self.conv1(x)))
            out = self.layer4(self.layer3(self.layer2(self.layer1(out))))
            out = F.avg_pool2d(out, 4)
            return self.linear(out.view(out.size(0), -1))

    return {"model": ResNet()}


def trainer(L, mods, batch):
    nn, optim = L.nn, L.optim
    model = mods["model"]
    criterion = nn.CrossEntropyLoss()
    opt = optim.SGD(model.parameters(), lr=0.1, momentum=0.9, weight_decay=5e-4)
    x, y = batch["x"], batch["y"]

    def step():
        opt.zero_grad()
        loss = criterion(model(x), y)
        loss.backward()
        opt.step()
        return loss

    return step
