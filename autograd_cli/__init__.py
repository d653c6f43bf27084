"""The application on top of the library: the ``autograd-core`` command (``graph``,
``train``, ``evaluate``) and the training it runs, usable from Python and notebooks too.

Layering: this package imports ``autograd_core``, ``nn`` and ``optim`` (their public API);
nothing in them imports it (tests/test_layering.py checks).

The training, in three levels, use whichever fits:

* :func:`fit` and :func:`evaluate` (``fitting.py``): the training loop for any model and
  arrays (progress bars, validation every epoch, early stopping that keeps the best weights);
* :func:`load_data` (``datasets.py``) and :func:`build_model` (``models.py``): the
  datasets split train/val/test and standardised, and the four model families adapted to
  the data;
* :func:`run` (``training.py``): everything the ``train`` command does, output folder
  included (checkpoint, curves, confusion matrix, graph picture, metrics: ``report.py``),
  and :func:`evaluate_checkpoint` (``checkpoints.py``), what ``evaluate`` does.

The command: ``cli.py`` (parser and dispatch), one module per subcommand
(``graph_command.py`` with ``expression.py``, ``train_command.py``,
``evaluate_command.py``), and what they share (``command.py``, ``option_types.py``).

Rule: modules call each other's functions through the module (``fitting.evaluate(...)``,
not a name imported from it), so replacing ``fitting.evaluate`` (a test's monkeypatch)
replaces it for every caller.

>>> import tempfile
>>> from autograd_cli import TrainConfig, run
>>> result = run(TrainConfig(data="moons", n_samples=200, epochs=1, out=tempfile.mkdtemp(),
...                          progress=False, graph=False), log=lambda *a: None)
>>> result.interrupted, 0.0 <= result.test_acc <= 1.0
(False, True)
"""
from .checkpoints import (CHECKPOINT_NAME, evaluate_checkpoint, load_checkpoint,
                          save_checkpoint)
from .datasets import DATASETS, DataDefaults, Splits, load_data
from .errors import ConfigError
from .fitting import (OPTIMIZERS, FitResult, confusion_matrix, evaluate, fit, make_optimizer,
                      predict)
from .models import MODELS, SequenceClassifier, build_model
from .training import RunResult, TrainConfig, run

__all__ = [
    "DATASETS", "MODELS", "OPTIMIZERS", "DataDefaults", "Splits", "TrainConfig", "FitResult",
    "RunResult", "SequenceClassifier", "load_data", "build_model", "make_optimizer", "fit",
    "evaluate", "predict", "confusion_matrix", "run", "save_checkpoint", "load_checkpoint",
    "evaluate_checkpoint", "ConfigError", "CHECKPOINT_NAME",
]
