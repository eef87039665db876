"""timm DINOv2 ViT forward with random weights, as the reference for dinoj's VisionTransformer.

Writes OUT/weights.safetensors (timm's state dict, f32, timm key names) and
OUT/reference.safetensors: the input images, and for both f32 and f64 runs of the same weights
the normed CLS / register / patch tokens and the residual stream after every block.
"""
import argparse

import timm
import torch

from common import randomize_, save


def run(model, images):
    """timm's forward_features, unrolled to keep each block's output (pre-norm residual stream)."""
    x = model.patch_embed(images)
    x = model._pos_embed(x)
    x = model.patch_drop(x)
    x = model.norm_pre(x)
    blocks = []
    for block in model.blocks:
        x = block(x)
        blocks.append(x)
    normed = model.norm(x)
    check = model.forward_features(images)
    assert torch.equal(check, normed), "unrolled forward differs from forward_features"
    return normed, blocks


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--model", required=True)
    ap.add_argument("--img", type=int, default=56)
    ap.add_argument("--batch", type=int, default=2)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--out", required=True)
    a = ap.parse_args()
    torch.manual_seed(a.seed)
    model = timm.create_model(a.model, pretrained=False, img_size=a.img).eval()
    randomize_(model, a.seed)
    prefix = model.num_prefix_tokens  # CLS + registers
    images = torch.randn(a.batch, 3, a.img, a.img, generator=torch.Generator().manual_seed(a.seed + 1))
    save(f"{a.out}/weights.safetensors", model.state_dict(), {"model": a.model, "img_size": str(a.img)})
    ref = {"images": images}
    with torch.no_grad():
        for dtype, tag in ((torch.float32, "f32"), (torch.float64, "f64")):
            m = model.to(dtype)
            normed, blocks = run(m, images.to(dtype))
            ref[f"{tag}.cls"] = normed[:, 0]
            ref[f"{tag}.patches"] = normed[:, prefix:]
            if prefix > 1:
                ref[f"{tag}.registers"] = normed[:, 1:prefix]
            for i, b in enumerate(blocks):
                ref[f"{tag}.block.{i}"] = b
    save(f"{a.out}/reference.safetensors", ref,
         {"model": a.model, "prefix_tokens": str(prefix), "depth": str(len(model.blocks)),
          "torch": torch.__version__, "timm": timm.__version__})


if __name__ == "__main__":
    main()
