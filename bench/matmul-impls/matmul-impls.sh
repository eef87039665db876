#!/usr/bin/env bash
# Every oneDNN f32 matmul implementation on the products of one ViT block's training step, with
# oneDNN's own choice marked: does another implementation beat the default at dinoj's shapes on
# this CPU? Compiles matmul_impls.c with gcc against the headers of the org.bytedeco:dnnl jar and
# runs it on the libdnnl.so.3 that dinoj extracts (run ./dinoj once first), 2 threads.
#
#   bench/matmul-impls/matmul-impls.sh [WIDTH HIDDEN ROWS...]   default: fmnist-tiny (192 768 6400 3840)
#   bench/matmul-impls/matmul-impls.sh 384 1536 4160            small-32 single view
set -euo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
version="3.8.1-1.5.12"
jar="${M2_REPO:-$HOME/.m2/repository}/org/bytedeco/dnnl/$version/dnnl-$version-linux-x86_64.jar"
lib="$(dirname "$(ls -t "$HOME"/.cache/dinoj/native/*/libdnnl.so.3 2>/dev/null | head -1)")"
[[ -f "$jar" ]] || { echo "matmul-impls: $jar is missing: run 'mvn -pl native dependency:resolve' first" >&2; exit 1; }
[[ -f "$lib/libdnnl.so.3" ]] || { echo "matmul-impls: no extracted libdnnl.so.3 under ~/.cache/dinoj/native: run ./dinoj --version first" >&2; exit 1; }
command -v gcc >/dev/null || { echo "matmul-impls: needs gcc (apt-get install gcc)" >&2; exit 1; }

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
unzip -q "$jar" 'org/bytedeco/dnnl/linux-x86_64/include/*' -d "$work"
gcc -O2 -I"$work/org/bytedeco/dnnl/linux-x86_64/include" -o "$work/matmul_impls" "$here/matmul_impls.c" \
    -L"$lib" -l:libdnnl.so.3 -Wl,-rpath,"$lib"
if [[ $# -eq 0 ]]; then
    set -- 192 768 6400 3840
fi
echo "$(date -u '+%Y-%m-%d %H:%M UTC'), $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), 2 threads"
OMP_NUM_THREADS=2 OMP_WAIT_POLICY=PASSIVE "$work/matmul_impls" "$@"
