#!/usr/bin/env bash
# Run ON THE GPU MACHINE from the repository root, with .gpujars/ and .jre.tgz carried: in about
# 5 minutes, the CUDA tests (correctness first, a "gpu: N passed, M failed" line), dinoj vs PyTorch
# at batch 64 bf16 and f32 (RESULT lines and a table), one profiled dinoj step run at batch 64 bf16
# (DINOJ_CUDA_PROFILE=1: PROFILE lines say which operations take the time), A/B runs with the
# composed attention and with cuDNN's softmax, then batch 8 bf16. See bench-on-gpu.sh (QUICK=1).
exec env QUICK=1 bash "$(dirname "$0")/bench-on-gpu.sh" "$@"
