#!/usr/bin/env bash
# Prepares a Python environment with a current PyTorch 2.x from PyPI, for bench/side-by-side.sh
# (which adds it as a column next to Debian's python3-torch 1.13 once this environment exists) and
# tests/crosscheck/fashion_mnist_recipe.py.
#
# Run it by hand only: it downloads about 3 GB of wheels (5.4 GB installed). Neither .ci/run nor
# any test calls it, and nothing in the tests looks for this environment.
#
# Where: $DINOJ_TORCH2_VENV, default ~/.cache/dinoj/torch2-venv; interpreter: $DINOJ_TORCH2_PYTHON,
# default Debian's /usr/bin/python3 (3.11). Re-running is cheap: a stamp file records what was
# installed, and a matching stamp ends the script at once.
#
# Why 3 GB: every PyPI torch wheel for Linux x86_64 is a CUDA build, and libtorch_cpu.so itself
# lists libcudart and libcupti as NEEDED, so `import torch` only works with the nvidia-* wheels
# that pip pulls in as torch's dependencies. No GPU is used: the benchmarks run on the CPU, f32
# through MKL (linked into libtorch_cpu.so) and bf16 through oneDNN.
#
# The venv is made WITHOUT --system-site-packages so that Debian's torch 1.13 in
# /usr/lib/python3/dist-packages cannot shadow the PyPI one.
set -euo pipefail

VENV="${DINOJ_TORCH2_VENV:-$HOME/.cache/dinoj/torch2-venv}"
PY="${DINOJ_TORCH2_PYTHON:-/usr/bin/python3}"
# The newest torch on PyPI with a cp311 wheel when this was written; bump deliberately. numpy only
# silences torch's "Failed to initialize NumPy" warning at import. torchvision (pure Python, needs
# torch >= 2.14), pillow and safetensors are for tests/crosscheck/fashion_mnist_recipe.py, the
# PyTorch run of the Fashion-MNIST recipe trial; the benchmarks need only torch.
TORCH_VERSION=2.15.0
PINS="torch==$TORCH_VERSION numpy==2.4.6 torchvision==0.29.2 pillow==13.0.0 safetensors==0.8.0"
STAMP="$VENV/.dinoj-torch2-ready"

if [ -f "$STAMP" ] && [ "$(cat "$STAMP")" = "$PINS" ] \
   && "$VENV/bin/python" -c "import torch; assert torch.__version__.startswith('$TORCH_VERSION')" 2>/dev/null; then
  echo "torch2 venv ready: $VENV"
  exit 0
fi

if ! "$PY" -c 'import venv, ensurepip' 2>/dev/null; then
  echo "setup-torch2-venv: $PY cannot make a venv with pip; 'apt-get install python3-venv'" \
       "or set DINOJ_TORCH2_PYTHON to another python3 (3.10 or newer)." >&2
  exit 1
fi

# A venv that still runs is kept, so changing a pin costs one download, not the whole 3 GB again.
if ! "$VENV/bin/python" -c 'import sys; assert sys.prefix != sys.base_prefix' 2>/dev/null \
   || ! "$VENV/bin/pip" --version >/dev/null 2>&1; then
  rm -rf "$VENV"
  mkdir -p "$(dirname "$VENV")"
  "$PY" -m venv "$VENV"
fi
# --only-binary: a source build of torch would take hours; the wheel or nothing. --no-cache-dir: no
# second 3 GB copy in pip's cache.
# shellcheck disable=SC2086 # PINS is a list of requirement words
"$VENV/bin/pip" install -q --disable-pip-version-check --no-cache-dir --only-binary=:all: $PINS

# The venv's own torch, the pinned version, usable on the CPU: oneDNN present and a bf16 matmul
# agreeing with the f32 one.
VENV="$VENV" TORCH_VERSION="$TORCH_VERSION" "$VENV/bin/python" - <<'PY'
import os, sys, torch
venv = os.path.realpath(os.environ["VENV"])
where = os.path.realpath(torch.__file__)
if not where.startswith(venv + os.sep):
    sys.exit(f"setup-torch2-venv: torch was imported from {where}, not from the venv {venv}")
if not torch.__version__.startswith(os.environ["TORCH_VERSION"]):
    sys.exit(f"setup-torch2-venv: torch {torch.__version__} installed, {os.environ['TORCH_VERSION']} wanted")
if not torch.backends.mkldnn.is_available():
    sys.exit("setup-torch2-venv: torch.backends.mkldnn is not available; the bf16 benchmarks need oneDNN")
torch.manual_seed(0)
a, b = torch.randn(256, 384), torch.randn(384, 512)
exact = a @ b
bf16 = (a.bfloat16() @ b.bfloat16()).float()
# bf16 keeps 8 significand bits: each input rounds by up to 2^-9 relative, so a K=384 dot product of
# unit normals (size ~sqrt(384) ~ 20) is off by ~0.1 typically; 5% of the largest entry is generous
# and still catches a wrong result.
err = (bf16 - exact).abs().max().item()
scale = exact.abs().max().item()
if not err <= 0.05 * scale:
    sys.exit(f"setup-torch2-venv: bf16 matmul on the CPU is off by {err:.3g} (largest entry {scale:.3g})")
print(f"torch2 venv: torch {torch.__version__} (built for CUDA {torch.version.cuda}, run on the CPU), "
      f"mkldnn {torch.backends.mkldnn.is_available()}, bf16 matmul max error {err:.3g} of {scale:.3g}, "
      f"{torch.get_num_threads()} threads by default")
PY
echo "$PINS" > "$STAMP"
echo "torch2 venv ready: $VENV ($(du -sh "$VENV" | cut -f1))"
