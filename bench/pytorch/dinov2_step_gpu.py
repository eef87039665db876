#!/usr/bin/env python3
"""One full DINOv2 training step in PyTorch on a CUDA device: the GPU counterpart of dinoj's
`dinoj bench step --backend cuda`, with the same workload as the project's CPU reference
(shared/bench/pytorch_dinov2_step_bench.py), which does not travel to the GPU machine.

The step: student + EMA teacher ViT (pre-norm, LayerScale 1e-5, qkv bias, GELU MLP, cls token,
learned pos-embed, mask token), a DINO head shared by DINO and iBOT (3-layer MLP 2048 -> bottleneck
256, L2-normalise, weight-normed prototypes with trainable g), 2 global + L local crops (random
tensors), teacher on the 2 unmasked global crops, Sinkhorn-Knopp targets (3 iterations) for CLS
and masked patches, student on block-masked global crops (half of them, ratios stratified in
[0.1, 0.5]) and the local crops, DINO loss over the 2L + 2 cross-view pairs, iBOT loss on masked
patch tokens, KoLeo (0.1) per global crop, backward, clipping at 3.0 per sub-module, AdamW
(foreach), EMA update. Not included, as in the CPU reference: stochastic depth, layer-wise lr
decay, sequence packing.

Precision: --prec bf16 runs the forward passes under torch.autocast(bfloat16) with f32 master
weights, losses in f32; --prec f32 is plain f32 with TF32 switched off (dinoj's f32 matmuls use
CUBLAS_COMPUTE_32F, no TF32). Timing: torch.cuda.synchronize() around each step; the block masks
are made and copied before the timer starts (collate work).

MFU: analytic matmul FLOPs of the step (3x the student forward + the teacher forward;
element-wise work not counted) over the step time, against the H100 dense bf16 peak
(989 TFLOP/s, SXM); for f32 runs the same peak is used, so the f32 figure shows the distance to
the bf16 roofline, not to the f32 one.

usage: python3 dinov2_step_gpu.py --config vits14-224 --prec bf16 [--batch 64 --steps 10 --warmup 3
       --attention matmul|sdpa --device cuda --json out.jsonl]
"""
import argparse
import json
import math
import random
import statistics
import time

import torch
import torch.nn as nn
import torch.nn.functional as F

H100_BF16_DENSE_PEAK = 989e12

CONFIGS = {
    #              dim depth heads patch chans global local n_local K batch
    "fmnist-tiny": dict(dim=192, depth=12, heads=3, patch=4, chans=1, gsize=28, lsize=12, n_local=6, K=4096, batch=64),
    "small-32": dict(dim=384, depth=12, heads=6, patch=4, chans=3, gsize=32, lsize=16, n_local=8, K=16384, batch=64),
    "vits14-224": dict(dim=384, depth=12, heads=6, patch=14, chans=3, gsize=224, lsize=98, n_local=8, K=65536, batch=8),
    # a plumbing check that runs in seconds on a CPU
    "tiny-test": dict(dim=32, depth=2, heads=2, patch=4, chans=3, gsize=16, lsize=8, n_local=2, K=64, batch=4),
}


# ----------------------------------------------------------------------------------------------- model
class Attention(nn.Module):
    def __init__(self, dim, heads, use_sdpa):
        super().__init__()
        self.h, self.hd, self.sdpa = heads, dim // heads, use_sdpa
        self.qkv = nn.Linear(dim, 3 * dim, bias=True)
        self.proj = nn.Linear(dim, dim, bias=True)

    def forward(self, x):
        b, n, d = x.shape
        q, k, v = self.qkv(x).reshape(b, n, 3, self.h, self.hd).permute(2, 0, 3, 1, 4)
        if self.sdpa:
            o = F.scaled_dot_product_attention(q, k, v)
        else:
            o = torch.matmul(torch.matmul(q * self.hd ** -0.5, k.transpose(-2, -1)).softmax(dim=-1), v)
        return self.proj(o.transpose(1, 2).reshape(b, n, d))


class LayerScale(nn.Module):
    def __init__(self, dim, init=1e-5):
        super().__init__()
        self.gamma = nn.Parameter(init * torch.ones(dim))

    def forward(self, x):
        return x * self.gamma


class Block(nn.Module):
    def __init__(self, dim, heads, use_sdpa, mlp_ratio=4, ls_init=1e-5):
        super().__init__()
        self.norm1 = nn.LayerNorm(dim, eps=1e-6)
        self.attn = Attention(dim, heads, use_sdpa)
        self.ls1 = LayerScale(dim, ls_init)
        self.norm2 = nn.LayerNorm(dim, eps=1e-6)
        self.mlp = nn.Sequential(nn.Linear(dim, mlp_ratio * dim), nn.GELU(), nn.Linear(mlp_ratio * dim, dim))
        self.ls2 = LayerScale(dim, ls_init)

    def forward(self, x):
        x = x + self.ls1(self.attn(self.norm1(x)))
        return x + self.ls2(self.mlp(self.norm2(x)))


class ViT(nn.Module):
    def __init__(self, c, use_sdpa):
        super().__init__()
        dim = c["dim"]
        self.grid = c["gsize"] // c["patch"]
        self.patch_embed = nn.Conv2d(c["chans"], dim, c["patch"], c["patch"])
        self.cls_token = nn.Parameter(torch.randn(1, 1, dim) * 1e-6)
        self.pos_embed = nn.Parameter(torch.zeros(1, 1 + self.grid ** 2, dim))
        nn.init.trunc_normal_(self.pos_embed, std=0.02)
        self.mask_token = nn.Parameter(torch.zeros(1, dim))
        self.blocks = nn.ModuleList([Block(dim, c["heads"], use_sdpa) for _ in range(c["depth"])])
        self.norm = nn.LayerNorm(dim, eps=1e-6)
        for m in self.blocks.modules():
            if isinstance(m, nn.Linear):
                nn.init.trunc_normal_(m.weight, std=0.02)
                nn.init.zeros_(m.bias)

    def pos(self, h, w):
        if h == self.grid and w == self.grid:
            return self.pos_embed
        cls, grid = self.pos_embed[:, :1], self.pos_embed[:, 1:]
        d = grid.shape[-1]
        grid = grid.reshape(1, self.grid, self.grid, d).permute(0, 3, 1, 2).float()
        grid = F.interpolate(grid, size=(h, w), mode="bicubic", align_corners=False)
        return torch.cat([cls, grid.permute(0, 2, 3, 1).reshape(1, h * w, d).to(cls.dtype)], 1)

    def forward(self, img, mask=None):
        x = self.patch_embed(img)
        b, d, h, w = x.shape
        x = x.flatten(2).transpose(1, 2)
        if mask is not None:
            x = torch.where(mask.unsqueeze(-1), self.mask_token.to(x.dtype).unsqueeze(0), x)
        x = torch.cat([self.cls_token.expand(b, -1, -1).to(x.dtype), x], 1)
        x = x + self.pos(h, w)
        for blk in self.blocks:
            x = blk(x)
        x = self.norm(x)
        return x[:, 0], x[:, 1:]


class DinoHead(nn.Module):
    def __init__(self, in_dim, k, hidden=2048, bottleneck=256):
        super().__init__()
        self.mlp = nn.Sequential(nn.Linear(in_dim, hidden), nn.GELU(), nn.Linear(hidden, hidden), nn.GELU(),
                                 nn.Linear(hidden, bottleneck))
        for m in self.mlp:
            if isinstance(m, nn.Linear):
                nn.init.trunc_normal_(m.weight, std=0.02)
                nn.init.zeros_(m.bias)
        self.weight_v = nn.Parameter(nn.Linear(bottleneck, k, bias=False).weight.data.clone())
        self.weight_g = nn.Parameter(torch.ones(k, 1))

    def forward(self, x):
        z = self.mlp(x)
        z = F.normalize(z, dim=-1, eps=1e-6 if z.dtype != torch.float32 else 1e-12)
        w = self.weight_g * F.normalize(self.weight_v, dim=1, eps=1e-12)
        return F.linear(z, w.to(z.dtype))


class Model(nn.Module):
    def __init__(self, c, use_sdpa):
        super().__init__()
        self.backbone = ViT(c, use_sdpa)
        self.head = DinoHead(c["dim"], c["K"])


# ----------------------------------------------------------------------------------------------- masks
def block_mask(side, target, max_patches, min_patches=4, min_aspect=0.3):
    """BEiT/DINOv2 block masking on a side x side grid: a bool tensor [side * side]."""
    m = torch.zeros(side, side, dtype=torch.bool)
    count = 0
    la, lb = math.log(min_aspect), math.log(1 / min_aspect)
    while count < target:
        most = min(target - count, max_patches)
        delta = 0
        for _ in range(10):
            area = random.uniform(min_patches, most) if most >= min_patches else most
            aspect = math.exp(random.uniform(la, lb))
            h, w = int(round(math.sqrt(area * aspect))), int(round(math.sqrt(area / aspect)))
            if 0 < w < side and 0 < h < side:
                top, left = random.randint(0, side - h), random.randint(0, side - w)
                new = h * w - int(m[top:top + h, left:left + w].sum())
                if 0 < new <= most:
                    m[top:top + h, left:left + w] = True
                    delta += new
            if delta > 0:
                break
        if delta == 0:
            break
        count += delta
    return m.flatten()


def make_masks(n_crops, side, ratio=(0.1, 0.5), prob=0.5):
    """Exactly int(n_crops * prob) masked crops, ratios stratified in [0.1, 0.5], shuffled: [n_crops, side^2]."""
    n = side * side
    n_masked = int(n_crops * prob)
    probs = torch.linspace(ratio[0], ratio[1], n_masked + 1).tolist()
    masks = [block_mask(side, int(n * random.uniform(probs[i], probs[i + 1])), int(0.5 * n)) for i in range(n_masked)]
    masks += [torch.zeros(n, dtype=torch.bool)] * (n_crops - n_masked)
    random.shuffle(masks)
    return torch.stack(masks)


# ----------------------------------------------------------------------------------------------- losses
@torch.no_grad()
def sinkhorn_knopp(logits, temp, n_iter=3):
    logits = logits.float()
    q = torch.exp((logits - logits.max()) / temp).t()
    k, b = q.shape
    q /= q.sum()
    for _ in range(n_iter):
        q /= q.sum(dim=1, keepdim=True)
        q /= k
        q /= q.sum(dim=0, keepdim=True)
        q /= b
    q *= b
    return q.t()


def koleo(x, eps=1e-8):
    x = F.normalize(x.float(), dim=-1, eps=eps)
    with torch.no_grad():
        dots = x @ x.t()
        dots.fill_diagonal_(-1)
        idx = dots.argmax(dim=1)
    d = F.pairwise_distance(x, x[idx], p=2, eps=eps)
    return -torch.log(d + eps).mean()


def dinov2_step(student, teacher, opt, g_crops, l_crops, masks, sched, use_bf16):
    """g_crops [2B, C, G, G] crop-major, l_crops [L*B, C, S, S], masks [2B, Np] bool, all on the device."""
    b2 = g_crops.shape[0]
    b = b2 // 2
    n_local = l_crops.shape[0] // b
    autocast = torch.autocast(g_crops.device.type, dtype=torch.bfloat16, enabled=use_bf16)
    mask_flat = masks.flatten()
    w_patch = (1.0 / masks.sum(1).clamp(min=1).float()).unsqueeze(1).expand_as(masks)[masks]
    with torch.no_grad(), autocast:
        t_cls, t_patch = teacher.backbone(g_crops)
        t_out = teacher.head(torch.cat([t_cls, t_patch.reshape(-1, t_patch.shape[-1])[mask_flat]], 0)).float()
    t_cls_out, t_patch_out = t_out[:b2], t_out[b2:]
    t_cls_p = sinkhorn_knopp(torch.cat(t_cls_out.chunk(2)[::-1]), sched["teacher_temp"])
    t_patch_p = sinkhorn_knopp(t_patch_out, sched["teacher_temp"])
    with autocast:
        s_gcls, s_gpatch = student.backbone(g_crops, masks)
        s_lcls, _ = student.backbone(l_crops)
        s_mpatch = s_gpatch.reshape(-1, s_gpatch.shape[-1])[mask_flat]
        s_out = student.head(torch.cat([s_gcls, s_lcls, s_mpatch], 0)).float()
    lp = F.log_softmax(s_out / 0.1, dim=-1)
    lp_g, lp_l, lp_m = lp[:b2], lp[b2:b2 + n_local * b], lp[b2 + n_local * b:]
    dino_global = -(t_cls_p * lp_g).sum(-1).mean() * 2
    t0, t1 = t_cls_p.chunk(2)
    dino_local = -(lp_l.view(n_local, b, -1) * (t0 + t1).unsqueeze(0)).sum(-1).mean(-1).sum()
    dino = (dino_global + dino_local) / (2 * n_local + 2)
    ibot = -(w_patch * (t_patch_p * lp_m).sum(-1)).sum() / b2
    s_gcls32 = s_gcls.float()
    kol = 0.1 * (koleo(s_gcls32[:b]) + koleo(s_gcls32[b:]))
    loss = dino + ibot + kol
    opt.zero_grad(set_to_none=True)
    loss.backward()
    for module in (student.backbone, student.head):
        torch.nn.utils.clip_grad_norm_(module.parameters(), 3.0)
    for group in opt.param_groups:
        group["lr"] = sched["lr"]
        group["weight_decay"] = sched["wd"] * group["wd_mult"]
    opt.step()
    with torch.no_grad():
        m = sched["momentum"]
        tp, sp = list(teacher.parameters()), list(student.parameters())
        torch._foreach_mul_(tp, m)
        torch._foreach_add_(tp, sp, alpha=1 - m)
    return loss


def param_groups(model):
    groups = {}
    for name, p in model.named_parameters():
        no_wd = name.endswith(".bias") or "norm" in name or "gamma" in name
        groups.setdefault(no_wd, dict(params=[], wd_mult=0.0 if no_wd else 1.0))["params"].append(p)
    return list(groups.values())


# ----------------------------------------------------------------------------------------------- FLOPs
def backbone_flops(n_patch, c):
    d, n = c["dim"], n_patch + 1
    return 2 * n_patch * c["chans"] * c["patch"] ** 2 * d + c["depth"] * (24 * n * d * d + 4 * n * n * d)


def head_flops(rows, c, hidden=2048, bottleneck=256):
    return 2 * rows * (c["dim"] * hidden + hidden * hidden + hidden * bottleneck + bottleneck * c["K"])


def step_flops_per_image(c, masked_per_image):
    ng, nl = (c["gsize"] // c["patch"]) ** 2, (c["lsize"] // c["patch"]) ** 2
    student = 2 * backbone_flops(ng, c) + c["n_local"] * backbone_flops(nl, c) \
        + head_flops(2 + c["n_local"] + masked_per_image, c)
    teacher = 2 * backbone_flops(ng, c) + head_flops(2 + masked_per_image, c)
    return 3 * student + teacher


# ----------------------------------------------------------------------------------------------- main
def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--config", required=True, choices=list(CONFIGS))
    ap.add_argument("--prec", required=True, choices=["f32", "bf16"])
    ap.add_argument("--batch", type=int, default=None)
    ap.add_argument("--steps", type=int, default=10)
    ap.add_argument("--warmup", type=int, default=3)
    ap.add_argument("--attention", choices=["matmul", "sdpa"], default="matmul",
                    help="matmul: softmax(q k^T) v as dinoj and the CPU reference; sdpa: fused attention")
    ap.add_argument("--device", default="cuda")
    ap.add_argument("--json", default=None, help="append the result line to this file")
    a = ap.parse_args()
    device = torch.device(a.device)
    if device.type == "cuda" and not torch.cuda.is_available():
        raise SystemExit("dinov2_step_gpu: no CUDA device visible to PyTorch; use --device cpu for a plumbing check")
    torch.backends.cuda.matmul.allow_tf32 = False
    torch.backends.cudnn.allow_tf32 = False
    torch.manual_seed(0)
    random.seed(0)
    c = dict(CONFIGS[a.config])
    if a.batch:
        c["batch"] = a.batch
    b = c["batch"]
    student = Model(c, a.attention == "sdpa").to(device)
    teacher = Model(c, a.attention == "sdpa").to(device)
    teacher.load_state_dict(student.state_dict())
    for p in teacher.parameters():
        p.requires_grad_(False)
    opt = torch.optim.AdamW(param_groups(student), lr=1e-4, betas=(0.9, 0.999), foreach=True)
    sched = dict(lr=1e-4, wd=0.04, momentum=0.994, teacher_temp=0.04)
    side = c["gsize"] // c["patch"]
    g = torch.randn(2 * b, c["chans"], c["gsize"], c["gsize"], device=device)
    l = torch.randn(c["n_local"] * b, c["chans"], c["lsize"], c["lsize"], device=device)

    def sync():
        if device.type == "cuda":
            torch.cuda.synchronize()

    times, masked = [], []
    for it in range(a.warmup + a.steps):
        masks = make_masks(2 * b, side).to(device)
        sync()
        t0 = time.perf_counter()
        loss = dinov2_step(student, teacher, opt, g, l, masks, sched, a.prec == "bf16")
        sync()
        dt = time.perf_counter() - t0
        n_masked = int(masks.sum())
        print(f"pytorch {a.config} {a.prec} batch {b} step {it} {dt * 1e3:.1f} ms loss {loss.item():.4f} "
              f"masked {n_masked}", flush=True)
        if it >= a.warmup:
            times.append(dt)
            masked.append(n_masked / b)
    med = statistics.median(times)
    flop_per_img = step_flops_per_image(c, statistics.mean(masked))
    achieved = flop_per_img * b / med
    res = dict(impl="pytorch", torch=torch.__version__, device=torch.cuda.get_device_name() if device.type == "cuda"
               else "cpu", config=a.config, prec=a.prec, attention=a.attention, batch=b, steps=len(times),
               step_ms=med * 1e3, min_ms=min(times) * 1e3, max_ms=max(times) * 1e3, img_s=b / med,
               gflop_per_img=flop_per_img / 1e9, tflops=achieved / 1e12, mfu_bf16_peak=achieved / H100_BF16_DENSE_PEAK,
               peak_mem_gib=torch.cuda.max_memory_allocated() / 2 ** 30 if device.type == "cuda" else None)
    print("RESULT " + json.dumps(res), flush=True)
    if a.json:
        with open(a.json, "a") as f:
            f.write(json.dumps(res) + "\n")


if __name__ == "__main__":
    main()
