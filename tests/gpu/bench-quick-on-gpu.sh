#!/usr/bin/env bash
# Run ON THE GPU MACHINE from the repository root, with .gpujars/ and .jre.tgz carried: in about
# 4 minutes, the CUDA tests (correctness first), one profiled dinoj step run at batch 64 bf16
# (DINOJ_CUDA_PROFILE=1: PROFILE lines say which operations take the time), then dinoj vs PyTorch
# at batch 64 bf16 and f32 and batch 8 bf16. See bench-on-gpu.sh (QUICK=1) for the details.
exec env QUICK=1 bash "$(dirname "$0")/bench-on-gpu.sh" "$@"
