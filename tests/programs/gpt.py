"""A small character-level GPT, written the way nanoGPT and minGPT write theirs.

Causal self-attention (PyTorch's fused scaled_dot_product_attention or the explicit masked
softmax), pre-norm blocks, token embedding tied to the output head, the GPT-2 init applied with
``model.apply``, AdamW with decay / no-decay parameter groups, gradient accumulation,
``clip_grad_norm_``, a cosine learning-rate schedule with warmup computed by hand, a loss
estimate under ``torch.no_grad()``, and ``generate()`` with top-k sampling. The training loop
is nanoGPT's: an autocast context and a GradScaler that are off on the CPU, and a checkpoint
(model, optimizer, arguments, iteration, best loss) written at ``--resume-at`` from which a
fresh model and optimizer resume.

    python gpt.py --steps 10 --losses losses.json

For a run in lockstep with another library: ``--float64 --dropout 0`` and the initial weights
written by one run (``--save-init``) and read by the other (``--load-init``). Batches are drawn
with NumPy from ``--seed``, so every run sees the same ones.
"""
import argparse
import inspect
import json
import math
import os
import tempfile
from contextlib import nullcontext
from dataclasses import dataclass

import numpy as np
import torch
import torch.nn as nn
from torch.distributed import destroy_process_group, init_process_group
from torch.nn import functional as F
from torch.nn.parallel import DistributedDataParallel as DDP

TEXT = """\
The lighthouse keeper wrote the weather in a ledger every night: wind from the west,
a low sea, rain before midnight. Ships passed far out and never stopped. In spring the
gulls came back and argued on the rail, and the keeper argued with them, and lost.
"""


@dataclass
class GPTConfig:
    block_size: int = 16
    vocab_size: int = 64
    n_layer: int = 2
    n_head: int = 2
    n_embd: int = 32
    dropout: float = 0.0
    bias: bool = True
    attention: str = "sdpa"


class LayerNorm(nn.Module):
    """LayerNorm with an optional bias (``bias=False`` leaves it out)."""

    def __init__(self, ndim, bias):
        super().__init__()
        self.weight = nn.Parameter(torch.ones(ndim))
        self.bias = nn.Parameter(torch.zeros(ndim)) if bias else None

    def forward(self, input):
        return F.layer_norm(input, self.weight.shape, self.weight, self.bias, 1e-5)


class CausalSelfAttention(nn.Module):

    def __init__(self, config):
        super().__init__()
        assert config.n_embd % config.n_head == 0
        # query, key and value for all heads in one projection
        self.c_attn = nn.Linear(config.n_embd, 3 * config.n_embd, bias=config.bias)
        self.c_proj = nn.Linear(config.n_embd, config.n_embd, bias=config.bias)
        self.attn_dropout = nn.Dropout(config.dropout)
        self.resid_dropout = nn.Dropout(config.dropout)
        self.n_head = config.n_head
        self.n_embd = config.n_embd
        self.dropout = config.dropout
        self.flash = config.attention == "sdpa" and hasattr(F, "scaled_dot_product_attention")
        if not self.flash:
            # the causal mask: each position attends to itself and the ones before it
            self.register_buffer("bias", torch.tril(torch.ones(config.block_size, config.block_size))
                                 .view(1, 1, config.block_size, config.block_size))

    def forward(self, x):
        B, T, C = x.size()
        q, k, v = self.c_attn(x).split(self.n_embd, dim=2)
        k = k.view(B, T, self.n_head, C // self.n_head).transpose(1, 2)  # (B, nh, T, hs)
        q = q.view(B, T, self.n_head, C // self.n_head).transpose(1, 2)
        v = v.view(B, T, self.n_head, C // self.n_head).transpose(1, 2)
        if self.flash:
            y = F.scaled_dot_product_attention(q, k, v, attn_mask=None,
                                               dropout_p=self.dropout if self.training else 0,
                                               is_causal=True)
        else:
            att = (q @ k.transpose(-2, -1)) * (1.0 / math.sqrt(k.size(-1)))
            att = att.masked_fill(self.bias[:, :, :T, :T] == 0, float("-inf"))
            att = F.softmax(att, dim=-1)
            att = self.attn_dropout(att)
            y = att @ v
        y = y.transpose(1, 2).contiguous().view(B, T, C)
        return self.resid_dropout(self.c_proj(y))


class MLP(nn.Module):

    def __init__(self, config):
        super().__init__()
        self.c_fc = nn.Linear(config.n_embd, 4 * config.n_embd, bias=config.bias)
        self.gelu = nn.GELU()
        self.c_proj = nn.Linear(4 * config.n_embd, config.n_embd, bias=config.bias)
        self.dropout = nn.Dropout(config.dropout)

    def forward(self, x):
        return self.dropout(self.c_proj(self.gelu(self.c_fc(x))))


class Block(nn.Module):

    def __init__(self, config):
        super().__init__()
        self.ln_1 = LayerNorm(config.n_embd, bias=config.bias)
        self.attn = CausalSelfAttention(config)
        self.ln_2 = LayerNorm(config.n_embd, bias=config.bias)
        self.mlp = MLP(config)

    def forward(self, x):
        x = x + self.attn(self.ln_1(x))
        x = x + self.mlp(self.ln_2(x))
        return x


class GPT(nn.Module):

    def __init__(self, config):
        super().__init__()
        self.config = config
        self.transformer = nn.ModuleDict(dict(
            wte=nn.Embedding(config.vocab_size, config.n_embd),
            wpe=nn.Embedding(config.block_size, config.n_embd),
            drop=nn.Dropout(config.dropout),
            h=nn.ModuleList([Block(config) for _ in range(config.n_layer)]),
            ln_f=LayerNorm(config.n_embd, bias=config.bias),
        ))
        self.lm_head = nn.Linear(config.n_embd, config.vocab_size, bias=False)
        # weight tying: one matrix embeds the tokens and scores the next one
        self.transformer.wte.weight = self.lm_head.weight

        self.apply(self._init_weights)
        # GPT-2: residual projections scaled down with the depth
        for pn, p in self.named_parameters():
            if pn.endswith("c_proj.weight"):
                torch.nn.init.normal_(p, mean=0.0, std=0.02 / math.sqrt(2 * config.n_layer))

    def get_num_params(self, non_embedding=True):
        n_params = sum(p.numel() for p in self.parameters())
        if non_embedding:
            n_params -= self.transformer.wpe.weight.numel()
        return n_params

    def _init_weights(self, module):
        if isinstance(module, nn.Linear):
            torch.nn.init.normal_(module.weight, mean=0.0, std=0.02)
            if module.bias is not None:
                torch.nn.init.zeros_(module.bias)
        elif isinstance(module, nn.Embedding):
            torch.nn.init.normal_(module.weight, mean=0.0, std=0.02)

    def forward(self, idx, targets=None):
        device = idx.device
        b, t = idx.size()
        assert t <= self.config.block_size, f"sequence of length {t} exceeds the block size"
        pos = torch.arange(0, t, dtype=torch.long, device=device)
        tok_emb = self.transformer.wte(idx)
        pos_emb = self.transformer.wpe(pos)
        x = self.transformer.drop(tok_emb + pos_emb)
        for block in self.transformer.h:
            x = block(x)
        x = self.transformer.ln_f(x)
        if targets is not None:
            logits = self.lm_head(x)
            loss = F.cross_entropy(logits.view(-1, logits.size(-1)), targets.view(-1), ignore_index=-1)
        else:
            logits = self.lm_head(x[:, [-1], :])  # only the last position is needed
            loss = None
        return logits, loss

    def configure_optimizers(self, weight_decay, learning_rate, betas, device_type):
        param_dict = {pn: p for pn, p in self.named_parameters() if p.requires_grad}
        # matrices (linear weights, embeddings) decay; biases and norm gains do not
        decay_params = [p for n, p in param_dict.items() if p.dim() >= 2]
        nodecay_params = [p for n, p in param_dict.items() if p.dim() < 2]
        optim_groups = [
            {"params": decay_params, "weight_decay": weight_decay},
            {"params": nodecay_params, "weight_decay": 0.0},
        ]
        print(f"decayed tensors: {len(decay_params)} ({sum(p.numel() for p in decay_params):,} "
              f"parameters); not decayed: {len(nodecay_params)} "
              f"({sum(p.numel() for p in nodecay_params):,} parameters)")
        fused_available = "fused" in inspect.signature(torch.optim.AdamW).parameters
        use_fused = fused_available and device_type == "cuda"
        extra_args = dict(fused=True) if use_fused else dict()
        return torch.optim.AdamW(optim_groups, lr=learning_rate, betas=betas, **extra_args)

    @torch.no_grad()
    def generate(self, idx, max_new_tokens, temperature=1.0, top_k=None):
        for _ in range(max_new_tokens):
            idx_cond = idx if idx.size(1) <= self.config.block_size else idx[:, -self.config.block_size:]
            logits, _ = self(idx_cond)
            logits = logits[:, -1, :] / temperature
            if top_k is not None:
                v, _ = torch.topk(logits, min(top_k, logits.size(-1)))
                logits[logits < v[:, [-1]]] = -float("Inf")
            probs = F.softmax(logits, dim=-1)
            idx_next = torch.multinomial(probs, num_samples=1)
            idx = torch.cat((idx, idx_next), dim=1)
        return idx


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=10)
    parser.add_argument("--batch-size", type=int, default=4)
    parser.add_argument("--grad-accum", type=int, default=2, help="micro-batches per step")
    parser.add_argument("--block-size", type=int, default=16)
    parser.add_argument("--n-layer", type=int, default=2)
    parser.add_argument("--n-head", type=int, default=2)
    parser.add_argument("--n-embd", type=int, default=32)
    parser.add_argument("--dropout", type=float, default=0.1)
    parser.add_argument("--attention", choices=["sdpa", "manual"], default="sdpa")
    parser.add_argument("--learning-rate", type=float, default=3e-3)
    parser.add_argument("--min-lr", type=float, default=3e-4)
    parser.add_argument("--warmup-iters", type=int, default=2)
    parser.add_argument("--weight-decay", type=float, default=0.1)
    parser.add_argument("--grad-clip", type=float, default=1.0)
    parser.add_argument("--eval-interval", type=int, default=4)
    parser.add_argument("--eval-iters", type=int, default=2)
    parser.add_argument("--resume-at", type=int, default=6,
                        help="write a checkpoint before this iteration and resume from it")
    parser.add_argument("--out-dir", help="where the checkpoint goes (default: a new temporary folder)")
    parser.add_argument("--resume-from", metavar="PATH",
                        help="at --resume-at, resume from this checkpoint instead of our own")
    parser.add_argument("--compile", action="store_true", help="torch.compile the model")
    parser.add_argument("--seed", type=int, default=1337)
    parser.add_argument("--float64", action="store_true", help="compute in float64")
    parser.add_argument("--save-init", metavar="PATH", help="save the initial state_dict here (after --load-init)")
    parser.add_argument("--load-init", metavar="PATH", help="start from this state_dict")
    parser.add_argument("--losses", metavar="PATH", help="write the losses to this JSON file")
    args = parser.parse_args()

    # nanoGPT's launch check: a process group only under torchrun (RANK set), not here
    ddp = int(os.environ.get("RANK", -1)) != -1
    if ddp:
        init_process_group(backend="gloo")
    assert not torch.distributed.is_initialized()
    torch.manual_seed(args.seed)
    torch.backends.cuda.matmul.allow_tf32 = True
    torch.backends.cudnn.allow_tf32 = True
    torch.set_float32_matmul_precision("high")
    device = "cuda" if torch.cuda.is_available() else "cpu"
    device_type = "cuda" if "cuda" in device else "cpu"
    dtype = "float64" if args.float64 else "float32"
    ptdtype = {"float64": torch.float64, "float32": torch.float32, "bfloat16": torch.bfloat16,
               "float16": torch.float16}[dtype]
    if ptdtype == torch.float64:
        torch.set_default_dtype(torch.float64)
    ctx = nullcontext() if device_type == "cpu" else torch.amp.autocast(device_type=device_type, dtype=ptdtype)
    out_dir = args.out_dir or tempfile.mkdtemp()
    rng = np.random.default_rng(args.seed)

    chars = sorted(set(TEXT))
    stoi = {ch: i for i, ch in enumerate(chars)}
    itos = {i: ch for ch, i in stoi.items()}
    data = np.array([stoi[c] for c in TEXT], dtype=np.uint16)
    n = int(0.8 * len(data))
    splits = {"train": data[:n], "val": data[n:]}

    def get_batch(split):
        d = splits[split]
        ix = rng.integers(len(d) - args.block_size, size=args.batch_size)
        x = torch.stack([torch.from_numpy(d[i:i + args.block_size].astype(np.int64)) for i in ix])
        y = torch.stack([torch.from_numpy(d[i + 1:i + 1 + args.block_size].astype(np.int64)) for i in ix])
        return x.to(device), y.to(device)

    model_args = dict(block_size=args.block_size, vocab_size=len(chars), n_layer=args.n_layer,
                      n_head=args.n_head, n_embd=args.n_embd, dropout=args.dropout,
                      attention=args.attention)
    model = GPT(GPTConfig(**model_args)).to(device)
    print(f"number of parameters: {model.get_num_params() / 1e3:.2f}K")
    if args.load_init:
        model.load_state_dict(torch.load(args.load_init, map_location=device))
    if args.save_init:
        torch.save(model.state_dict(), args.save_init)
    optimizer = model.configure_optimizers(args.weight_decay, args.learning_rate, (0.9, 0.95), device_type)
    # float16 would need loss scaling; here the scaler is built disabled and passes through
    scaler = torch.amp.GradScaler("cuda", enabled=(dtype == "float16"))
    if args.compile:
        print("compiling the model...")
        model = torch.compile(model)
    if ddp:
        model = DDP(model, device_ids=[int(os.environ["LOCAL_RANK"])])

    def get_lr(it):
        if it < args.warmup_iters:
            return args.learning_rate * (it + 1) / (args.warmup_iters + 1)
        decay_ratio = (it - args.warmup_iters) / (args.steps - args.warmup_iters)
        assert 0 <= decay_ratio <= 1
        coeff = 0.5 * (1.0 + math.cos(math.pi * decay_ratio))
        return args.min_lr + coeff * (args.learning_rate - args.min_lr)

    @torch.no_grad()
    def estimate_loss():
        out = {}
        model.eval()
        for split in ["train", "val"]:
            losses = torch.zeros(args.eval_iters)
            for k in range(args.eval_iters):
                X, Y = get_batch(split)
                with ctx:
                    logits, loss = model(X, Y)
                losses[k] = loss.item()
            out[split] = losses.mean()
        model.train()
        return out

    history = {"losses": [], "lr": [], "grad_norm": [], "eval": []}
    best_val_loss = 1e9
    iter_num = 0
    X, Y = get_batch("train")
    while iter_num < args.steps:
        if iter_num == args.resume_at:
            checkpoint = {
                "model": model.state_dict(),
                "optimizer": optimizer.state_dict(),
                "model_args": model_args,
                "iter_num": iter_num,
                "best_val_loss": best_val_loss,
                "config": vars(args),
            }
            print(f"saving checkpoint to {out_dir}")
            torch.save(checkpoint, os.path.join(out_dir, "ckpt.pt"))
            del model, optimizer, checkpoint
            # resume as a new process would: everything from the file
            ckpt_path = args.resume_from or os.path.join(out_dir, "ckpt.pt")
            checkpoint = torch.load(ckpt_path, map_location=device)
            model = GPT(GPTConfig(**checkpoint["model_args"]))
            state_dict = checkpoint["model"]
            unwanted_prefix = "_orig_mod."
            for k, v in list(state_dict.items()):
                if k.startswith(unwanted_prefix):
                    state_dict[k[len(unwanted_prefix):]] = state_dict.pop(k)
            model.load_state_dict(state_dict)
            model.to(device)
            iter_num = checkpoint["iter_num"]
            best_val_loss = checkpoint["best_val_loss"]
            optimizer = model.configure_optimizers(args.weight_decay, args.learning_rate, (0.9, 0.95), device_type)
            optimizer.load_state_dict(checkpoint["optimizer"])
            checkpoint = None

        lr = get_lr(iter_num)
        for param_group in optimizer.param_groups:
            param_group["lr"] = lr

        if iter_num % args.eval_interval == 0:
            losses = estimate_loss()
            print(f"step {iter_num}: train loss {losses['train']:.4f}, val loss {losses['val']:.4f}")
            history["eval"] += [losses["train"].item(), losses["val"].item()]
            if losses["val"] < best_val_loss:
                best_val_loss = losses["val"]

        total = 0.0
        for micro_step in range(args.grad_accum):
            with ctx:
                logits, loss = model(X, Y)
                loss = loss / args.grad_accum
            X, Y = get_batch("train")  # the next batch, fetched while the GPU would be busy
            scaler.scale(loss).backward()
            total += loss.item()
        if args.grad_clip != 0.0:
            scaler.unscale_(optimizer)
            norm = torch.nn.utils.clip_grad_norm_(model.parameters(), args.grad_clip)
        scaler.step(optimizer)
        scaler.update()
        optimizer.zero_grad(set_to_none=True)
        history["losses"].append(total)
        history["lr"].append(lr)
        history["grad_norm"].append(norm.item())
        print(f"iter {iter_num}: loss {total:.4f}, lr {lr:.2e}, grad norm {norm:.3f}")
        iter_num += 1

    history["best_val_loss"] = [float(best_val_loss)]
    model.eval()
    context = torch.tensor([[stoi["T"]]], dtype=torch.long, device=device)
    # top_k=1 leaves one token with probability 1, so the sample is the same in every run
    out = model.generate(context, max_new_tokens=20, top_k=1)
    history["sample"] = out[0].tolist()
    print(repr("".join(itos[i] for i in out[0].tolist())))
    free = model.generate(context, max_new_tokens=10, temperature=0.8, top_k=5)
    assert free.shape == (1, 11) and 0 <= free.min().item() and free.max().item() < len(chars)

    if args.losses:
        with open(args.losses, "w") as f:
            json.dump(history, f)
    if ddp:
        destroy_process_group()


if __name__ == "__main__":
    main()
