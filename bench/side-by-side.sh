#!/usr/bin/env bash
# dinoj vs PyTorch on the same CPU step benchmarks, in one run, alternating per config, and a
# markdown table of images/s with the ratio dinoj / PyTorch per config.
#
#   bench/side-by-side.sh [--long] [--configs "vit:tiny-28 ..."] [--precisions "f32 bf16"] [--steps N] [--out FILE.md]
#
# Configs (names shared with /work/shared/bench, see its README): quick by default
#   vit    tiny-28, small-32      (pytorch_vit_bench.py, single view + DINO head)
#   dinov2 fmnist-tiny            (pytorch_dinov2_step_bench.py, the full DINOv2 step)
# --long adds vit small-224, dinov2 small-32 and dinov2 vits14-224 (tens of minutes on 2 cores).
#
# PyTorch interpreters, one column pair per distinct torch version: the PyPI torch 2.x venv left by
# bench/setup-torch2-venv.sh ($DINOJ_TORCH2_VENV, default ~/.cache/dinoj/torch2-venv), the crosscheck
# venv ($DINOJ_CROSSCHECK_VENV, default ~/.cache/dinoj/crosscheck-venv) and Debian's /usr/bin/python3
# (python3-torch 1.13), those that exist; or the list in $DINOJ_BENCH_PYTHONS.
# BLAS for f32: Debian's torch calls the system libblas.so.3 (OpenBLAS 0.3.21 takes these CPUs for
# Prescott), so its f32 runs get OPENBLAS_CORETYPE=SkylakeX (Haswell on a CPU without AVX-512, where
# SkylakeX kernels would die of an illegal instruction); the PyPI torch has MKL linked in and
# loads no OpenBLAS, so the variable would be ignored there and is not set. bf16 runs through
# oneDNN on both.
# Threads: 2 on both sides (DINOJ_THREADS for dinoj, --threads / torch.set_num_threads(2) in the
# PyTorch scripts, OMP_NUM_THREADS for both).
# The PyTorch scripts come from $DINOJ_PYTORCH_BENCH (default /work/shared/bench).
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
bench_dir="${DINOJ_PYTORCH_BENCH:-/work/shared/bench}"
venv="${DINOJ_CROSSCHECK_VENV:-$HOME/.cache/dinoj/crosscheck-venv}"
torch2_venv="${DINOJ_TORCH2_VENV:-$HOME/.cache/dinoj/torch2-venv}"
# pytorch_dinov2_step_bench.py fixes torch.set_num_threads(2), so the thread count is not an option.
threads=2
precisions="f32 bf16"
steps=10
warmup=2
long=0
only=""
out=""
while [ $# -gt 0 ]; do
  case "$1" in
    --long) long=1 ;;
    --configs) only="$2"; shift ;;
    --precisions) precisions="$2"; shift ;;
    --steps) steps="$2"; shift ;;
    --out) out="$2"; shift ;;
    -h|--help) sed -n '2,22p' "$0"; exit 0 ;;
    *) echo "side-by-side: unknown option $1 (see --help)" >&2; exit 2 ;;
  esac
  shift
done
if [ "$steps" -lt 10 ]; then
  echo "side-by-side: --steps must be at least 10 (dinoj bench step's minimum), got $steps" >&2
  exit 2
fi
for f in pytorch_vit_bench.py pytorch_dinov2_step_bench.py; do
  [ -f "$bench_dir/$f" ] || { echo "side-by-side: $bench_dir/$f not found; set DINOJ_PYTORCH_BENCH" >&2; exit 1; }
done

# mode:config pairs
configs="vit:tiny-28 vit:small-32 dinov2:fmnist-tiny"
[ "$long" = 1 ] && configs="$configs vit:small-224 dinov2:small-32 dinov2:vits14-224"
[ -n "$only" ] && configs="$only"

# Distinct PyTorch installations: the first interpreter found for each torch version.
pythons=()
declare -A seen=() version_of=() uses_mkl=()
candidates="${DINOJ_BENCH_PYTHONS:-$torch2_venv/bin/python $venv/bin/python /usr/bin/python3}"
for py in $candidates; do
  [ -x "$py" ] || continue
  v="$("$py" -W ignore -c 'import torch; print(torch.__version__)' 2>/dev/null)" || continue
  [ -n "${seen[$v]:-}" ] && continue
  seen[$v]=1
  version_of[$py]="$v"
  blas="$("$py" -W ignore -c 'import torch; print("mkl" if "BLAS_INFO=mkl" in torch.__config__.show() else "system")' 2>/dev/null)"
  uses_mkl[$py]=$([ "$blas" = mkl ] && echo 1 || echo 0)
  pythons+=("$py")
done
case "$(readlink -f /usr/lib/x86_64-linux-gnu/libblas.so.3 2>/dev/null)" in
  *openblas*|"") ;;
  *) echo "side-by-side: warning: libblas.so.3 is not OpenBLAS; Debian's torch f32 will be far slower than usual" \
          "(apt-get install libopenblas0-openmp)" >&2 ;;
esac
if [ ${#pythons[@]} -eq 0 ]; then
  echo "side-by-side: no python with torch found among: $candidates" >&2
  exit 1
fi

# Build once (the launcher rebuilds when sources are newer), then run without the staleness check.
"$root/dinoj" --version >/dev/null
export DINOJ_SKIP_BUILD=1 DINOJ_THREADS="$threads" OMP_NUM_THREADS="$threads"

# OpenBLAS kernels for the Debian torch's f32: SkylakeX needs AVX-512.
if grep -qw avx512f /proc/cpuinfo 2>/dev/null; then openblas_core=SkylakeX; else openblas_core=Haswell; fi
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
json_field() { # file field: the numeric value of "field" in the last JSON line of file
  python3 -c 'import json,sys; l=[x for x in open(sys.argv[1]) if x.lstrip().startswith(("{","RESULT"))][-1]
l=l.split("RESULT ",1)[-1]; print(json.loads(l)[sys.argv[2]])' "$1" "$2"
}

load_before="$(uptime)"
rows=()
for pair in $configs; do
  mode="${pair%%:*}"; config="${pair#*:}"
  for prec in $precisions; do
    "$root/dinoj" bench step --config "$config" --mode "$mode" --precision "$prec" --steps "$steps" \
        --warmup "$warmup" --json > "$tmp/dinoj.json" 2> "$tmp/dinoj.err" \
      || { cat "$tmp/dinoj.err" >&2; exit 1; }
    dinoj_ips="$(json_field "$tmp/dinoj.json" images_per_s)"
    echo "dinoj  $mode $config $prec: $dinoj_ips img/s" >&2
    row="| $mode | $config | $prec | $dinoj_ips |"
    for py in "${pythons[@]}"; do
      env_prefix=()
      [ "$prec" = f32 ] && [ "${uses_mkl[$py]}" = 0 ] && env_prefix=(env OPENBLAS_CORETYPE="$openblas_core")
      if [ "$mode" = vit ]; then
        pprec="$prec"; [ "$prec" = f32 ] && pprec=fp32
        "${env_prefix[@]}" "$py" "$bench_dir/pytorch_vit_bench.py" --config "$config" --prec "$pprec" --mode train \
            --steps "$steps" --warmup "$warmup" --threads "$threads" > "$tmp/torch.json" 2> "$tmp/torch.err" \
          || { cat "$tmp/torch.err" >&2; exit 1; }
        torch_ips="$(json_field "$tmp/torch.json" images_per_s)"
      else
        "${env_prefix[@]}" "$py" "$bench_dir/pytorch_dinov2_step_bench.py" --config "$config" --prec "$prec" \
            --steps "$steps" --warmup "$warmup" > "$tmp/torch.json" 2> "$tmp/torch.err" \
          || { cat "$tmp/torch.err" >&2; exit 1; }
        torch_ips="$(json_field "$tmp/torch.json" img_s)"
      fi
      ratio="$(python3 -c "print(f'{float(\"$dinoj_ips\") / float(\"$torch_ips\"):.2f}')")"
      torch_ips="$(python3 -c "print(f'{float(\"$torch_ips\"):.2f}')")"
      echo "torch ${version_of[$py]} $mode $config $prec: $torch_ips img/s -> dinoj/torch $ratio" >&2
      row="$row $torch_ips | $ratio |"
    done
    rows+=("$row")
  done
done

{
  echo "Measured $(date -u '+%Y-%m-%d %H:%M UTC') on $(uname -n): $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'),"
  echo "$(nproc) cores, shared. uptime before: \`${load_before# }\`; after: \`$(uptime | sed 's/^ //')\`. Median of $steps timed steps"
  echo "after $warmup warm-up steps, images/s (one image = all of its crops in dinov2 mode), $threads threads on both sides."
  for py in "${pythons[@]}"; do
    if [ "${uses_mkl[$py]}" = 1 ]; then
      echo "PyTorch ${version_of[$py]}: \`$py\`, CPU, f32 through its own MKL, bf16 through oneDNN."
    else
      echo "PyTorch ${version_of[$py]}: \`$py\`, f32 through the system BLAS"
      echo "$(readlink -f /usr/lib/x86_64-linux-gnu/libblas.so.3 2>/dev/null || echo unknown) with OPENBLAS_CORETYPE=$openblas_core"
      echo "(netlib's reference libblas makes it many times slower: install libopenblas0-openmp), bf16 through oneDNN."
    fi
  done
  echo
  header="| mode | config | precision | dinoj img/s |"
  sep="|---|---|---|---|"
  for py in "${pythons[@]}"; do
    header="$header PyTorch ${version_of[$py]} img/s | dinoj / PyTorch ${version_of[$py]} |"
    sep="$sep---|---|"
  done
  echo "$header"
  echo "$sep"
  printf '%s\n' "${rows[@]}"
} | tee ${out:+"$out"}
