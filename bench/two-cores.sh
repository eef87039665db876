#!/usr/bin/env bash
# What two cores can do for one step benchmark: one process with 2 threads (how dinoj trains), one
# process with 1 thread alone, and two 1-thread processes at the same time (two independent
# streams, as two shards on one machine would be). Prints a markdown table of images/s and the
# ratio (both 1-thread processes together) / (one 2-thread process), measured in the same run.
#
#   bench/two-cores.sh [--configs "dinov2:fmnist-tiny vit:small-32"] [--precisions "bf16"] [--steps N]
#
# Config names are those of `dinoj bench step` (mode:config). Run it on an otherwise idle machine.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
configs="dinov2:fmnist-tiny vit:small-32"
precisions="bf16"
steps=10
while [ $# -gt 0 ]; do
  case "$1" in
    --configs) configs="$2"; shift ;;
    --precisions) precisions="$2"; shift ;;
    --steps) steps="$2"; shift ;;
    -h|--help) sed -n '2,9p' "$0"; exit 0 ;;
    *) echo "two-cores: unknown option $1 (see --help)" >&2; exit 2 ;;
  esac
  shift
done

"$root/dinoj" --version >/dev/null   # build once; the runs below skip the staleness check
export DINOJ_SKIP_BUILD=1
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT

step() { # threads mode config precision out: one `dinoj bench step --json` run
  DINOJ_THREADS="$1" OMP_NUM_THREADS="$1" "$root/dinoj" bench step --mode "$2" --config "$3" --precision "$4" \
      --steps "$steps" --json > "$5" 2> "$5.err" || { cat "$5.err" >&2; exit 1; }
}
ips() { python3 -c 'import json,sys; print(json.loads(open(sys.argv[1]).read().strip().splitlines()[-1])["images_per_s"])' "$1"; }

echo "Measured $(date -u '+%Y-%m-%d %H:%M UTC'), $(nproc) cores, uptime before: \`$(uptime | sed 's/^ //')\`; median of $steps steps."
echo
echo "| mode | config | precision | 2 threads img/s | 1 thread alone img/s | two 1-thread processes at once, img/s (sum) | sum / 2 threads |"
echo "|---|---|---|---|---|---|---|"
for pair in $configs; do
  mode="${pair%%:*}"; config="${pair#*:}"
  for prec in $precisions; do
    step 2 "$mode" "$config" "$prec" "$tmp/two.json"
    step 1 "$mode" "$config" "$prec" "$tmp/one.json"
    step 1 "$mode" "$config" "$prec" "$tmp/a.json" &
    first=$!
    step 1 "$mode" "$config" "$prec" "$tmp/b.json"
    wait "$first"
    python3 - "$mode" "$config" "$prec" "$(ips "$tmp/two.json")" "$(ips "$tmp/one.json")" \
        "$(ips "$tmp/a.json")" "$(ips "$tmp/b.json")" <<'EOF'
import sys
mode, config, prec = sys.argv[1:4]
two, one, a, b = map(float, sys.argv[4:8])
print(f"| {mode} | {config} | {prec} | {two:.2f} | {one:.2f} | {a:.2f} + {b:.2f} = {a + b:.2f} | {(a + b) / two:.2f} |")
EOF
  done
done
