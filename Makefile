# Two commands on a fresh machine: `make demo` and `make test`.
# Everything runs inside .venv, which these targets create and fill.

PYTHON ?= python3
VENV   ?= .venv
PY     := $(VENV)/bin/python
PIP    := $(PY) -m pip
# A CPU build of PyTorch is used only as a reference (parity tests, benchmarks).
# It is installed from a local wheel when one is there; never from the network,
# where plain `torch` would pull gigabytes of CUDA.
TORCH_WHEELS ?= /opt/wheels
TORCH_VERSION ?= 2.13.0

.PHONY: setup graphviz fashion-mnist torch test test-fast bench demo clean

# What each target installs, and why (each says so as it does it):
#   make demo   .venv with the package and its [cli] extra: tqdm (progress bars),
#               matplotlib (the run's PNG pictures), graphviz-pure (graph.svg without
#               Graphviz's dot). No Debian package: the demo's digits ship in the package.
#   make test   also the [dev,onnx,safetensors] extras (pytest, hypothesis, nbclient,
#               onnx, onnxruntime, safetensors), torch from a local wheel if there is one,
#               and, as root with apt-get, Debian's graphviz, so that pictures are tested
#               with dot as well as with graphviz-pure. Tried once: the attempt is
#               remembered in .venv/.graphviz-checked (delete it to try again), and a
#               non-root user gets the note once.
#   make fashion-mnist  Debian's dataset-fashion-mnist (31 MB, /usr/share/datasets/
#               fashion-mnist), only when asked: `train --data fashion-mnist` reads it; the
#               tests that need it skip without it, and notebook 11 leaves out its section.
$(PY):
	@echo "setup: creating the virtual environment $(VENV)"
	$(PYTHON) -m venv $(VENV)
	@$(PIP) install --quiet --upgrade pip

$(VENV)/.installed-cli: pyproject.toml | $(PY)
	@echo "setup: installing autograd-core (editable) with the [cli] extra into $(VENV):" \
	      "tqdm, matplotlib and graphviz-pure, for autograd-core train's bars, pictures and graph.svg"
	$(PIP) install --quiet -e '.[cli]'
	@touch $@

$(VENV)/.installed: pyproject.toml | $(PY)
	@echo "setup: installing autograd-core (editable) with the [dev,onnx,safetensors] extras into" \
	      "$(VENV): pytest, hypothesis, the notebook runner, onnx, onnxruntime and safetensors, for the tests"
	$(PIP) install --quiet -e '.[cli,dev,onnx,safetensors]'
	@touch $@ $(VENV)/.installed-cli

setup: $(VENV)/.installed graphviz

# Debian's graphviz, for make test: tried once, as root, when dot is missing.
graphviz: $(VENV)/.graphviz-checked
$(VENV)/.graphviz-checked: | $(PY)
	@if command -v dot >/dev/null 2>&1; then :; \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	  echo "setup: installing Debian's graphviz (the dot program), so that the tests render" \
	       "graph pictures with dot as well as with graphviz-pure (tried once; rm $@ to try again)"; \
	  if apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq graphviz >/dev/null; \
	  then :; else echo "note: installing graphviz failed; pictures render with graphviz-pure" \
	       "and the dot-only tests skip. Not tried again: rm $@ to retry"; fi; \
	else \
	  echo "note: Graphviz's dot is not installed: pictures render with graphviz-pure, and the" \
	       "tests of dot itself skip (sudo apt-get install graphviz adds it). This note is shown once."; \
	fi
	@touch $@

# Real Fashion-MNIST, only when asked for.
FASHION_DIR := /usr/share/datasets/fashion-mnist
fashion-mnist:
	@if [ -d $(FASHION_DIR) ]; then echo "Fashion-MNIST is installed in $(FASHION_DIR)"; \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	  echo "installing Debian's dataset-fashion-mnist (31 MB) into $(FASHION_DIR), for" \
	       "autograd-core train --data fashion-mnist and the tests that read it"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq dataset-fashion-mnist >/dev/null; \
	else \
	  echo "Fashion-MNIST needs root to install: sudo apt-get install dataset-fashion-mnist" \
	       "(or name a folder of its IDX files with --data-dir)"; exit 1; \
	fi

# Checked once (.venv/.torch-checked; delete it after adding a wheel).
torch: $(VENV)/.torch-checked
$(VENV)/.torch-checked: $(VENV)/.installed
	@if $(PY) -c "import torch" 2>/dev/null; then :; \
	elif ls $(TORCH_WHEELS)/torch-$(TORCH_VERSION)*.whl >/dev/null 2>&1; then \
	  echo "setup: installing the local CPU wheel of torch $(TORCH_VERSION) from $(TORCH_WHEELS):" \
	       "the reference of the PyTorch parity tests and benchmarks"; \
	  $(PIP) install --quiet --find-links $(TORCH_WHEELS) torch==$(TORCH_VERSION) || \
	    echo "note: installing torch failed; the PyTorch parity tests skip (rm $@ to retry)"; \
	else \
	  echo "note: no local torch $(TORCH_VERSION) wheel in $(TORCH_WHEELS): the PyTorch parity" \
	       "tests and baselines skip. This note is shown once (rm $@ after adding a wheel)."; \
	fi
	@touch $@

# Two test workers on two cores: each keeps BLAS to one thread, so that no worker's
# idle OpenBLAS threads spin against the other's work.
test: setup torch
	OPENBLAS_NUM_THREADS=1 $(PY) -m pytest -q -n 2 --dist load tests

test-fast: setup
	$(PY) -m pytest -q -x tests -m "not slow"

bench: setup torch
	$(PIP) install --quiet micrograd==0.1.0   # the baseline of bench_value
	$(PY) -m benchmarks

demo: $(VENV)/.installed-cli
	$(VENV)/bin/autograd-core train --model cnn --data digits

clean:
	rm -rf $(VENV) .pytest_cache .hypothesis runs
