#!/usr/bin/env bash
# Prepares the cached Python environment for the PyTorch cross-checks (tests/crosscheck/*.py).
# Nothing downloads at test time: the tests only look for the environment this script leaves, and
# skip with a printed reason when it is absent.
#
# Where: $DINOJ_CROSSCHECK_VENV, default ~/.cache/dinoj/crosscheck-venv. Re-running is cheap: a
# stamp file records what was installed, and a matching stamp ends the script at once.
#
# Why PyTorch comes from Debian: every PyPI torch wheel for Linux x86_64 is a CUDA build.
# `pip install --no-deps torch` plus its pure-Python dependencies does not help: libtorch_cpu.so
# itself lists libcudart.so.13 and libcupti.so.13 as NEEDED, so `import torch` fails without the
# nvidia-* wheels (about 3 GB). Debian's python3-torch (1.13.1, CPU only, about 185 MB with its
# dependencies) imports cleanly; timm, lightly and safetensors come from PyPI, with a constraints
# file that pins torch and torchvision to the system's versions so pip can never pull a CUDA torch.
# (bench/setup-torch2-venv.sh does install a PyPI torch 2.x with those 3 GB, for speed comparisons
# only, by hand.)
set -euo pipefail

VENV="${DINOJ_CROSSCHECK_VENV:-$HOME/.cache/dinoj/crosscheck-venv}"
PY=/usr/bin/python3
PINS="timm==1.0.31 lightly==1.6.0 safetensors==0.8.0"
STAMP="$VENV/.dinoj-crosscheck-ready"

if [ -f "$STAMP" ] && [ "$(cat "$STAMP")" = "$PINS" ] && "$VENV/bin/python" -c 'import torch, timm, lightly.loss, safetensors' 2>/dev/null; then
  echo "crosscheck venv ready: $VENV"
  exit 0
fi

if ! "$PY" -c 'import torch, torchvision, venv' 2>/dev/null; then
  if [ "$(id -u)" -ne 0 ]; then
    echo "setup-venv: Debian's python3-torch, python3-torchvision and python3-venv are missing;" \
         "run as root or 'sudo apt-get install python3-torch python3-torchvision python3-venv'." >&2
    exit 1
  fi
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends python3-torch python3-torchvision python3-venv >/dev/null
fi
# Debian's torch calls the system libblas.so.3; netlib's reference BLAS makes its f32/f64 matmuls
# many times slower than OpenBLAS (bench/side-by-side.sh measures against this torch too).
if [ ! -e /usr/lib/x86_64-linux-gnu/openblas-openmp/libblas.so.3 ] && [ "$(id -u)" -eq 0 ]; then
  export DEBIAN_FRONTEND=noninteractive
  apt-get install -y -qq --no-install-recommends libopenblas0-openmp >/dev/null \
    || echo "setup-venv: libopenblas0-openmp not installed; torch uses the reference BLAS (slower)" >&2
fi

TORCH_VERSION="$("$PY" -c 'import torch; print(torch.__version__)')"
VISION_VERSION="$("$PY" -c 'import torchvision; print(torchvision.__version__)')"

rm -rf "$VENV"
mkdir -p "$(dirname "$VENV")"
"$PY" -m venv --system-site-packages "$VENV"
CONSTRAINTS="$VENV/constraints.txt"
printf 'torch==%s\ntorchvision==%s\n' "$TORCH_VERSION" "$VISION_VERSION" > "$CONSTRAINTS"
# shellcheck disable=SC2086 # PINS is a list of requirement words
"$VENV/bin/pip" install -q --disable-pip-version-check -c "$CONSTRAINTS" $PINS

# The environment must be CPU PyTorch from the system, with no CUDA wheels pulled in.
"$VENV/bin/python" - <<'PY'
import importlib.metadata as md, sys, torch, timm, lightly.loss, safetensors
cuda = sorted(d.metadata["Name"] for d in md.distributions() if d.metadata["Name"].lower().startswith("nvidia"))
if cuda or torch.version.cuda is not None:
    sys.exit(f"setup-venv: a CUDA build slipped in (torch.version.cuda={torch.version.cuda}, {cuda})")
print(f"crosscheck venv: torch {torch.__version__} (CPU), timm {timm.__version__}, "
      f"lightly {md.version('lightly')}, safetensors {safetensors.__version__}")
PY
echo "$PINS" > "$STAMP"
echo "crosscheck venv ready: $VENV"
