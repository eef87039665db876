#!/usr/bin/env bash
# Compares the constants in cudnn_h.java with the cuDNN 9 headers of an unzipped
# nvidia-cudnn-cu12/-cu13 wheel (or any folder with include/cudnn.h):
#
#   pip download --no-deps -d /tmp/cudnnwheel nvidia-cudnn-cu13
#   unzip -q /tmp/cudnnwheel/nvidia_cudnn_cu13-*.whl -d /tmp/cudnnwheel/x
#   bindings/jextract/cudnn-check-constants.sh /tmp/cudnnwheel/x/nvidia/cudnn
#
# The CUDA runtime headers are not needed: cudnn.h only takes two opaque handle types from them,
# which a stub declares.
set -euo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
cudnn="${1:?usage: cudnn-check-constants.sh <folder with include/cudnn.h>}"
java="$here/../src/main/java/org/dinoj/bindings/cuda/cudnn_h.java"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/stub"
printf 'typedef struct CUstream_st *cudaStream_t;\ntypedef struct CUgraph_st *cudaGraph_t;\n' > "$work/stub/cuda_runtime_api.h"
printf 'typedef enum libraryPropertyType_t { MAJOR_VERSION, MINOR_VERSION, PATCH_LEVEL } libraryPropertyType;\n' \
    > "$work/stub/library_types.h"
gcc -I"$work/stub" -I"$cudnn/include" -o "$work/check" "$here/check_cudnn_constants.c"
"$work/check" | sort > "$work/expected.txt"
# "public static int NAME() {" followed by "return VALUE;"
perl -0ne 'while (/public static int (CUDNN_[A-Z0-9_]+)\(\) \{\s*return (-?\d+);/g) { print "$1 $2\n" }' "$java" \
    | sort > "$work/bound.txt"
if diff "$work/expected.txt" "$work/bound.txt"; then
    echo "cudnn-check-constants.sh: all $(wc -l < "$work/expected.txt") constants in cudnn_h.java match $cudnn/include"
else
    echo "cudnn-check-constants.sh: constants differ (< headers, > cudnn_h.java)" >&2
    exit 1
fi
