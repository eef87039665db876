"""DINOv2 losses on fixed logits: a direct transcription of dinov2's loss code and lightly's modules.

Everything is float64 so that differences are the algorithms', not rounding. Two steps are run so
that the lagged center update shows. Writes OUT/losses.safetensors with the inputs, and for each
implementation ("dinov2", "lightly") the losses (as 1-element tensors) and the gradients with
respect to the student inputs.
"""
import argparse

import torch
import torch.nn.functional as F
from lightly.loss import DINOLoss, IBOTPatchLoss, KoLeoLoss
from lightly.loss.msn_loss import sinkhorn

from common import save

B, L, K, D, GRID, T_TEACHER, T_STUDENT, STEPS = 4, 3, 64, 16, 4, 0.07, 0.1, 2


# ---- dinov2, transcribed (dinov2/loss/*.py, SSLMetaArch.forward_backward) ----
class Dinov2Centering:
    """DINOLoss/iBOTPatchLoss centering: softmax((t - c) / T), c updated lazily at the next call."""

    def __init__(self):
        self.center = torch.zeros(1, K, dtype=torch.float64)
        self.pending = None

    def targets(self, teacher):
        if self.pending is not None:
            self.center = self.center * 0.9 + self.pending * 0.1
        out = F.softmax((teacher - self.center) / T_TEACHER, dim=-1)
        self.pending = teacher.mean(dim=0, keepdim=True)  # one process: the all-reduce is the identity
        return out


def dinov2_sinkhorn(teacher, n_iterations=3):
    q = torch.exp(teacher / T_TEACHER).t()
    n_samples = q.shape[1]
    k = q.shape[0]
    q /= q.sum()
    for _ in range(n_iterations):
        q /= q.sum(dim=1, keepdim=True)
        q /= k
        q /= q.sum(dim=0, keepdim=True)
        q /= n_samples
    q *= n_samples
    return q.t()


def dinov2_dino_loss(student_list, teacher_list):
    total = 0
    for s in student_list:
        lsm = F.log_softmax(s / T_STUDENT, dim=-1)
        for t in teacher_list:
            total -= torch.sum(t * lsm, dim=-1).mean()
    return total


def dinov2_dino_terms(student_global, student_local, targets):
    n_terms = max(2 * L, 1) + 2
    teacher = targets.view(2, B, K)
    local = dinov2_dino_loss(student_local.chunk(L), list(teacher)) / n_terms
    swapped = torch.cat([teacher[1], teacher[0]])
    global_ = dinov2_dino_loss([student_global], [swapped]) * 2 / n_terms
    return local, global_


def dinov2_ibot(student, targets, masks):
    lsm = F.log_softmax(student / T_STUDENT, dim=-1)
    loss = torch.sum(targets * lsm, dim=-1)
    flat = masks.flatten(1)
    # dinov2's collate computes 1 / count from an integer tensor, which torch does in float32; here in
    # float64 so that the comparison is not limited by that rounding (lightly keeps float32).
    weights = (1 / flat.sum(-1).to(torch.float64).clamp(min=1.0)).unsqueeze(-1).expand_as(flat)[flat]
    return -(loss * weights).sum() / flat.shape[0]


def dinov2_koleo(x, eps=1e-8):
    x = F.normalize(x, eps=eps, p=2, dim=-1)
    dots = torch.mm(x, x.t())
    n = x.shape[0]
    dots.view(-1)[:: (n + 1)].fill_(-1)
    nearest = torch.max(dots, dim=1).indices
    distances = torch.nn.PairwiseDistance(2, eps=eps)(x, x[nearest])
    return -torch.log(distances + eps).mean()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--out", required=True)
    a = ap.parse_args()
    g = torch.Generator().manual_seed(a.seed)
    f64 = dict(dtype=torch.float64)
    masks = torch.rand(2 * B, GRID, GRID, generator=g) < 0.4
    masks[0] = False          # an unmasked image still counts in the 1/(2B) divisor
    masks[1] = True           # a fully masked one
    M = int(masks.sum())
    out = {"masks": masks.to(torch.float64)}
    for s in range(STEPS):
        out[f"step{s}.teacher_global"] = 3 * torch.randn(2 * B, K, generator=g, **f64)
        out[f"step{s}.student_global"] = 3 * torch.randn(2 * B, K, generator=g, **f64)
        out[f"step{s}.student_local"] = 3 * torch.randn(L * B, K, generator=g, **f64)
        out[f"step{s}.teacher_patch"] = 3 * torch.randn(M, K, generator=g, **f64)
        out[f"step{s}.student_patch"] = 3 * torch.randn(M, K, generator=g, **f64)
    koleo_features = torch.randn(2 * B, D, generator=g, **f64)
    koleo_features[B + 3] = 2.5 * koleo_features[B + 1]  # same direction: a zero nearest-neighbour distance
    out["koleo_features"] = koleo_features

    dino_center, ibot_center = Dinov2Centering(), Dinov2Centering()
    l_dino = DINOLoss(output_dim=K, teacher_temp=T_TEACHER, student_temp=T_STUDENT, center_momentum=0.9).double()
    l_ibot = IBOTPatchLoss(output_dim=K, teacher_temp=T_TEACHER, student_temp=T_STUDENT, center_momentum=0.9).double()
    for s in range(STEPS):
        tg = out[f"step{s}.teacher_global"]
        tp = out[f"step{s}.teacher_patch"]
        # dinov2: centering and Sinkhorn-Knopp targets, DINO terms and iBOT with their gradients
        targets = dino_center.targets(tg)
        out[f"dinov2.step{s}.center_targets"] = targets
        out[f"dinov2.step{s}.sinkhorn_targets"] = dinov2_sinkhorn(tg.clone())
        sg = out[f"step{s}.student_global"].clone().requires_grad_()
        sl = out[f"step{s}.student_local"].clone().requires_grad_()
        local, global_ = dinov2_dino_terms(sg, sl, targets)
        (local + global_).backward()
        out[f"dinov2.step{s}.dino_local"] = local.detach().reshape(1)
        out[f"dinov2.step{s}.dino_global"] = global_.detach().reshape(1)
        out[f"dinov2.step{s}.grad_student_global"] = sg.grad
        out[f"dinov2.step{s}.grad_student_local"] = sl.grad
        patch_targets = ibot_center.targets(tp)
        out[f"dinov2.step{s}.ibot_center_targets"] = patch_targets
        sp = out[f"step{s}.student_patch"].clone().requires_grad_()
        ibot = dinov2_ibot(sp, patch_targets, masks)
        ibot.backward()
        out[f"dinov2.step{s}.ibot"] = ibot.detach().reshape(1)
        out[f"dinov2.step{s}.grad_student_patch"] = sp.grad
        # lightly: the same inputs through its modules (the center lives inside them)
        sg = out[f"step{s}.student_global"].clone().requires_grad_()
        sl = out[f"step{s}.student_local"].clone().requires_grad_()
        dino = l_dino(teacher_out=list(tg.chunk(2)), student_out=list(sg.chunk(2)) + list(sl.chunk(L)),
                      teacher_temp=T_TEACHER)
        dino.backward()
        out[f"lightly.step{s}.dino"] = dino.detach().reshape(1)
        out[f"lightly.step{s}.grad_student_global"] = sg.grad
        out[f"lightly.step{s}.grad_student_local"] = sl.grad
        sp = out[f"step{s}.student_patch"].clone().requires_grad_()
        ibot = l_ibot(teacher_out=tp, student_out=sp, mask=masks, teacher_temp=T_TEACHER)
        ibot.backward()
        out[f"lightly.step{s}.ibot"] = ibot.detach().reshape(1)
        out[f"lightly.step{s}.grad_student_patch"] = sp.grad
        # lightly's sinkhorn takes probabilities; exp(t/T - max) is dinov2's Q up to a global factor
        out[f"lightly.step{s}.sinkhorn_targets"] = sinkhorn(torch.exp(tg / T_TEACHER - (tg / T_TEACHER).max()),
                                                            iterations=3)
    for crop in range(2):
        for name, fn in (("dinov2", dinov2_koleo), ("lightly", KoLeoLoss())):
            x = koleo_features[crop * B:(crop + 1) * B].clone().requires_grad_()
            value = fn(x)
            value.backward()
            out[f"{name}.koleo{crop}"] = value.detach().reshape(1)
            out[f"{name}.grad_koleo{crop}"] = x.grad
    save(f"{a.out}/losses.safetensors", out,
         {"B": str(B), "L": str(L), "K": str(K), "D": str(D), "M": str(M), "teacher_temp": str(T_TEACHER),
          "steps": str(STEPS)})


if __name__ == "__main__":
    main()
