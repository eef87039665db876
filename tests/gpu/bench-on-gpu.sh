#!/usr/bin/env bash
# Run ON THE GPU MACHINE from the repository root, with .gpujars/ and .jre.tgz carried (made by
# tests/gpu/prepare-gpu-bundle.sh). In one call, within about 6 minutes:
#   1. the CUDA test suite (tests/gpu/run-on-gpu.sh, at most GPU_TEST_TIMEOUT = 200 s);
#   2. dinoj's full DINOv2 step (`dinoj bench step`, run as org.dinoj.bench.BenchMain) on the cuda
#      backend, vits14-224, bf16 and f32, at batch 8 (the PyTorch reference's) and BIG_BATCH (64,
#      dinov2's batch per GPU for ViT-S);
#   3. the same step in PyTorch on the same GPU (bench/pytorch/dinov2_step_gpu.py);
# then a table with step times, images/s, the dinoj/PyTorch speed ratio and MFU against the H100
# dense bf16 peak. Runs are ordered by importance and skipped once DEADLINE seconds (330) have
# passed, so the call ends in time. Logs and RESULT lines go to $OUT (default target/gpu-out).
# With QUICK=1 (tests/gpu/bench-quick-on-gpu.sh), about 5 minutes: the tests, dinoj and PyTorch at
# BIG_BATCH bf16 and f32, one profiled dinoj step run (DINOJ_CUDA_PROFILE=1: time per operation
# kind, PROFILE lines in dinoj-profile-*.log), dinoj bf16 with DINOJ_CUDA_ATTENTION=fused and
# with DINOJ_CUDA_SOFTMAX=dinoj (A/B of the fused attention and of cuDNN's softmax, the default), then batch 8 bf16
# (default and fused);
# fewer steps.
# Without a GPU (no nvidia-smi or no device) the benchmark runs are skipped.
#   Usage: bash tests/gpu/bench-on-gpu.sh        (env: QUICK, BIG_BATCH, DEADLINE, STEPS, WARMUP, PYTHON)
set -uo pipefail
cd "$(dirname "$0")/../.."
OUT=${OUT:-$PWD/target/gpu-out}
mkdir -p "$OUT"
export OUT
start=$(date +%s)
QUICK=${QUICK:-0}
if [ "$QUICK" = 1 ]; then
  DEADLINE=${DEADLINE:-300}
  STEPS=${STEPS:-5}
  WARMUP=${WARMUP:-2}
  GPU_TEST_TIMEOUT=${GPU_TEST_TIMEOUT:-120}
else
  DEADLINE=${DEADLINE:-330}
  STEPS=${STEPS:-10}
  WARMUP=${WARMUP:-3}
fi
BIG_BATCH=${BIG_BATCH:-64}
results="$OUT/bench-results.jsonl"
: > "$results"

elapsed() { echo $(( $(date +%s) - start )); }
left() { echo $(( DEADLINE - $(elapsed) )); }

echo "== 1. CUDA tests"
GPU_TEST_TIMEOUT=${GPU_TEST_TIMEOUT:-200} bash tests/gpu/run-on-gpu.sh
test_rc=$?
echo "tests: exit $test_rc after $(elapsed) s"

if ! command -v nvidia-smi >/dev/null || ! nvidia-smi -L 2>/dev/null | grep -q '^GPU '; then
  echo "bench-on-gpu: no NVIDIA GPU visible (nvidia-smi): skipping the benchmark runs"
  exit $test_rc
fi

java=/tmp/dinoj-jre/jre/bin/java
[ -x "$java" ] || java=$(command -v java || true)
if [ -z "$java" ]; then
  echo "bench-on-gpu: no Java found (run-on-gpu.sh unpacks .jre.tgz to /tmp/dinoj-jre)" >&2
  exit 2
fi
cp=$(ls .gpujars/*.jar | grep -v -e junit-platform-console-standalone -e '\-tests.jar' | tr '\n' ':')
python=${PYTHON:-}
if [ -z "$python" ]; then
  for candidate in /opt/torch/.venv/bin/python3 python3; do
    if command -v "$candidate" >/dev/null && "$candidate" -c 'import torch' 2>/dev/null; then
      python=$candidate
      break
    fi
  done
fi

# run NAME TIMEOUT COMMAND...: runs unless the deadline is near; keeps its RESULT line.
run() {
  local name=$1 limit=$2
  shift 2
  local remaining; remaining=$(left)
  if [ "$remaining" -lt 20 ]; then
    echo "-- $name: skipped, $(elapsed) s of the ${DEADLINE} s budget used"
    return
  fi
  [ "$limit" -gt "$remaining" ] && limit=$remaining
  echo "-- $name (at most $limit s)"
  timeout "$limit" "$@" > "$OUT/$name.log" 2>&1
  local rc=$?
  grep -E '^(dinoj|pytorch) .* step [0-9]+ ' "$OUT/$name.log" | tail -2
  grep '^PROFILE ' "$OUT/$name.log" | head -"${PROFILE_LINES:-50}"
  if grep -q '^RESULT ' "$OUT/$name.log"; then
    grep '^RESULT ' "$OUT/$name.log" | tail -1 | sed 's/^RESULT //' >> "$results"
    grep '^RESULT ' "$OUT/$name.log" | tail -1
  else
    echo "   $name: no result (exit $rc); last lines:"
    grep -v '^\s*at ' "$OUT/$name.log" | tail -5 | sed 's/^/   /'
  fi
}

DINOJ_BASE=("$java" --enable-native-access=ALL-UNNAMED -Xss4m -Xmx8g -Dorg.slf4j.simpleLogger.defaultLogLevel=warn
  -cp "$cp" org.dinoj.bench.BenchMain gpu-step --backend cuda --config vits14-224)
DINOJ=("${DINOJ_BASE[@]}" --steps "$STEPS" --warmup "$WARMUP")
if [ -n "$python" ]; then
  TORCH=("$python" bench/pytorch/dinov2_step_gpu.py --config vits14-224 --device cuda --steps "$STEPS" --warmup "$WARMUP")
else
  echo "bench-on-gpu: no Python with torch found (set PYTHON): the PyTorch runs will fail"
  TORCH=(false)
fi

echo "== 2./3. DINOv2 step, vits14-224: dinoj (cuda backend) and PyTorch on this GPU"
if [ "$QUICK" = 1 ]; then
  # Most important first: the batch-64 comparisons, then the profile (where the time goes), then
  # A/B runs of the switches (fused attention, dinoj's softmax kernels instead of cuDNN's), then batch 8 (default and fused).
  run dinoj-bf16-b$BIG_BATCH 45 "${DINOJ[@]}" --precision bf16 --batch "$BIG_BATCH"
  run torch-bf16-b$BIG_BATCH 40 "${TORCH[@]}" --prec bf16 --batch "$BIG_BATCH"
  run dinoj-f32-b$BIG_BATCH 45 "${DINOJ[@]}" --precision f32 --batch "$BIG_BATCH"
  run torch-f32-b$BIG_BATCH 40 "${TORCH[@]}" --prec f32 --batch "$BIG_BATCH"
  # The profiled run's step times include a device wait around every operation: its RESULT line is kept apart.
  results_all=$results
  results="$OUT/profile-results.jsonl"
  run dinoj-profile-bf16-b$BIG_BATCH 60 env DINOJ_CUDA_PROFILE=1 "${DINOJ_BASE[@]}" --steps 2 --warmup 1 \
    --precision bf16 --batch "$BIG_BATCH"
  results=$results_all
  run dinoj-bf16-b$BIG_BATCH-fused 40 env DINOJ_CUDA_ATTENTION=fused "${DINOJ[@]}" --precision bf16 \
    --batch "$BIG_BATCH"
  run dinoj-bf16-b$BIG_BATCH-dinojsoftmax 40 env DINOJ_CUDA_SOFTMAX=dinoj "${DINOJ[@]}" --precision bf16 \
    --batch "$BIG_BATCH"
  run dinoj-bf16-b8 30 "${DINOJ[@]}" --precision bf16 --batch 8
  run dinoj-bf16-b8-fused 30 env DINOJ_CUDA_ATTENTION=fused "${DINOJ[@]}" --precision bf16 --batch 8
  run torch-bf16-b8 30 "${TORCH[@]}" --prec bf16 --batch 8
else
run dinoj-bf16-b8 90 "${DINOJ[@]}" --precision bf16 --batch 8
run torch-bf16-b8 60 "${TORCH[@]}" --prec bf16 --batch 8
run dinoj-f32-b8 90 "${DINOJ[@]}" --precision f32 --batch 8
run torch-f32-b8 60 "${TORCH[@]}" --prec f32 --batch 8
run dinoj-bf16-b$BIG_BATCH 90 "${DINOJ[@]}" --precision bf16 --batch "$BIG_BATCH"
run torch-bf16-b$BIG_BATCH 60 "${TORCH[@]}" --prec bf16 --batch "$BIG_BATCH"
run dinoj-f32-b$BIG_BATCH 90 "${DINOJ[@]}" --precision f32 --batch "$BIG_BATCH"
run torch-f32-b$BIG_BATCH 60 "${TORCH[@]}" --prec f32 --batch "$BIG_BATCH"
run torch-bf16-sdpa-b$BIG_BATCH 60 "${TORCH[@]}" --prec bf16 --batch "$BIG_BATCH" --attention sdpa
fi

echo "== summary (H100 dense bf16 peak 989 TFLOP/s; analytic matmul FLOPs, the same formula on both sides)"
summarize() {
  "$1" - "$results" <<'PY'
import json, sys
rows = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
key = lambda r: (r["prec"], r["batch"])
torch = {key(r): r for r in rows if r["impl"] == "pytorch" and r.get("attention", "matmul") == "matmul"}
print(f"{'impl':<8}{'attn':<16}{'prec':<6}{'batch':>6}{'step ms':>10}{'img/s':>9}{'GFLOP/img':>11}{'TFLOP/s':>9}{'MFU':>8}{'vs torch':>10}")
for r in rows:
    t = torch.get(key(r))
    ratio = f"{t['step_ms'] / r['step_ms']:.2f}x" if t and r["impl"] == "dinoj" else ""
    attn = r.get('attention', '-') + ('+cudnnsm' if r.get('softmax') == 'cudnn' else '')
    print(f"{r['impl']:<8}{attn:<16}{r['prec']:<6}{r['batch']:>6}{r['step_ms']:>10.1f}{r['img_s']:>9.1f}"
          f"{r['gflop_per_img']:>11.1f}{r['tflops']:>9.1f}{100 * r['mfu_bf16_peak']:>7.2f}%{ratio:>10}")
print("vs torch: PyTorch step time / dinoj step time at the same precision and batch (above 1: dinoj faster)")
PY
}
if [ -s "$results" ]; then
  if [ -n "$python" ]; then summarize "$python"; elif command -v python3 >/dev/null; then summarize python3; else cat "$results"; fi
fi
echo "bench-on-gpu: done in $(elapsed) s; tests exit $test_rc; results in $results"
exit $test_rc
