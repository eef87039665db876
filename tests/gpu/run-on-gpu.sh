#!/usr/bin/env bash
# Run ON THE GPU MACHINE from the repository root, with .gpujars/ and .jre.tgz carried beside the
# working tree (made by tests/gpu/prepare-gpu-bundle.sh). Runs the CUDA tests (every test class of
# the cuda packages, with the NVRTC compile and symbol checks, and every Cuda*Test elsewhere: the
# conformance suite in f32 and bf16, the layers and the DINOv2 step on the device) with the JUnit
# console launcher, prints a compact summary, and writes the logs and XML report to $OUT (default
# target/gpu-out).
# CUDA libraries: DINOJ_CUDA_LIB_DIR if set, else dinoj's discovery (standard library path,
# /usr/local/cuda, and Python environments such as /opt/torch/.venv/lib/python3*/site-packages/nvidia/*/lib).
#   Usage: bash tests/gpu/run-on-gpu.sh [extra console-launcher arguments]
set -uo pipefail
cd "$(dirname "$0")/../.."
OUT=${OUT:-$PWD/target/gpu-out}
mkdir -p "$OUT/reports"
log="$OUT/junit.log"
env_log="$OUT/environment.txt"

java=""
if [ -f .jre.tgz ]; then
  rm -rf /tmp/dinoj-jre && mkdir -p /tmp/dinoj-jre && tar xzf .jre.tgz -C /tmp/dinoj-jre && java=/tmp/dinoj-jre/jre/bin/java
elif [ -n "${JAVA_HOME:-}" ] && [ -x "$JAVA_HOME/bin/java" ]; then
  java="$JAVA_HOME/bin/java"
elif command -v java >/dev/null; then
  java=$(command -v java)
fi
if [ -z "$java" ] || ! "$java" -version 2>&1 | grep -q 'version "2[5-9]'; then
  echo "run-on-gpu: no Java 25 found: carry .jre.tgz (tests/gpu/prepare-gpu-bundle.sh makes it) or set JAVA_HOME" >&2
  exit 2
fi
console=$(ls .gpujars/junit-platform-console-standalone-*.jar 2>/dev/null | head -1)
if [ -z "$console" ]; then
  echo "run-on-gpu: .gpujars/ is missing or incomplete: run tests/gpu/prepare-gpu-bundle.sh here and carry .gpujars" >&2
  exit 2
fi
cp=$(ls .gpujars/*.jar | grep -v junit-platform-console-standalone | tr '\n' ':')

{
  echo "date: $(date -u +%FT%TZ)"
  echo "java: $("$java" -version 2>&1 | head -1)"
  echo "DINOJ_CUDA_LIB_DIR=${DINOJ_CUDA_LIB_DIR:-(unset: discovery)}"
  command -v nvidia-smi >/dev/null && nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader
  echo "python nvidia libs:"; ls -d /opt/torch/.venv/lib/python3*/site-packages/nvidia/*/lib 2>/dev/null
  echo "driver:"; ls /usr/lib/x86_64-linux-gnu/libcuda.so.1 /usr/local/nvidia/lib64/libcuda.so.1 2>/dev/null
} > "$env_log" 2>&1
cat "$env_log"

echo "== running CUDA tests (log: $log)"
timeout "${GPU_TEST_TIMEOUT:-540}" "$java" --enable-native-access=ALL-UNNAMED -Xss4m \
  -Dorg.slf4j.simpleLogger.defaultLogLevel=info \
  -jar "$console" execute --class-path "$cp" \
  --scan-class-path ".gpujars/$(basename "$(ls .gpujars/dinoj-model-*-tests.jar | head -1)"):.gpujars/dinoj-bindings-tests.jar" \
  --include-classname '^(org\.dinoj\.(model\.backend|bindings)\.cuda\..*Test|.*\.Cuda[A-Za-z0-9]*Test)$' \
  --details=tree --disable-banner --fail-if-no-tests --reports-dir "$OUT/reports" "$@" > "$log" 2>&1
rc=$?

grep -E '^\s*\[\s*[0-9]+ (tests|containers) (successful|failed|aborted|skipped)' "$log" || true
grep -E '✘|skipping|aborted|Exception' "$log" | head -40
num() { grep -E "\[\s*[0-9]+ $1 $2" "$log" | grep -oE '[0-9]+' | head -1; }
passed=$(num tests successful); failed=$(( $(num tests failed) + $(num containers failed) ))
skipped=$(( $(num tests skipped) + $(num tests aborted) ))
# a failed container (e.g. a failing @BeforeAll) counts as a failure; an aborted one skipped its tests
echo "gpu: ${passed:-0} passed, ${failed:-0} failed, ${skipped:-0} skipped"
[ $rc -eq 124 ] && echo "run-on-gpu: the tests ran past ${GPU_TEST_TIMEOUT:-540} s and were stopped" >&2
exit $rc
