"""The convnet of PyTorch's MNIST example, trained on synthetic 28x28 digits.

Two 3x3 convolutions, max pooling, dropout, two linear layers and ``log_softmax`` with
``nll_loss``; Adadelta, with the learning rate cut by ``StepLR`` after every epoch. The
"digits" are noise images whose label is written into them as a bright bar, so the network
has something to learn.

    python mnist_cnn.py --epochs 2 --losses losses.json

For a run in lockstep with another library: ``--float64 --no-dropout`` and the initial weights
written by one run (``--save-init``) and read by the other (``--load-init``).
"""
import argparse
import json

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
import torch.optim as optim
from torch.optim.lr_scheduler import StepLR
from torch.utils.data import DataLoader, Dataset


class Net(nn.Module):
    def __init__(self, dropout=True):
        super(Net, self).__init__()
        self.conv1 = nn.Conv2d(1, 32, 3, 1)
        self.conv2 = nn.Conv2d(32, 64, 3, 1)
        self.dropout1 = nn.Dropout(0.25 if dropout else 0.0)
        self.dropout2 = nn.Dropout(0.5 if dropout else 0.0)
        self.fc1 = nn.Linear(9216, 128)
        self.fc2 = nn.Linear(128, 10)

    def forward(self, x):
        x = self.conv1(x)
        x = F.relu(x)
        x = self.conv2(x)
        x = F.relu(x)
        x = F.max_pool2d(x, 2)
        x = self.dropout1(x)
        x = torch.flatten(x, 1)
        x = self.fc1(x)
        x = F.relu(x)
        x = self.dropout2(x)
        x = self.fc2(x)
        output = F.log_softmax(x, dim=1)
        return output


class SyntheticDigits(Dataset):
    """``n`` noisy 28x28 images; image i carries a bar at a row set by its label."""

    def __init__(self, n, seed, dtype):
        super().__init__()
        rng = np.random.default_rng(seed)
        self.targets = rng.integers(0, 10, size=n)
        images = rng.uniform(0.0, 0.3, size=(n, 1, 28, 28))
        for i, t in enumerate(self.targets):
            images[i, 0, 2 + 2 * t:4 + 2 * t, 4:24] = 1.0
        images = (images - 0.1307) / 0.3081  # transforms.Normalize((0.1307,), (0.3081,))
        self.images = images.astype(dtype)

    def __len__(self):
        return len(self.targets)

    def __getitem__(self, index):
        return torch.from_numpy(self.images[index]), int(self.targets[index])


def train(args, model, device, train_loader, optimizer, epoch, history):
    model.train()
    for batch_idx, (data, target) in enumerate(train_loader):
        data, target = data.to(device), target.to(device)
        optimizer.zero_grad()
        output = model(data)
        loss = F.nll_loss(output, target)
        loss.backward()
        optimizer.step()
        history["losses"].append(loss.item())
        if batch_idx % args.log_interval == 0:
            print('Train Epoch: {} [{}/{} ({:.0f}%)]\tLoss: {:.6f}'.format(
                epoch, batch_idx * len(data), len(train_loader.dataset),
                100. * batch_idx / len(train_loader), loss.item()))


def test(model, device, test_loader, history):
    model.eval()
    test_loss = 0
    correct = 0
    with torch.no_grad():
        for data, target in test_loader:
            data, target = data.to(device), target.to(device)
            output = model(data)
            test_loss += F.nll_loss(output, target, reduction='sum').item()
            pred = output.argmax(dim=1, keepdim=True)
            correct += pred.eq(target.view_as(pred)).sum().item()
    test_loss /= len(test_loader.dataset)
    history["test_loss"].append(test_loss)
    history["correct"].append(correct)
    print('\nTest set: Average loss: {:.4f}, Accuracy: {}/{} ({:.0f}%)\n'.format(
        test_loss, correct, len(test_loader.dataset),
        100. * correct / len(test_loader.dataset)))


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--batch-size', type=int, default=8)
    parser.add_argument('--test-batch-size', type=int, default=16)
    parser.add_argument('--train-size', type=int, default=40)
    parser.add_argument('--test-size', type=int, default=16)
    parser.add_argument('--epochs', type=int, default=2)
    parser.add_argument('--lr', type=float, default=1.0)
    parser.add_argument('--gamma', type=float, default=0.7)
    parser.add_argument('--no-dropout', action='store_true', help='dropout probabilities 0')
    parser.add_argument('--no-accel', action='store_true', help='disables accelerator')
    parser.add_argument('--save-model', metavar='PATH', help='save the trained model here')
    parser.add_argument('--seed', type=int, default=1)
    parser.add_argument('--log-interval', type=int, default=2)
    parser.add_argument('--float64', action='store_true', help='compute in float64')
    parser.add_argument('--save-init', metavar='PATH', help='save the initial state_dict here (after --load-init)')
    parser.add_argument('--load-init', metavar='PATH', help='start from this state_dict')
    parser.add_argument('--losses', metavar='PATH', help='write the losses to this JSON file')
    args = parser.parse_args()

    use_accel = not args.no_accel and torch.accelerator.is_available()
    torch.manual_seed(args.seed)
    if args.float64:
        torch.set_default_dtype(torch.float64)
    if use_accel:
        device = torch.accelerator.current_accelerator()
    else:
        device = torch.device("cpu")
    dtype = np.float64 if args.float64 else np.float32

    train_kwargs = {'batch_size': args.batch_size}
    test_kwargs = {'batch_size': args.test_batch_size}
    if use_accel:
        accel_kwargs = {'num_workers': 1, 'persistent_workers': True, 'pin_memory': True, 'shuffle': True}
        train_kwargs.update(accel_kwargs)
        test_kwargs.update(accel_kwargs)
    train_loader = DataLoader(SyntheticDigits(args.train_size, args.seed, dtype), **train_kwargs)
    test_loader = DataLoader(SyntheticDigits(args.test_size, args.seed + 1, dtype), **test_kwargs)

    model = Net(dropout=not args.no_dropout).to(device)
    if args.load_init:
        model.load_state_dict(torch.load(args.load_init, weights_only=True))
    if args.save_init:
        torch.save(model.state_dict(), args.save_init)
    optimizer = optim.Adadelta(model.parameters(), lr=args.lr)

    history = {"losses": [], "test_loss": [], "correct": [], "lr": []}
    scheduler = StepLR(optimizer, step_size=1, gamma=args.gamma)
    for epoch in range(1, args.epochs + 1):
        train(args, model, device, train_loader, optimizer, epoch, history)
        test(model, device, test_loader, history)
        scheduler.step()
        history["lr"].append(scheduler.get_last_lr()[0])

    if args.save_model:
        torch.save(model.state_dict(), args.save_model)
    if args.losses:
        with open(args.losses, "w") as f:
            json.dump(history, f)


if __name__ == '__main__':
    main()
