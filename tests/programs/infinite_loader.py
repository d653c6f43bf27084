"""minGPT's trainer pattern: an "infinite" DataLoader feeding a small causal transformer.

The loader samples with replacement, ``RandomSampler(dataset, replacement=True,
num_samples=int(1e10))``, so one pass never ends; the trainer pulls batches with
``next(data_iter)`` and starts a new pass on ``StopIteration`` (which ``--num-samples``
small enough makes happen). Callbacks report each batch. The task is minGPT's sorting demo:
given ``length`` digits, emit them sorted. The model is a stack of
``nn.TransformerEncoderLayer`` with a causal mask; the optimizer is AdamW with minGPT's
decay / no-decay split by module type.

    python infinite_loader.py --steps 10 --losses losses.json

For a run in lockstep with another library: ``--float64 --dropout 0 --numpy-data
--num-workers 0`` (PyTorch's worker processes would each draw from their own copy of the
NumPy stream) and the initial weights written by one run (``--save-init``) and read by the other (``--load-init``).
As in minGPT, an example does not depend on the index the sampler draws: each is the next
random problem, drawn with ``torch.randint`` or, with ``--numpy-data``, with NumPy from
``--seed`` so that two libraries see the same problems.
"""
import argparse
import json
import math
import time
from collections import defaultdict

import numpy as np
import torch
import torch.nn as nn
from torch.nn import functional as F
from torch.utils.data import Dataset
from torch.utils.data.dataloader import DataLoader


class SortDataset(Dataset):
    """Problems of sorting ``length`` digits below ``num_digits``: the input is the digits and
    then the sorted digits but the last; the targets are the inputs shifted by one, with -1
    (ignored by the loss) where the model would be predicting the unsorted part."""

    def __init__(self, split, length=5, num_digits=3, rng=None):
        assert split in {'train', 'test'}
        self.split = split
        self.length = length
        self.num_digits = num_digits
        self.rng = rng

    def __len__(self):
        return 10000  # the sampler's range; an item does not depend on its index

    def get_vocab_size(self):
        return self.num_digits

    def get_block_size(self):
        return self.length * 2 - 1

    def draw(self):
        if self.rng is None:
            return torch.randint(self.num_digits, size=(self.length,), dtype=torch.long)
        return torch.from_numpy(self.rng.integers(0, self.num_digits, size=self.length))

    def __getitem__(self, idx):
        assert 0 <= idx < len(self)
        while True:
            inp = self.draw()
            # half of the problems with many repeated digits are rejected: too easy
            if torch.rand(1).item() < 0.5 if self.rng is None else self.rng.random() < 0.5:
                if inp.unique().nelement() > self.length // 2:
                    continue
            # a fixed quarter of the problems is held out for testing
            inp_split = 'test' if int((inp * torch.arange(1, self.length + 1)).sum()) % 4 == 0 else 'train'
            if inp_split == self.split:
                break
        sol = torch.sort(inp)[0]
        cat = torch.cat((inp, sol), dim=0)
        x = cat[:-1].clone()
        y = cat[1:].clone()
        y[:self.length - 1] = -1  # only the sorted half is predicted
        return x, y


class NewGELU(nn.Module):
    """GELU's tanh approximation, as in Google BERT and OpenAI GPT."""

    def forward(self, x):
        return 0.5 * x * (1.0 + torch.tanh(math.sqrt(2.0 / math.pi) * (x + 0.044715 * torch.pow(x, 3.0))))


class CausalTransformer(nn.Module):

    def __init__(self, vocab_size, block_size, n_embd=32, n_head=4, n_layer=2, dropout=0.1):
        super().__init__()
        self.block_size = block_size
        self.tok_emb = nn.Embedding(vocab_size, n_embd)
        self.pos_emb = nn.Parameter(torch.zeros(1, block_size, n_embd))
        layer = nn.TransformerEncoderLayer(n_embd, n_head, dim_feedforward=4 * n_embd,
                                           dropout=dropout, activation=NewGELU(), batch_first=True,
                                           norm_first=True)
        self.blocks = nn.TransformerEncoder(layer, n_layer, enable_nested_tensor=False)
        self.ln_f = nn.LayerNorm(n_embd)
        self.head = nn.Linear(n_embd, vocab_size, bias=False)
        self.register_buffer('mask', nn.Transformer.generate_square_subsequent_mask(block_size),
                             persistent=False)
        self.apply(self._init_weights)
        torch.nn.init.normal_(self.pos_emb, mean=0.0, std=0.02)

    def _init_weights(self, module):
        if isinstance(module, (nn.Linear, nn.Embedding)):
            torch.nn.init.normal_(module.weight, mean=0.0, std=0.02)
            if isinstance(module, nn.Linear) and module.bias is not None:
                torch.nn.init.zeros_(module.bias)
        elif isinstance(module, nn.LayerNorm):
            torch.nn.init.zeros_(module.bias)
            torch.nn.init.ones_(module.weight)

    def configure_optimizers(self, config):
        """minGPT's split: weights of Linear (and attention) modules decay; biases, norms,
        embeddings and the position table do not."""
        decay = set()
        no_decay = set()
        whitelist_weight_modules = (torch.nn.Linear, torch.nn.MultiheadAttention)
        blacklist_weight_modules = (torch.nn.LayerNorm, torch.nn.Embedding)
        for mn, m in self.named_modules():
            for pn, p in m.named_parameters(recurse=False):
                fpn = '%s.%s' % (mn, pn) if mn else pn
                if pn.endswith('bias'):
                    no_decay.add(fpn)
                elif pn.endswith('weight') and isinstance(m, whitelist_weight_modules):
                    decay.add(fpn)
                elif pn.endswith('weight') and isinstance(m, blacklist_weight_modules):
                    no_decay.add(fpn)
        no_decay.add('pos_emb')
        param_dict = {pn: p for pn, p in self.named_parameters()}
        inter_params = decay & no_decay
        union_params = decay | no_decay
        assert len(inter_params) == 0, "parameters %s in both sets" % (str(inter_params),)
        assert len(param_dict.keys() - union_params) == 0, \
            "parameters %s in neither set" % (str(param_dict.keys() - union_params),)
        optim_groups = [
            {"params": [param_dict[pn] for pn in sorted(list(decay))], "weight_decay": config.weight_decay},
            {"params": [param_dict[pn] for pn in sorted(list(no_decay))], "weight_decay": 0.0},
        ]
        return torch.optim.AdamW(optim_groups, lr=config.learning_rate, betas=config.betas)

    def forward(self, idx, targets=None):
        b, t = idx.size()
        assert t <= self.block_size, f"cannot forward a sequence of {t} > {self.block_size}"
        x = self.tok_emb(idx) + self.pos_emb[:, :t, :]
        x = self.blocks(x, mask=self.mask[:t, :t], is_causal=True)
        logits = self.head(self.ln_f(x))
        loss = None
        if targets is not None:
            loss = F.cross_entropy(logits.view(-1, logits.size(-1)), targets.view(-1), ignore_index=-1)
        return logits, loss

    @torch.no_grad()
    def generate(self, idx, max_new_tokens, do_sample=False):
        for _ in range(max_new_tokens):
            logits, _ = self(idx[:, -self.block_size:])
            probs = F.softmax(logits[:, -1, :], dim=-1)
            if do_sample:
                idx_next = torch.multinomial(probs, num_samples=1)
            else:
                _, idx_next = torch.topk(probs, k=1, dim=-1)
            idx = torch.cat((idx, idx_next), dim=1)
        return idx


@torch.inference_mode()
def evaluate(model, dataset, batch_size=8, max_batches=None):
    """makemore's evaluation: the mean loss over a few shuffled batches."""
    model.eval()
    loader = DataLoader(dataset, shuffle=True, batch_size=batch_size, num_workers=0)
    losses = []
    for i, batch in enumerate(loader):
        X, Y = batch
        logits, loss = model(X, Y)
        losses.append(loss.item())
        if max_batches is not None and i >= max_batches:
            break
    mean_loss = torch.tensor(losses).mean().item()
    model.train()  # reset model back to training mode
    return mean_loss


class Trainer:

    def __init__(self, config, model, train_dataset):
        self.config = config
        self.model = model
        self.optimizer = None
        self.train_dataset = train_dataset
        self.callbacks = defaultdict(list)
        self.device = 'cuda' if torch.cuda.is_available() else 'cpu'
        self.model = self.model.to(self.device)
        print("running on device", self.device)
        self.iter_num = 0
        self.iter_time = 0.0
        self.iter_dt = 0.0

    def add_callback(self, onevent, callback):
        self.callbacks[onevent].append(callback)

    def trigger_callbacks(self, onevent):
        for callback in self.callbacks.get(onevent, []):
            callback(self)

    def run(self):
        model, config = self.model, self.config
        self.optimizer = model.configure_optimizers(config)
        train_loader = DataLoader(
            self.train_dataset,
            sampler=torch.utils.data.RandomSampler(self.train_dataset, replacement=True,
                                                   num_samples=config.num_samples),
            shuffle=False,
            pin_memory=True,
            batch_size=config.batch_size,
            num_workers=config.num_workers,
        )
        print(f"{len(train_loader)} batches per pass")
        model.train()
        self.iter_num = 0
        self.iter_time = time.time()
        data_iter = iter(train_loader)
        while True:
            try:
                batch = next(data_iter)
            except StopIteration:
                self.trigger_callbacks('on_epoch_end')
                data_iter = iter(train_loader)
                batch = next(data_iter)
            batch = [t.to(self.device) for t in batch]
            x, y = batch

            logits, self.loss = model(x, y)
            model.zero_grad(set_to_none=True)
            self.loss.backward()
            torch.nn.utils.clip_grad_norm_(model.parameters(), config.grad_norm_clip)
            self.optimizer.step()

            self.trigger_callbacks('on_batch_end')
            self.iter_num += 1
            tnow = time.time()
            self.iter_dt = tnow - self.iter_time
            self.iter_time = tnow
            if config.max_iters is not None and self.iter_num >= config.max_iters:
                break


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--steps', type=int, default=10)
    parser.add_argument('--batch-size', type=int, default=8)
    parser.add_argument('--num-samples', type=int, default=int(1e10),
                        help='indices the sampler draws per pass')
    parser.add_argument('--num-workers', type=int, default=4)
    parser.add_argument('--length', type=int, default=5)
    parser.add_argument('--dropout', type=float, default=0.1)
    parser.add_argument('--learning-rate', type=float, default=5e-3)
    parser.add_argument('--seed', type=int, default=3407)
    parser.add_argument('--numpy-data', action='store_true', help='draw the problems with NumPy')
    parser.add_argument('--float64', action='store_true', help='compute in float64')
    parser.add_argument('--save-init', metavar='PATH', help='save the initial state_dict here (after --load-init)')
    parser.add_argument('--load-init', metavar='PATH', help='start from this state_dict')
    parser.add_argument('--losses', metavar='PATH', help='write the losses to this JSON file')
    args = parser.parse_args()

    torch.manual_seed(args.seed)
    torch.cuda.manual_seed_all(args.seed)
    if args.float64:
        torch.set_default_dtype(torch.float64)
    rng = np.random.default_rng(args.seed) if args.numpy_data else None

    train_dataset = SortDataset('train', length=args.length, rng=rng)
    test_dataset = SortDataset('test', length=args.length, rng=rng)
    model = CausalTransformer(train_dataset.get_vocab_size(), train_dataset.get_block_size(),
                              dropout=args.dropout)
    print("number of parameters: %.2fK" % (sum(p.numel() for p in model.parameters()) / 1e3,))
    if args.load_init:
        model.load_state_dict(torch.load(args.load_init))
    if args.save_init:
        torch.save(model.state_dict(), args.save_init)

    config = argparse.Namespace(batch_size=args.batch_size, num_samples=args.num_samples,
                                num_workers=args.num_workers, learning_rate=args.learning_rate,
                                betas=(0.9, 0.95), weight_decay=0.1, grad_norm_clip=1.0,
                                max_iters=args.steps)
    trainer = Trainer(config, model, train_dataset)
    history = {"losses": [], "passes": 0}

    def batch_end_callback(trainer):
        history["losses"].append(trainer.loss.item())
        print(f"iter_dt {trainer.iter_dt * 1000:.2f}ms; iter {trainer.iter_num}: "
              f"train loss {trainer.loss.item():.5f}")
        if trainer.iter_num % 5 == 4:
            # items do not depend on the sampled index, so the shuffle does not matter
            test_loss = evaluate(model, test_dataset, batch_size=8, max_batches=1)
            history.setdefault("test_loss", []).append(test_loss)
            print(f"step {trainer.iter_num} test loss: {test_loss:.4f}")

    def epoch_end_callback(trainer):
        history["passes"] += 1

    trainer.add_callback('on_batch_end', batch_end_callback)
    trainer.add_callback('on_epoch_end', epoch_end_callback)
    trainer.run()

    # greedy sorting of a few held-out problems
    model.eval()
    x = torch.stack([test_dataset[i][0][:args.length] for i in range(4)])
    out = model.generate(x, args.length, do_sample=False)
    history["sorted"] = out[:, args.length:].tolist()
    history["correct"] = int((out[:, args.length:] == torch.sort(x, dim=1)[0]).all(1).sum())
    print("correct", history["correct"], "of 4")
    if args.losses:
        with open(args.losses, "w") as f:
            json.dump(history, f)


if __name__ == '__main__':
    main()
