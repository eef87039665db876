"""One DINOv2 training step's student gradients in PyTorch autograd: the reference for dinoj's
DinoV2Step (teacher targets, student forward, DINO + iBOT + KoLeo losses, backward).

A transcription of dinov2 (DinoVisionTransformer.prepare_tokens_with_masks and
interpolate_pos_encoding, Block with LayerScale, DINOHead with weight norm, DINOLoss with centering
or sinkhorn_knopp_teacher, iBOTPatchLoss.forward_masked, KoLeoLoss and the crop pairing of
SSLMetaArch.forward_backward), written from /work/shared/reference/DINOV2.md, sections 1-3. One
process (the all-reduces are identities); the first step (centers zero); no stochastic depth
(drop_path_rate 0, checked elsewhere against finite differences).

Writes OUT/weights.safetensors (the student's random weights, f32, keys backbone.* / dino_head.* /
ibot_head.*), OUT/batch.safetensors (global and local crops, masks) and OUT/reference.safetensors:
for the f64 and the f32 run, the loss terms and the gradient of every student parameter.
"""
import argparse
import math

import torch
import torch.nn as nn
import torch.nn.functional as F

from common import randomize_, save


class Attention(nn.Module):
    def __init__(self, dim, heads):
        super().__init__()
        self.heads = heads
        self.qkv = nn.Linear(dim, 3 * dim)
        self.proj = nn.Linear(dim, dim)

    def forward(self, x):
        b, n, d = x.shape
        hd = d // self.heads
        q, k, v = self.qkv(x).reshape(b, n, 3, self.heads, hd).permute(2, 0, 3, 1, 4)
        a = torch.softmax((q * hd ** -0.5) @ k.transpose(-2, -1), dim=-1)
        return self.proj((a @ v).transpose(1, 2).reshape(b, n, d))


class LayerScale(nn.Module):
    def __init__(self, dim):
        super().__init__()
        self.gamma = nn.Parameter(torch.ones(dim))

    def forward(self, x):
        return x * self.gamma


class Mlp(nn.Module):
    def __init__(self, dim, hidden):
        super().__init__()
        self.fc1 = nn.Linear(dim, hidden)
        self.fc2 = nn.Linear(hidden, dim)

    def forward(self, x):
        return self.fc2(F.gelu(self.fc1(x)))


class Block(nn.Module):
    def __init__(self, dim, heads, mlp_ratio):
        super().__init__()
        self.norm1 = nn.LayerNorm(dim, eps=1e-6)
        self.attn = Attention(dim, heads)
        self.ls1 = LayerScale(dim)
        self.norm2 = nn.LayerNorm(dim, eps=1e-6)
        self.mlp = Mlp(dim, int(dim * mlp_ratio))
        self.ls2 = LayerScale(dim)

    def forward(self, x):
        x = x + self.ls1(self.attn(self.norm1(x)))
        return x + self.ls2(self.mlp(self.norm2(x)))


class PatchEmbed(nn.Module):
    def __init__(self, chans, dim, patch):
        super().__init__()
        self.proj = nn.Conv2d(chans, dim, patch, patch)

    def forward(self, x):
        return self.proj(x).flatten(2).transpose(1, 2)


class DinoVisionTransformer(nn.Module):
    """dinov2's ViT: tokens [CLS, registers, patches], mask_token before the position embedding."""

    def __init__(self, a):
        super().__init__()
        self.patch, self.offset = a.patch, a.interpolate_offset
        grid = a.global_size // a.patch
        self.cls_token = nn.Parameter(torch.zeros(1, 1, a.dim))
        self.pos_embed = nn.Parameter(torch.zeros(1, 1 + grid * grid, a.dim))
        if a.registers:
            self.register_tokens = nn.Parameter(torch.zeros(1, a.registers, a.dim))
        self.mask_token = nn.Parameter(torch.zeros(1, a.dim))
        self.patch_embed = PatchEmbed(a.chans, a.dim, a.patch)
        self.blocks = nn.ModuleList(Block(a.dim, a.heads, a.mlp_ratio) for _ in range(a.depth))
        self.norm = nn.LayerNorm(a.dim, eps=1e-6)
        self.registers = a.registers

    def interpolate_pos_encoding(self, x, h, w):
        npatch = x.shape[1] - 1
        n = self.pos_embed.shape[1] - 1
        if npatch == n and w == h:
            return self.pos_embed
        cls_pos, patch_pos = self.pos_embed[:, :1], self.pos_embed[:, 1:]
        m = int(math.sqrt(n))
        h0, w0 = h // self.patch, w // self.patch
        assert self.offset > 0, "this transcription covers dinov2's default interpolate_offset path only"
        grid = patch_pos.reshape(1, m, m, -1).permute(0, 3, 1, 2)
        grid = F.interpolate(grid, scale_factor=((h0 + self.offset) / m, (w0 + self.offset) / m), mode="bicubic",
                             antialias=False)
        assert grid.shape[-2:] == (h0, w0)
        return torch.cat((cls_pos, grid.permute(0, 2, 3, 1).reshape(1, -1, grid.shape[1])), dim=1)

    def forward(self, images, masks=None):
        b, _, h, w = images.shape
        x = self.patch_embed(images)
        if masks is not None:
            x = torch.where(masks.unsqueeze(-1), self.mask_token.to(x.dtype).unsqueeze(0), x)
        x = torch.cat((self.cls_token.expand(b, -1, -1), x), dim=1)
        x = x + self.interpolate_pos_encoding(x, h, w)
        if self.registers:
            x = torch.cat((x[:, :1], self.register_tokens.expand(b, -1, -1), x[:, 1:]), dim=1)
        for block in self.blocks:
            x = block(x)
        x = self.norm(x)
        return x[:, 0], x[:, 1 + self.registers:]


class WeightNormLinear(nn.Module):
    """nn.utils.weight_norm(nn.Linear(bottleneck, K, bias=False)): W[k] = g[k] v[k] / ||v[k]||."""

    def __init__(self, bottleneck, k):
        super().__init__()
        self.weight_g = nn.Parameter(torch.ones(k, 1))
        self.weight_v = nn.Parameter(torch.zeros(k, bottleneck))

    def forward(self, x):
        return x @ (self.weight_g * self.weight_v / self.weight_v.norm(dim=1, keepdim=True)).t()


class DINOHead(nn.Module):
    def __init__(self, dim, k, layers, hidden, bottleneck):
        super().__init__()
        sizes = [dim] + [hidden] * (layers - 1) + [bottleneck]
        mods = []
        for i in range(layers):
            mods.append(nn.Linear(sizes[i], sizes[i + 1]))
            if i < layers - 1:
                mods.append(nn.GELU())
        self.mlp = nn.Sequential(*mods) if layers > 1 else mods[0]
        self.last_layer = WeightNormLinear(bottleneck, k)

    def forward(self, x):
        x = self.mlp(x)
        x = F.normalize(x, dim=-1, p=2, eps=1e-12)
        return self.last_layer(x)


def sinkhorn_knopp(logits, temp, n_iterations=3):
    q = torch.exp(logits / temp).t()
    n_samples, k = q.shape[1], q.shape[0]
    q = q / q.sum()
    for _ in range(n_iterations):
        q = q / q.sum(dim=1, keepdim=True) / k
        q = q / q.sum(dim=0, keepdim=True) / n_samples
    return (q * n_samples).t()


def teacher_targets(logits, temp, centering):
    if centering == "centering":
        return F.softmax((logits - torch.zeros_like(logits[:1])) / temp, dim=-1)  # first step: center 0
    return sinkhorn_knopp(logits, temp)


def dino_ce(students, teachers, student_temp=0.1):
    total = 0
    for s in students:
        lsm = F.log_softmax(s / student_temp, dim=-1)
        for t in teachers:
            total = total - torch.sum(t * lsm, dim=-1).mean()
    return total


def koleo(x, eps=1e-8):
    x = F.normalize(x, eps=eps, p=2, dim=-1)
    dots = x @ x.t()
    n = x.shape[0]
    dots.view(-1)[:: (n + 1)].fill_(-1)
    nearest = torch.max(dots, dim=1).indices
    distances = nn.PairwiseDistance(2, eps=eps)(x, x[nearest])
    return -torch.log(distances + eps).mean()


def step(student, teacher, a, global_crops, local_crops, masks, mask_weights):
    """SSLMetaArch.forward_backward for one process; returns the loss terms (backward done)."""
    b, n_local = a.batch, a.local_crops
    flat_masks = masks.flatten()
    mask_indices = flat_masks.nonzero().flatten()
    with torch.no_grad():
        t_cls, t_patches = teacher["backbone"](global_crops)
        t_cls_logits = teacher["dino_head"](t_cls)
        t_patch_in = t_patches.flatten(0, 1)[mask_indices]
        t_patch_logits = teacher["ibot_head" if a.separate_head else "dino_head"](t_patch_in)
        t_dino = teacher_targets(t_cls_logits, a.teacher_temp, a.centering).view(2, b, -1)
        t_ibot = teacher_targets(t_patch_logits, a.teacher_temp, a.centering)

    s_cls, s_patches = student["backbone"](global_crops, masks)
    s_local_cls, _ = student["backbone"](local_crops)
    s_logits = student["dino_head"](torch.cat((s_cls, s_local_cls)))
    s_global, s_local = s_logits[:2 * b], s_logits[2 * b:]
    s_patch_logits = student["ibot_head" if a.separate_head else "dino_head"](s_patches.flatten(0, 1)[mask_indices])

    n_terms = 2 * n_local + 2
    dino_local = dino_ce(s_local.chunk(n_local), list(t_dino)) / n_terms
    swapped = torch.cat((t_dino[1], t_dino[0]))
    dino_global = dino_ce([s_global], [swapped]) * 2 / n_terms
    lsm = F.log_softmax(s_patch_logits / 0.1, dim=-1)
    ibot = -(torch.sum(t_ibot * lsm, dim=-1) * mask_weights).sum() / (2 * b)
    koleo_term = a.koleo_weight * sum(koleo(p) for p in s_cls.chunk(2))
    loss = a.dino_weight * (dino_local + dino_global) + koleo_term + a.ibot_weight * ibot
    loss.backward()
    return {"dino_local": dino_local, "dino_global": dino_global, "koleo_term": koleo_term, "ibot": ibot,
            "total": loss}


def main():
    ap = argparse.ArgumentParser()
    for name in ("dim", "depth", "heads", "patch", "chans", "registers", "global-size", "local-size", "local-crops",
                 "batch", "dino-k", "ibot-k", "head-layers", "head-hidden", "head-bottleneck", "seed"):
        ap.add_argument("--" + name, type=int, required=True)
    for name in ("mlp-ratio", "interpolate-offset", "teacher-temp", "dino-weight", "ibot-weight", "koleo-weight"):
        ap.add_argument("--" + name, type=float, required=True)
    ap.add_argument("--centering", choices=["centering", "sinkhorn_knopp"], required=True)
    ap.add_argument("--separate-head", type=int, choices=[0, 1], required=True)
    ap.add_argument("--out", required=True)
    a = ap.parse_args()
    torch.manual_seed(a.seed)
    student = nn.ModuleDict({
        "backbone": DinoVisionTransformer(a),
        "dino_head": DINOHead(a.dim, a.dino_k, a.head_layers, a.head_hidden, a.head_bottleneck)})
    if a.separate_head:
        student["ibot_head"] = DINOHead(a.dim, a.ibot_k, a.head_layers, a.head_hidden, a.head_bottleneck)
    randomize_(student, a.seed)  # O(1) terms everywhere; dinov2's inits would hide blocks behind LayerScale 1e-5
    student = student.float()

    g = torch.Generator().manual_seed(a.seed + 1)
    grid = a.global_size // a.patch
    global_crops = torch.randn(2 * a.batch, a.chans, a.global_size, a.global_size, generator=g)
    local_crops = torch.randn(a.local_crops * a.batch, a.chans, a.local_size, a.local_size, generator=g)
    masks = torch.rand(2 * a.batch, grid * grid, generator=g) < 0.4
    masks[0] = False   # an unmasked crop still counts in iBOT's 1/(2B)
    masks[1] = False
    masks[1, :3] = True
    # dinov2's collate computes masks_weight in float32 (1 / count of an integer tensor), as dinoj does
    counts = masks.sum(-1, keepdim=True).clamp(min=1).float()
    mask_weights = (1 / counts).expand_as(masks)[masks]

    save(f"{a.out}/weights.safetensors", student.state_dict())
    save(f"{a.out}/batch.safetensors", {"global_crops": global_crops, "local_crops": local_crops,
                                        "masks": masks.to(torch.float32), "mask_weights": mask_weights})
    ref = {}
    for dtype, tag in ((torch.float64, "f64"), (torch.float32, "f32")):
        s = student.to(dtype)
        s.zero_grad(set_to_none=True)
        # At the first step the teacher is the student's copy (prepare_for_distributed_training); it runs
        # under no_grad in step(), so the same modules serve as both.
        terms = step(s, s, a, global_crops.to(dtype), local_crops.to(dtype), masks, mask_weights.to(dtype))
        for k, v in terms.items():
            ref[f"{tag}.loss.{k}"] = v.detach().reshape(1)
        for name, p in s.named_parameters():
            ref[f"{tag}.grad.{name}"] = p.grad.detach().clone() if p.grad is not None else torch.zeros_like(p)
    save(f"{a.out}/reference.safetensors", ref,
         {"torch": torch.__version__, "centering": a.centering, "masked": str(int(masks.sum()))})


if __name__ == "__main__":
    main()
