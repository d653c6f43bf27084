"""Checkpoints of the training application: :func:`save_checkpoint` writes a model's
weights with the config that rebuilds it and its data; :func:`load_checkpoint` and
:func:`evaluate_checkpoint` read one back.

Rules for reading: a checkpoint is data, and may be doctored. Every field is checked
before use, naming the field when it is wrong (:class:`~autograd_cli.errors.CheckpointError`,
one line); the model's size and one batch's activations are computed from the config
and refused when beyond ``max_bytes`` before anything is built or allocated.

>>> import os, tempfile
>>> from autograd_core import nn
>>> from autograd_cli.checkpoints import checkpoint_info, save_checkpoint
>>> path = os.path.join(tempfile.mkdtemp(), CHECKPOINT_NAME)
>>> save_checkpoint(path, nn.Linear(2, 2), {}, epoch=3, val_loss=0.25, val_acc=0.9)
>>> checkpoint_info(path)
{'epoch': 3, 'val_loss': 0.25, 'val_acc': 0.9}
"""
from __future__ import annotations

import json
import math
import os
from pathlib import Path
from typing import Any

import numpy as np

import autograd_core as ag
from autograd_core import Tensor, serialization

from . import datasets, fitting, models
from .errors import CheckpointError, ConfigError
from .models import IMAGE_MODELS, MODEL_KWARGS, MODELS

__all__ = ["CHECKPOINT_NAME", "CHECKPOINT_FORMAT", "CHECKPOINT_VERSION", "save_checkpoint",
           "load_checkpoint", "evaluate_checkpoint", "evaluate_onnx", "file_identity",
           "checkpoint_info"]

CHECKPOINT_NAME = "checkpoint.npz"
CHECKPOINT_FORMAT = "autograd-core-train"
CHECKPOINT_VERSION = 1

# The config keys of a checkpoint that evaluation reads; the others are informative.
_REQUIRED = ("model", "data", "input_shape", "classes", "model_kwargs", "normalization", "seed",
             "val_fraction")
# An upper bound of the bytes ``load_data`` takes per generated point at its peak
# (tests/cli/test_checkpoints.py holds it to that).
_BYTES_PER_GENERATED_SAMPLE = 128


def save_checkpoint(path: str | os.PathLike, model: Any, config: dict, **extra: Any) -> None:
    """Write ``model``'s state dict and ``config`` (JSON-able: what ``load_checkpoint``
    needs to rebuild the model and its data) with ``autograd_core.save``: a complete new
    file replaces ``path`` in one rename, or ``path`` is left as it was.

    >>> import os, tempfile
    >>> from autograd_core import nn
    >>> path = os.path.join(tempfile.mkdtemp(), "checkpoint.npz")
    >>> save_checkpoint(path, nn.Linear(2, 2), {"note": "any JSON"}, epoch=1)
    >>> sorted(ag.load(path))
    ['config', 'epoch', 'format', 'state_dict', 'version']
    """
    obj = {"format": CHECKPOINT_FORMAT, "version": CHECKPOINT_VERSION,
           "config": json.loads(json.dumps(config)), "state_dict": model.state_dict(), **extra}
    ag.save(obj, str(path))


def _checkpoint_path(path: str | os.PathLike) -> Path:
    p = Path(path)
    if p.is_dir():
        p = p / CHECKPOINT_NAME
    if not p.is_file():
        raise FileNotFoundError(f"no checkpoint at {p}")
    return p


def file_identity(path: str | os.PathLike) -> tuple | None:
    """What tells one file at ``path`` from another: every save renames a new file there, so
    the identity changes exactly when a save has landed. None: no file.

    >>> import os, tempfile
    >>> path = os.path.join(tempfile.mkdtemp(), "checkpoint.npz")
    >>> file_identity(path) is None
    True
    >>> ag.save({"step": 1}, path); before = file_identity(path)
    >>> ag.save({"step": 2}, path); file_identity(path) != before
    True
    """
    try:
        st = os.stat(path)
    except OSError:
        return None
    return (st.st_dev, st.st_ino, st.st_size, st.st_mtime_ns, st.st_ctime_ns)


def checkpoint_info(path: str | os.PathLike) -> dict | None:
    """``{epoch, val_loss, val_acc}`` read from the checkpoint file at ``path`` (None if it
    cannot be read or lacks them): what is on disk, not what a run meant to write.

    >>> checkpoint_info("no/such/checkpoint.npz") is None
    True
    """
    try:
        ckpt = serialization.load(str(path))
    except Exception:  # noqa: BLE001 - only for a message; the caller says less instead
        return None
    if not isinstance(ckpt, dict):
        return None
    epoch, loss, acc = ckpt.get("epoch"), ckpt.get("val_loss"), ckpt.get("val_acc")
    if not (_is_int(epoch) and _is_number(loss) and _is_number(acc)):
        return None
    return {"epoch": epoch, "val_loss": float(loss), "val_acc": float(acc)}


def _is_int(v: Any) -> bool:
    return isinstance(v, int) and not isinstance(v, bool)


def _is_number(v: Any) -> bool:
    return isinstance(v, (int, float)) and not isinstance(v, bool)


def _short(v: Any, width: int = 80) -> str:
    """``repr(v)``, cut to ``width`` characters: a doctored file can hold huge values."""
    text = repr(v)
    return text if len(text) <= width else text[:width] + "..."


def _got(v: Any) -> str:
    return f"{_short(v, 60)} ({type(v).__name__})"


def _count(n: int) -> str:
    """``n`` with thousands separators, or its order of magnitude if it is enormous."""
    return f"{n:,}" if n < 10 ** 18 else f"about 10^{len(str(n)) - 1}"


def _check_kwarg(p: Path, name: str, v: Any, kind: str) -> None:
    ok = {"size": lambda: _is_int(v) and v >= 1,
          "count": lambda: _is_int(v) and v >= 0,
          "size or None": lambda: v is None or (_is_int(v) and v >= 1),
          "sizes": lambda: isinstance(v, list) and all(_is_int(x) and x >= 1 for x in v),
          "count or counts": lambda: (_is_int(v) and v >= 0) or (
              isinstance(v, list) and all(_is_int(x) and x >= 0 for x in v)),
          "probability": lambda: _is_number(v) and 0 <= v < 1}[kind]()
    if not ok:
        what = {"size": "a whole number, 1 or more", "count": "a whole number, 0 or more",
                "size or None": "None or a whole number, 1 or more",
                "sizes": "a list of whole numbers, each 1 or more",
                "count or counts": "a whole number 0 or more, or a list of them",
                "probability": "a number from 0 to below 1"}[kind]
        raise CheckpointError(p, f"config['model_kwargs'][{name!r}] must be {what}, "
                                 f"got {_got(v)}")


def _check_checkpoint(ckpt: Any, p: Path, max_bytes: int) -> tuple[dict, dict, dict]:
    """``(config, architecture settings, state dict)`` of a loaded checkpoint file, after
    checking every field evaluation reads: its type, its range, and that the model and
    data it asks for fit in ``max_bytes``. Raises ``CheckpointError`` naming the field."""
    def bad(reason: str) -> CheckpointError:
        return CheckpointError(p, reason)

    if not isinstance(ckpt, dict) or ckpt.get("format") != CHECKPOINT_FORMAT:
        raise bad("an autograd_core file but not a checkpoint of `autograd-core train`")
    version = ckpt.get("version")
    if not _is_int(version) or not 1 <= version <= CHECKPOINT_VERSION:
        raise bad(f"checkpoint version {version!r}; this autograd-core reads version "
                  f"{CHECKPOINT_VERSION}")
    for key in ("config", "state_dict"):
        if key not in ckpt:
            raise bad(f"the checkpoint has no {key!r}")
    cfg, sd = ckpt["config"], ckpt["state_dict"]
    if not isinstance(cfg, dict):
        raise bad(f"'config' must be a dict, got {_got(cfg)}")
    if not isinstance(sd, dict):
        raise bad(f"'state_dict' must be a dict of tensors, got {_got(sd)}")
    for key in _REQUIRED:
        if key not in cfg:
            raise bad(f"the config has no {key!r}")
    model, data, shape, classes = cfg["model"], cfg["data"], cfg["input_shape"], cfg["classes"]
    if model not in MODELS:
        raise bad(f"config['model'] must be one of {', '.join(MODELS)}, got {_got(model)}")
    if not isinstance(data, str):
        raise bad(f"config['data'] must be a dataset name, got {_got(data)}")
    if not (isinstance(shape, list) and len(shape) in (1, 3)
            and all(_is_int(s) and s >= 1 for s in shape)):
        raise bad("config['input_shape'] must be [features] or [channels, height, width], "
                  f"whole numbers 1 or more, got {_got(shape)}")
    if not (isinstance(classes, list) and classes
            and all(isinstance(c, (str, int)) and not isinstance(c, bool) for c in classes)):
        raise bad(f"config['classes'] must be a non-empty list of class names, got "
                  f"{_got(classes)}")
    kwargs = cfg["model_kwargs"]
    if not isinstance(kwargs, dict):
        raise bad(f"config['model_kwargs'] must be a dict, got {_got(kwargs)}")
    allowed = MODEL_KWARGS[model]
    for name, v in kwargs.items():
        if name not in allowed:
            raise bad(f"config['model_kwargs'] has {_short(name)}, which model {model} does not "
                      f"take (it takes {', '.join(allowed)})")
        _check_kwarg(p, name, v, allowed[name])
    if model in IMAGE_MODELS and len(shape) != 3:
        raise bad(f"model {model} needs image input, but config['input_shape'] is "
                  f"{_short(shape)}")
    arch = {**models.default_model_kwargs(model, data, shape), **kwargs}
    _check_architecture(p, model, shape, arch)
    norm = cfg["normalization"]
    if not isinstance(norm, dict):
        raise bad(f"config['normalization'] must be a dict with 'mean' and 'std', got "
                  f"{_got(norm)}")
    for key in ("mean", "std"):
        # a number, or (tabular data) one per feature; finite; a std above 0
        v = norm.get(key)
        per_feature = isinstance(v, list) and len(shape) == 1 and len(v) == shape[0]
        values = v if per_feature else [v]
        if not (all(_is_number(x) and math.isfinite(x) for x in values)
                and (key == "mean" or all(x > 0 for x in values))):
            what = ("a finite number" + (f" or a list of {shape[0]}, one per feature"
                                         if len(shape) == 1 else "")
                    + (", above 0" if key == "std" else ""))
            raise bad(f"config['normalization'][{key!r}] must be {what}, got "
                      f"{_got(v) if key in norm else 'nothing'}")
    seed = cfg["seed"]
    if not (_is_int(seed) and seed >= 0):
        raise bad(f"config['seed'] must be a whole number, 0 or more, got {_got(seed)}")
    for key, optional in (("val_fraction", False), ("test_fraction", True)):
        v = cfg.get(key)
        if not ((optional and v is None) or (_is_number(v) and 0 < v < 1)):
            raise bad(f"config[{key!r}] must be " + ("None or " if optional else "")
                      + f"a number between 0 and 1, got {_got(v)}")
    for key, low in (("limit", 3), ("n_samples", 1)):
        v = cfg.get(key)
        if not (v is None or (_is_int(v) and v >= low)):
            raise bad(f"config[{key!r}] must be None or a whole number, {low} or more, got "
                      f"{_got(v)}")
    if cfg.get("n_samples") is not None and \
            cfg["n_samples"] * _BYTES_PER_GENERATED_SAMPLE > max_bytes:
        raise bad(f"config['n_samples'] asks for {_count(cfg['n_samples'])} generated points, "
                  f"about {_count(cfg['n_samples'] * _BYTES_PER_GENERATED_SAMPLE)} bytes, more "
                  f"than the limit of {max_bytes:,} bytes "
                  "(autograd_core.serialization.MAX_BYTES)")
    if not (cfg.get("data_dir") is None or isinstance(cfg["data_dir"], str)):
        raise bad(f"config['data_dir'] must be None or a folder name, got "
                  f"{_got(cfg['data_dir'])}")
    for key, v in sd.items():
        if not isinstance(key, str):
            raise bad(f"the state_dict has a key {_got(key)}; keys are parameter names")
        if not isinstance(v, (Tensor, np.ndarray)):
            raise bad(f"state_dict[{_short(key)}] is a {type(v).__name__}, expected a tensor")
        if np.dtype(v.dtype).kind not in "biuf":
            raise bad(f"state_dict[{_short(key)}] has dtype {np.dtype(v.dtype).str}, expected "
                      "real numbers")
    # The model is not built before its size is known to fit: computed from the config.
    n = models.state_dict_size(model, shape, len(classes), arch)
    itemsize = np.dtype(ag.get_default_dtype()).itemsize
    if n * itemsize > max_bytes:
        raise bad(f"the model its config describes ({model}, {_short(arch)}) has {_count(n)} "
                  f"values, {_count(n * itemsize)} bytes, more than the limit of "
                  f"{max_bytes:,} bytes (autograd_core.serialization.MAX_BYTES); refused "
                  "before building it")
    held = sum(int(np.prod(v.shape)) for v in sd.values())
    if held != n:
        raise bad(f"its state_dict holds {held:,} values, but the model its config describes "
                  f"({model}, {_short(arch)}) has {_count(n)}; refused before building it")
    return cfg, arch, sd


def _check_architecture(p: Path, model: str, shape: list, arch: dict) -> None:
    """What ``build_model`` would refuse for these settings, said before it runs."""
    if model == "cnn":
        h, w = shape[1], shape[2]
        for _ in arch["channels"]:
            if h < 2 or w < 2:
                raise CheckpointError(p, f"config['model_kwargs']['channels'] has "
                                         f"{len(arch['channels'])} pooling stages, too many "
                                         f"for images of {shape[1]}x{shape[2]}")
            h, w = h // 2, w // 2
    if model == "resnet":
        if not arch["widths"]:
            raise CheckpointError(p, "config['model_kwargs']['widths'] names no stage")
        if isinstance(arch["blocks"], list) and len(arch["blocks"]) != len(arch["widths"]):
            raise CheckpointError(p, f"config['model_kwargs'] has {len(arch['blocks'])} "
                                     f"block counts for {len(arch['widths'])} stages")
    if model == "attention":
        if arch["d_model"] % arch["nhead"]:
            raise CheckpointError(p, f"config['model_kwargs']: d_model {arch['d_model']} is "
                                     f"not a multiple of nhead {arch['nhead']}")
        if len(shape) == 3 and shape[0] != 1:
            raise CheckpointError(p, "model attention reads image rows as tokens and needs "
                                     f"one channel, but config['input_shape'] is {shape}")


def _limit(max_bytes: int | None) -> int:
    if max_bytes is None:
        max_bytes = serialization.MAX_BYTES
    if isinstance(max_bytes, bool) or not isinstance(max_bytes, int):
        raise TypeError(f"max_bytes must be a whole number of bytes, got "
                        f"{type(max_bytes).__name__} {max_bytes!r}")
    if max_bytes < 0:
        raise ValueError(f"max_bytes must be 0 or more bytes, got {max_bytes}")
    return max_bytes


def _read_checkpoint(path: str | os.PathLike, max_bytes: int) -> tuple[Path, dict, dict, dict,
                                                                        dict]:
    p = _checkpoint_path(path)
    ckpt = serialization.load(str(p), max_bytes=max_bytes)
    cfg, arch, sd = _check_checkpoint(ckpt, p, max_bytes)
    return p, ckpt, cfg, arch, sd


def _build_from_checkpoint(p: Path, cfg: dict, arch: dict, sd: dict) -> Any:
    try:
        model = models.build_model(cfg["model"], cfg["input_shape"], len(cfg["classes"]),
                                   cfg["data"], **arch)
    except (ValueError, TypeError) as e:
        raise CheckpointError(p, f"its config describes no model that can be built: {e}") \
            from None
    try:
        model.load_state_dict(sd)
    except (RuntimeError, ValueError, TypeError) as e:
        raise CheckpointError(p, str(e)) from None
    model.eval()
    return model


def load_checkpoint(path: str | os.PathLike, *, max_bytes: int | None = None
                    ) -> tuple[Any, dict, dict]:
    """``(model, config, checkpoint)`` from a file written by :func:`save_checkpoint` (or a
    run folder holding ``checkpoint.npz``); the model is in eval mode.

    Every field is checked before use, and the model's size is computed from the config
    before it is built: a file that is not a usable checkpoint raises ``ValueError`` naming
    the field, one that cannot be read ``SerializationError``, and one whose arrays or model
    would take more than ``max_bytes`` (default ``autograd_core.serialization.MAX_BYTES``)
    is refused before allocating them.

    >>> import os, tempfile
    >>> path = os.path.join(tempfile.mkdtemp(), "weights.npz")
    >>> ag.save({"weight": ag.ones(2)}, path)
    >>> try:
    ...     load_checkpoint(path)
    ... except ValueError as e:
    ...     print(e.reason)
    an autograd_core file but not a checkpoint of `autograd-core train`
    """
    max_bytes = _limit(max_bytes)
    p, ckpt, cfg, arch, sd = _read_checkpoint(path, max_bytes)
    return _build_from_checkpoint(p, cfg, arch, sd), cfg, ckpt


def evaluate_checkpoint(path: str | os.PathLike, *, data: str | None = None,
                        data_dir: str | None = None, split: str = "test",
                        batch_size: int = 512, max_bytes: int | None = None) -> dict:
    """Rebuild the model saved at ``path`` and evaluate it on the ``split`` of its data
    (rebuilt with the same seed, fractions and normalisation), or of ``data`` (another
    dataset with the same input shape and number of classes).

    Returns a dict with ``loss``, ``accuracy``, ``n``, ``split``, ``data`` and
    ``confusion_matrix``. Bad checkpoints are refused as by :func:`load_checkpoint`, and so
    is one whose forward pass over a batch would take more than ``max_bytes``.

    >>> import os, tempfile
    >>> from autograd_cli.models import build_model
    >>> config = {"model": "mlp", "data": "iris", "input_shape": [4], "classes": [0, 1, 2],
    ...           "model_kwargs": {}, "normalization": {"mean": 0.0, "std": 1.0},
    ...           "seed": 0, "val_fraction": 0.15, "test_fraction": 0.15}
    >>> path = os.path.join(tempfile.mkdtemp(), "checkpoint.npz")
    >>> save_checkpoint(path, build_model("mlp", (4,), 3, "iris"), config)
    >>> r = evaluate_checkpoint(path, split="val")
    >>> r["data"], r["split"], r["n"], 0 <= r["accuracy"] <= 1
    ('iris', 'val', 22, True)
    """
    model, x, y, cfg, name = _prepared(path, data, data_dir, split, batch_size, max_bytes)
    loss, acc, pred = fitting.evaluate(model, x, y, batch_size)
    return {"loss": loss, "accuracy": acc, "n": int(len(y)), "split": split, "data": name,
            "confusion_matrix": fitting.confusion_matrix(y, pred, len(cfg["classes"])).tolist()}


def evaluate_onnx(path: str | os.PathLike, *, checkpoint: str | os.PathLike | None = None,
                  data: str | None = None, data_dir: str | None = None, split: str = "test",
                  batch_size: int = 512, max_bytes: int | None = None) -> dict:
    """Run the ONNX file at ``path`` (``train --export-onnx`` writes ``model.onnx``) in ONNX
    Runtime on the ``split`` of the data of ``checkpoint`` (default: the checkpoint in the
    same folder), and the checkpoint's own model beside it, for comparison.

    Returns ``evaluate_checkpoint``'s dict for ONNX Runtime's outputs, plus ``ours_accuracy``,
    ``max_abs_diff`` (of the logits) and ``agreement`` (the fraction of equal predictions).

    >>> try:
    ...     evaluate_onnx("no/such/model.onnx")
    ... except FileNotFoundError as e:
    ...     print(e)
    no checkpoint at no/such/checkpoint.npz
    """
    from autograd_core.onnx.runtime import load_session, run
    onnx_path = Path(path)
    ckpt = Path(checkpoint) if checkpoint is not None else onnx_path.parent / CHECKPOINT_NAME
    model, x, y, cfg, name = _prepared(ckpt, data, data_dir, split, batch_size, max_bytes)
    sess = load_session(onnx_path)
    theirs = []
    for i in range(0, len(y), batch_size):
        theirs.append(run(onnx_path, [x[i:i + batch_size].astype(np.float32, copy=False)],
                          session=sess)[0])
    logits = np.concatenate(theirs) if theirs else np.zeros((0, len(cfg["classes"])))
    if logits.shape != (len(y), len(cfg["classes"])):
        raise CheckpointError(onnx_path, f"its output has shape {logits.shape}, expected "
                                         f"{(len(y), len(cfg['classes']))} (is it this "
                                         "checkpoint's model?)")
    loss, acc, ours_pred = fitting.evaluate(model, x, y, batch_size)
    with ag.no_grad():
        ours = np.concatenate([model(ag.from_numpy(x[i:i + batch_size])).numpy()
                               for i in range(0, len(y), batch_size)]) if len(y) else logits
    pred = logits.argmax(1)
    logp = logits - logits.max(1, keepdims=True)
    logp = logp - np.log(np.exp(logp).sum(1, keepdims=True))
    return {"loss": float(-logp[np.arange(len(y)), y].mean()) if len(y) else float("nan"),
            "accuracy": float((pred == y).mean()) if len(y) else float("nan"),
            "n": int(len(y)), "split": split, "data": name,
            "confusion_matrix": fitting.confusion_matrix(y, pred, len(cfg["classes"])).tolist(),
            "ours_accuracy": acc, "max_abs_diff": float(np.abs(logits - ours).max())
            if len(y) else 0.0, "agreement": float((pred == np.asarray(ours_pred)).mean())
            if len(y) else 1.0}


def _prepared(path: str | os.PathLike, data: str | None, data_dir: str | None, split: str,
              batch_size: int, max_bytes: int | None) -> tuple:
    """``(model, x, y, config, data name)``: the checkpoint's model and the standardised
    ``split`` to evaluate it on, every limit checked first."""
    max_bytes = _limit(max_bytes)
    p, _, cfg, arch, sd = _read_checkpoint(path, max_bytes)
    name = data or cfg["data"]
    if data_dir is None and name == cfg["data"]:
        data_dir = cfg.get("data_dir")
    splits = datasets.load_data(name, data_dir=data_dir, seed=cfg["seed"],
                                val_fraction=cfg["val_fraction"],
                                test_fraction=cfg["test_fraction"] if name == cfg["data"]
                                else None,
                                limit=cfg.get("limit"), n_samples=cfg.get("n_samples"))
    if tuple(splits.input_shape) != tuple(cfg["input_shape"]) or \
            splits.num_classes != len(cfg["classes"]):
        raise ConfigError(f"the model takes inputs {tuple(cfg['input_shape'])} with "
                          f"{len(cfg['classes'])} classes; {name} has {splits.input_shape} "
                          f"with {splits.num_classes}")
    x, y = splits.split(split)
    itemsize = np.dtype(ag.get_default_dtype()).itemsize
    batch = max(1, min(batch_size, len(y)))
    need = (models.state_dict_size(cfg["model"], cfg["input_shape"], len(cfg["classes"]), arch)
            + batch * models.activation_size(cfg["model"], cfg["input_shape"],
                                             len(cfg["classes"]), arch)) * itemsize
    if need > max_bytes:
        raise CheckpointError(p, f"evaluating its model ({cfg['model']}, {_short(arch)}) in "
                                 f"batches of {batch} would take about {_count(need)} bytes of "
                                 "weights and activations, more than the limit of "
                                 f"{max_bytes:,} bytes (autograd_core.serialization.MAX_BYTES)")
    model = _build_from_checkpoint(p, cfg, arch, sd)
    # Standardise as in training, with the numbers saved in the checkpoint (for the model's
    # own data they are the ones just recomputed; other data gets the model's preprocessing).
    x = datasets.renormalize(x, splits.normalization, cfg["normalization"])
    return model, x, y, cfg, name
