"""Loads a state dict written by `dinoj export --naming timm` into timm's DINOv2 ViT, strictly, and
runs it on the given images.

Reads WEIGHTS (safetensors, timm names) and IMAGES (safetensors, tensor "images" [B, 3, H, W]);
writes OUT/features.safetensors: normed CLS / register / patch tokens of the f32 and f64 runs.
"""
import argparse

import timm
import torch
from safetensors.torch import load_file

from common import save


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--model", required=True)
    ap.add_argument("--img", type=int, required=True)
    ap.add_argument("--weights", required=True)
    ap.add_argument("--images", required=True)
    ap.add_argument("--out", required=True)
    a = ap.parse_args()
    model = timm.create_model(a.model, pretrained=False, img_size=a.img).eval()
    state = load_file(a.weights)
    missing, unexpected = model.load_state_dict(state, strict=True)
    assert not missing and not unexpected, (missing, unexpected)
    images = load_file(a.images)["images"]
    prefix = model.num_prefix_tokens
    out = {}
    with torch.no_grad():
        for dtype, tag in ((torch.float32, "f32"), (torch.float64, "f64")):
            normed = model.to(dtype).forward_features(images.to(dtype))
            out[f"{tag}.cls"] = normed[:, 0]
            out[f"{tag}.patches"] = normed[:, prefix:]
            if prefix > 1:
                out[f"{tag}.registers"] = normed[:, 1:prefix]
    save(f"{a.out}/features.safetensors", out,
         {"model": a.model, "torch": torch.__version__, "timm": timm.__version__})


if __name__ == "__main__":
    main()
