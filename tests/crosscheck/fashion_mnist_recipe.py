"""The `fashion-mnist` preset's 15-epoch recipe trial in PyTorch: is the plateau dinoj's or the recipe's?

An independent PyTorch run of the schedule that `dinoj bench recipe` uses for its trials
(docs/runs/fashion-mnist-recipe.md): the preset's ViT (width 192, patch 7, 6 blocks, 3 heads, no
LayerScale, drop path 0.1), DINO + iBOT heads shared (3 layers, hidden 512, bottleneck 64, 1024
prototypes), Sinkhorn-Knopp targets, KoLeo 0.05, AdamW with dinov2's parameter groups and
schedules, dinov2's augmentations (torchvision on PIL images, effective blur probabilities 0 / 0.9 /
0.5) and block masking. Written from ../shared/reference/DINOV2.md (sections 1-7), not from dinoj's
Java. f32, or with --bf16 the networks under CPU autocast (losses, targets and weights f32), as
dinoj's preset computes.

It scores the teacher's normed CLS with the same subset k-NN as `bench recipe` (every 6th train
image as the bank, every 5th test image as the queries, k = 20, T = 0.07) and prints raw pixels on
the same subset first (dinoj: 81.10).

Not part of the test suite (about 20 minutes on one thread). Run it with the torch 2.x venv of
bench/setup-torch2-venv.sh (it installs torchvision, pillow and safetensors for this script), from
this folder:
  ~/.cache/dinoj/torch2-venv/bin/python fashion_mnist_recipe.py --bf16 [--seed 0] [--threads 1]
      [--epochs 15] [--eval-every 5] [--koleo 0.05] [--local-crops 6] ...
Other shapes: --patch 4 --local-size 12 [--depth 6]; --stop-after-epochs N ends after N epochs of a
schedule that still spans --epochs (as `bench recipe --max-minutes` ends a trial early).
--bf16 needs a CPU with bf16 instructions (AVX512_BF16 or AMX): on an AVX2-only CPU torch 2.15
computes bf16 matmuls in a plain AVX2 dot loop (cpublas_gemm_impl, seen with py-spy) and the
patch-4 trial made fewer than 50 steps in 14 minutes; leave --bf16 out there.
The crosscheck venv (torch 1.13) runs it too, at about a quarter of the speed.
"""
import argparse
import gzip
import math
import random
import time

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
import torchvision.transforms as T
import torchvision.transforms.functional as TF
from PIL import Image

from dinov2_step import Attention, DINOHead, Mlp, PatchEmbed, dino_ce, koleo, sinkhorn_knopp

DATA = "/usr/share/datasets/fashion-mnist"
MEAN, STD = 0.2860, 0.3530


def read_idx(name):
    with gzip.open(f"{DATA}/{name}", "rb") as f:
        raw = f.read()
    dims = raw[3]
    shape = [int.from_bytes(raw[4 + 4 * i:8 + 4 * i], "big") for i in range(dims)]
    return np.frombuffer(raw, dtype=np.uint8, offset=4 + 4 * dims).reshape(shape)


def strided(n_total, n):
    return [i * n_total // n for i in range(n)]


# --- model (dinov2 section 1, with the preset's choices) ---------------------------------------
class Block(nn.Module):
    """Pre-norm block without LayerScale; per-sample stochastic depth on both residual branches."""

    def __init__(self, dim, heads, drop_path):
        super().__init__()
        self.norm1 = nn.LayerNorm(dim, eps=1e-6)
        self.attn = Attention(dim, heads)
        self.norm2 = nn.LayerNorm(dim, eps=1e-6)
        self.mlp = Mlp(dim, 4 * dim)
        self.drop_path = drop_path

    def branch(self, x, f):
        if not self.training or self.drop_path == 0:
            return x + f(x)
        # dinov2's efficient stochastic depth: the branch on an exact-count subset, rescaled
        b = x.shape[0]
        keep = max(int(b * (1 - self.drop_path)), 1)
        idx = torch.randperm(b)[:keep]
        out = x.clone()
        out[idx] = x[idx] + f(x[idx]) * (b / keep)
        return out

    def forward(self, x):
        x = self.branch(x, lambda y: self.attn(self.norm1(y)))
        return self.branch(x, lambda y: self.mlp(self.norm2(y)))


class ViT(nn.Module):
    def __init__(self, a, drop_path):
        super().__init__()
        self.patch = a.patch
        grid = a.global_size // a.patch
        self.cls_token = nn.Parameter(torch.zeros(1, 1, a.dim))
        self.pos_embed = nn.Parameter(torch.zeros(1, 1 + grid * grid, a.dim))
        self.mask_token = nn.Parameter(torch.zeros(1, a.dim))
        self.patch_embed = PatchEmbed(1, a.dim, a.patch)
        self.blocks = nn.ModuleList(Block(a.dim, a.heads, drop_path) for _ in range(a.depth))
        self.norm = nn.LayerNorm(a.dim, eps=1e-6)
        nn.init.trunc_normal_(self.pos_embed, std=0.02)
        nn.init.normal_(self.cls_token, std=1e-6)
        for m in self.blocks.modules():
            if isinstance(m, nn.Linear):
                nn.init.trunc_normal_(m.weight, std=0.02)
                nn.init.zeros_(m.bias)

    def pos(self, h):
        n = self.pos_embed.shape[1] - 1
        h0 = h // self.patch
        if h0 * h0 == n:
            return self.pos_embed
        m = int(math.sqrt(n))
        grid = self.pos_embed[:, 1:].reshape(1, m, m, -1).permute(0, 3, 1, 2)
        grid = F.interpolate(grid, scale_factor=((h0 + 0.1) / m, (h0 + 0.1) / m), mode="bicubic")
        return torch.cat((self.pos_embed[:, :1], grid.permute(0, 2, 3, 1).reshape(1, h0 * h0, -1)), dim=1)

    def forward(self, images, masks=None):
        b, _, h, _ = images.shape
        x = self.patch_embed(images)
        if masks is not None:
            x = torch.where(masks.unsqueeze(-1), self.mask_token.unsqueeze(0), x)
        x = torch.cat((self.cls_token.expand(b, -1, -1), x), dim=1) + self.pos(h)
        for blk in self.blocks:
            x = blk(x)
        x = self.norm(x)
        return x[:, 0], x[:, 1:]


def head(dim, k, hidden, bottleneck):
    """dinov2's DINOHead with its init: trunc normal 0.02 and zero biases in the MLP, nn.Linear's
    default for the prototypes' v (weight_norm keeps it), g = 1."""
    h = DINOHead(dim, k, 3, hidden, bottleneck)
    for m in h.mlp:
        if isinstance(m, nn.Linear):
            nn.init.trunc_normal_(m.weight, std=0.02)
            nn.init.zeros_(m.bias)
    with torch.no_grad():
        h.last_layer.weight_v.copy_(nn.Linear(bottleneck, k, bias=False).weight)
    return h


# --- data (dinov2 sections 4 and 5) -------------------------------------------------------------
def crop_pipeline(size, scale, blur_p, solarize):
    ops = [T.RandomResizedCrop(size, scale=scale, interpolation=T.InterpolationMode.BICUBIC),
           T.RandomHorizontalFlip(0.5),
           T.RandomApply([T.ColorJitter(0.4, 0.4, 0.2, 0.1)], p=0.8),
           T.RandomGrayscale(0.2)]
    if blur_p > 0:
        ops.append(T.RandomApply([T.GaussianBlur(9, sigma=(0.1, 2.0))], p=blur_p))
    if solarize:
        ops.append(T.RandomSolarize(128, p=0.2))
    ops += [T.ToTensor(), T.Normalize([MEAN], [STD])]
    return T.Compose(ops)


def mask_block(mask, max_patches, s):
    delta = 0
    for _ in range(10):
        area = random.uniform(4, max_patches)
        aspect = math.exp(random.uniform(math.log(0.3), math.log(1 / 0.3)))
        h = int(round(math.sqrt(area * aspect)))
        w = int(round(math.sqrt(area / aspect)))
        if w < s and h < s:
            top = random.randint(0, s - h)
            left = random.randint(0, s - w)
            new = h * w - int(mask[top:top + h, left:left + w].sum())
            if 0 < new <= max_patches:
                mask[top:top + h, left:left + w] = True
                delta += new
        if delta > 0:
            break
    return delta


def block_mask(target, s):
    mask = np.zeros((s, s), dtype=bool)
    count = 0
    while count < target:
        delta = mask_block(mask, min(target - count, int(0.5 * s * s)), s)
        if delta == 0:
            break
        count += delta
    return mask


def collate_masks(n_crops, s, ratio_min, ratio_max, sample_p):
    n = s * s
    n_masked = int(n_crops * sample_p)
    probs = np.linspace(ratio_min, ratio_max, n_masked + 1)
    masks = [block_mask(int(n * random.uniform(probs[i], probs[i + 1])), s) for i in range(n_masked)]
    masks += [np.zeros((s, s), dtype=bool)] * (n_crops - n_masked)
    random.shuffle(masks)
    return torch.from_numpy(np.stack(masks).reshape(n_crops, n))


# --- schedules and parameter groups (dinov2 section 6) ------------------------------------------
def cosine(base, final, total, warmup=0, start=0.0):
    w = np.linspace(start, base, warmup) if warmup else np.array([])
    i = np.arange(total - warmup)
    return np.concatenate((w, final + 0.5 * (base - final) * (1 + np.cos(np.pi * i / len(i)))))


def param_groups(module, depth, layer_decay, patch_mult, is_backbone):
    groups = []
    for name, p in module.named_parameters():
        if is_backbone:
            if name.startswith(("pos_embed", "patch_embed", "mask_token", "cls_token")):
                layer = 0
            elif name.startswith("blocks."):
                layer = int(name.split(".")[1]) + 1
            else:
                layer = depth + 1
            lr_mult = layer_decay ** (depth + 1 - layer)
            if name.startswith("patch_embed"):
                lr_mult *= patch_mult
        else:
            lr_mult = 1.0
        wd_mult = 0.0 if (name.endswith(".bias") or "norm" in name or "gamma" in name) else 1.0
        groups.append({"params": [p], "lr_mult": lr_mult, "wd_mult": wd_mult, "last": "last_layer" in name})
    return groups


def features(backbone, images, batch=500):
    out = []
    with torch.no_grad():
        for i in range(0, len(images), batch):
            cls, _ = backbone(images[i:i + batch])
            out.append(F.normalize(cls, dim=-1))
    return torch.cat(out)


def knn_top1(bank, bank_labels, queries, query_labels, k=20, t=0.07):
    sim = queries @ bank.t()
    top, idx = sim.topk(k, dim=1)
    w = torch.exp((top - top[:, :1]) / t)
    scores = torch.zeros(len(queries), 10).scatter_add_(1, bank_labels[idx], w)
    return 100.0 * (scores.argmax(1) == query_labels).float().mean().item()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--epochs", type=int, default=15)
    ap.add_argument("--epoch-length", type=int, default=100)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--eval-every", type=int, default=5)
    ap.add_argument("--batch", type=int, default=64)
    ap.add_argument("--base-lr", type=float, default=0.002)
    ap.add_argument("--warmup-epochs", type=int, default=1)
    ap.add_argument("--teacher-temp-warmup-epochs", type=int, default=2)
    ap.add_argument("--teacher-temp", type=float, default=0.07)
    ap.add_argument("--momentum", type=float, default=0.99)
    ap.add_argument("--koleo", type=float, default=0.05)
    ap.add_argument("--local-crops", type=int, default=6)
    ap.add_argument("--drop-path", type=float, default=0.1)
    ap.add_argument("--patch", type=int, default=7)
    ap.add_argument("--depth", type=int, default=6)
    ap.add_argument("--local-size", type=int, default=14)
    ap.add_argument("--stop-after-epochs", type=int, default=None,
                    help="end (with a score) after this many epochs; the schedules still span --epochs")
    ap.add_argument("--bf16", action="store_true", help="bf16 autocast for the networks (losses stay f32), as dinoj's preset")
    a = ap.parse_args()
    a.dim, a.heads, a.global_size = 192, 3, 28
    k_protos, hidden, bottleneck = 1024, 512, 64
    torch.manual_seed(a.seed)
    random.seed(a.seed)
    np.random.seed(a.seed)
    torch.set_num_threads(a.threads)

    train = read_idx("train-images-idx3-ubyte.gz")
    train_labels = torch.from_numpy(read_idx("train-labels-idx1-ubyte.gz").astype(np.int64))
    test = read_idx("t10k-images-idx3-ubyte.gz")
    test_labels = torch.from_numpy(read_idx("t10k-labels-idx1-ubyte.gz").astype(np.int64))
    bank_idx, query_idx = strided(len(train), 10000), strided(len(test), 2000)

    def eval_tensor(images):
        return ((torch.from_numpy(images.astype(np.float32) / 255.0) - MEAN) / STD)[:, None]

    bank_images, query_images = eval_tensor(train[bank_idx]), eval_tensor(test[query_idx])
    bank_labels, query_labels = train_labels[bank_idx], test_labels[query_idx]
    raw = knn_top1(F.normalize(bank_images.flatten(1) * STD + MEAN, dim=-1), bank_labels,
                   F.normalize(query_images.flatten(1) * STD + MEAN, dim=-1), query_labels)
    print(f"raw pixels on the subset: {raw:.2f}", flush=True)

    student = nn.ModuleDict({"backbone": ViT(a, a.drop_path), "dino_head": head(a.dim, k_protos, hidden, bottleneck)})
    teacher = nn.ModuleDict({"backbone": ViT(a, 0.0), "dino_head": head(a.dim, k_protos, hidden, bottleneck)})
    teacher.load_state_dict(student.state_dict())
    teacher.eval()
    for p in teacher.parameters():
        p.requires_grad = False
    groups = (param_groups(student["backbone"], a.depth, 0.9, 0.2, True)
              + param_groups(student["dino_head"], a.depth, 0.9, 0.2, False))
    opt = torch.optim.AdamW(groups, lr=0.0, betas=(0.9, 0.999))

    el = a.epoch_length
    total = a.epochs * el
    lr_peak = a.base_lr * math.sqrt(a.batch / 1024)
    lr_s = cosine(lr_peak, 1e-6, total, a.warmup_epochs * el)
    wd_s = cosine(0.04, 0.4, total)
    mom_s = cosine(a.momentum, 1.0, total)
    tt_warm = a.teacher_temp_warmup_epochs * el
    tt_s = np.concatenate((np.linspace(0.04, a.teacher_temp, tt_warm), np.full(total, a.teacher_temp)))
    last_lr_s = lr_s.copy()
    last_lr_s[:el] = 0.0  # prototypes frozen for the first epoch

    g1 = crop_pipeline(a.global_size, (0.32, 1.0), 0.0, False)
    g2 = crop_pipeline(a.global_size, (0.32, 1.0), 0.9, True)
    loc = crop_pipeline(a.local_size, (0.05, 0.32), 0.5, False)
    pil = [None] * len(train)
    grid = a.global_size // a.patch

    def score(step):
        teacher_bank = features(teacher["backbone"], bank_images)
        teacher_queries = features(teacher["backbone"], query_images)
        top1 = knn_top1(teacher_bank, bank_labels, teacher_queries, query_labels)
        print(f"step {step} (epoch {step / el:g}): k-NN top-1 {top1:.2f}", flush=True)

    score(0)
    end_step = total if a.stop_after_epochs is None else min(total, a.stop_after_epochs * el)
    order = np.random.permutation(len(train))
    cursor = 0
    t0 = time.time()
    images_done = 0
    for it in range(total):
        if cursor + a.batch > len(order):
            order, cursor = np.random.permutation(len(train)), 0
        idx = order[cursor:cursor + a.batch]
        cursor += a.batch
        imgs = []
        for i in idx:
            if pil[i] is None:
                pil[i] = Image.fromarray(train[i], mode="L")
            imgs.append(pil[i])
        glob = torch.cat((torch.stack([g1(im) for im in imgs]), torch.stack([g2(im) for im in imgs])))
        local = torch.cat([torch.stack([loc(im) for im in imgs]) for _ in range(a.local_crops)])
        masks = collate_masks(2 * a.batch, grid, 0.1, 0.5, 0.5)
        mask_weights = (1.0 / masks.sum(-1, keepdim=True).clamp(min=1).float()).expand_as(masks)[masks]

        for g in opt.param_groups:
            g["lr"] = (last_lr_s[it] if g["last"] else lr_s[it]) * g["lr_mult"]
            g["weight_decay"] = wd_s[it] * g["wd_mult"]
        opt.zero_grad(set_to_none=True)
        b, n_local, temp = a.batch, a.local_crops, tt_s[it]
        flat = masks.flatten().nonzero().flatten()
        with torch.autocast("cpu", dtype=torch.bfloat16, enabled=a.bf16):
            with torch.no_grad():
                t_cls, t_patches = teacher["backbone"](glob)
                t_dino_logits = teacher["dino_head"](t_cls).float()
                t_ibot_logits = teacher["dino_head"](t_patches.flatten(0, 1)[flat]).float()
            s_cls, s_patches = student["backbone"](glob, masks)
            s_local_cls, _ = student["backbone"](local)
            s_logits = student["dino_head"](torch.cat((s_cls, s_local_cls))).float()
            s_patch = student["dino_head"](s_patches.flatten(0, 1)[flat]).float()
        s_cls = s_cls.float()
        t_dino = sinkhorn_knopp(t_dino_logits, temp).view(2, b, -1)
        t_ibot = sinkhorn_knopp(t_ibot_logits, temp)
        s_global, s_local = s_logits[:2 * b], s_logits[2 * b:]
        n_terms = 2 * n_local + 2
        swapped = torch.cat((t_dino[1], t_dino[0]))
        dino = (dino_ce(s_local.chunk(n_local), list(t_dino)) + 2 * dino_ce([s_global], [swapped])) / n_terms
        ibot = -(torch.sum(t_ibot * F.log_softmax(s_patch / 0.1, dim=-1), dim=-1) * mask_weights).sum() / (2 * b)
        ko = a.koleo * sum(koleo(p) for p in s_cls.chunk(2))
        loss = dino + ibot + ko
        if not torch.isfinite(loss):
            raise SystemExit(f"non-finite loss at step {it}")
        loss.backward()
        for part in ("backbone", "dino_head"):
            nn.utils.clip_grad_norm_(student[part].parameters(), 3.0)
        opt.step()
        with torch.no_grad():
            m = mom_s[it]
            for ps, pt in zip(student.parameters(), teacher.parameters()):
                pt.mul_(m).add_(ps.detach(), alpha=1 - m)
        images_done += a.batch
        if (it + 1) % 50 == 0:
            ent = -(t_dino.flatten(0, 1) * t_dino.flatten(0, 1).clamp_min(1e-12).log()).sum(-1).mean().item()
            print(f"step {it + 1}: loss {loss.item():.4f} (dino {dino.item():.4f} ibot {ibot.item():.4f} "
                  f"koleo {ko.item():.4f}) target entropy {ent:.3f} lr {lr_s[it]:.2e} "
                  f"{images_done / (time.time() - t0):.1f} img/s", flush=True)
        if (it + 1) % (a.eval_every * el) == 0 or it + 1 == end_step:
            score(it + 1)
        if it + 1 == end_step:
            break


if __name__ == "__main__":
    main()
