"""Helpers shared by the cross-check scripts: seeded random weights and safetensors output."""
import math

import torch
from safetensors.torch import save_file


def randomize_(model, seed):
    """Overwrites every parameter with seeded values of a size that makes every term matter.

    Default inits would hide mistakes: LayerScale 1e-5 makes the blocks nearly the identity and
    zero biases hide a missing bias. Here gammas are O(1), biases and norm affine terms non-zero.
    """
    g = torch.Generator().manual_seed(seed)
    with torch.no_grad():
        for name, p in model.named_parameters():
            n = torch.randn(p.shape, generator=g, dtype=torch.float64)
            if name.endswith("gamma"):
                v = 0.5 + torch.rand(p.shape, generator=g, dtype=torch.float64)
            elif name.endswith("weight_g"):
                v = 0.5 + torch.rand(p.shape, generator=g, dtype=torch.float64)
            elif "norm" in name and name.endswith("weight"):
                v = 1 + 0.1 * n
            elif name.endswith("bias") or "norm" in name:
                v = 0.1 * n
            elif p.dim() >= 2 and ("token" in name or "pos_embed" in name):
                v = 0.2 * n
            else:
                fan_in = p[0].numel() if p.dim() >= 2 else p.numel()
                v = n / math.sqrt(fan_in)
            p.copy_(v.to(p.dtype))


def save(path, tensors, metadata=None):
    save_file({k: v.detach().contiguous() for k, v in tensors.items()}, path, metadata=metadata)
