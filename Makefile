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

.PHONY: setup system-packages torch test test-fast bench demo clean

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PIP) install --quiet --upgrade pip
	$(PIP) install --quiet -e '.[dev,onnx,safetensors]'
	touch $@

setup: $(VENV)/.installed system-packages

# Debian packages, installed when running as root and missing:
#   graphviz              gives `dot`, which renders graph pictures;
#   dataset-fashion-mnist real Fashion-MNIST under /usr/share/datasets/fashion-mnist
#                         (the optional bigger dataset of `autograd-core train`).
FASHION_DIR := /usr/share/datasets/fashion-mnist
system-packages:
	@missing=""; \
	command -v dot >/dev/null 2>&1 || missing="$$missing graphviz"; \
	[ -d $(FASHION_DIR) ] || missing="$$missing dataset-fashion-mnist"; \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	    echo "installing Debian packages:$$missing"; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >/dev/null; \
	  else \
	    echo "note: missing Debian packages:$$missing (sudo apt-get install$$missing)"; \
	  fi; \
	fi

torch: $(VENV)/.installed
	@if $(PY) -c "import torch" 2>/dev/null; then :; \
	elif ls $(TORCH_WHEELS)/torch-$(TORCH_VERSION)*.whl >/dev/null 2>&1; then \
	  echo "installing the local CPU wheel of torch $(TORCH_VERSION) (reference only)"; \
	  $(PIP) install --quiet --find-links $(TORCH_WHEELS) torch==$(TORCH_VERSION); \
	else \
	  echo "note: no local torch $(TORCH_VERSION) wheel in $(TORCH_WHEELS); PyTorch parity tests and baselines are skipped"; \
	fi

# Two test workers on two cores: each keeps BLAS to one thread, so that no worker's
# idle OpenBLAS threads spin against the other's work.
test: setup torch
	OPENBLAS_NUM_THREADS=1 $(PY) -m pytest -q -n 2 --dist load tests

test-fast: setup
	$(PY) -m pytest -q -x tests -m "not slow"

bench: setup torch
	$(PIP) install --quiet micrograd==0.1.0   # the baseline of bench_value
	$(PY) -m benchmarks

demo: setup
	$(VENV)/bin/autograd-core train --model cnn --data digits

clean:
	rm -rf $(VENV) .pytest_cache .hypothesis runs
