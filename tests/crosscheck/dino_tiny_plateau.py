# Pure DINO (centering) on synthetic gratings like dinoj's synthetic:N:16x16x1, with a timm ViT (width 32,
# 2 blocks, patch 4) and a dinov2-shaped head: the PyTorch side of docs/collapse.md, showing the early
# uniform-target plateau of a short tiny run. Not part of the test suite (minutes on one thread).
# Usage: python dino_tiny_plateau.py [batch=32] [K=1024] [hid=2048] [bot=256] [steps=300] [m0=0.95]
#        [m1=0.99] [tt=0.04] [ls=1e-5|0] [dim=32] [depth=2] [lrmul=1] [koleo=0]
import math, sys, torch, torch.nn as nn, torch.nn.functional as F, timm, numpy as np
torch.manual_seed(0); np.random.seed(0); torch.set_num_threads(1)
args = dict(a.split('=') for a in sys.argv[1:])
B=int(args.get('batch',32)); K=int(args.get('K',1024)); HID=int(args.get('hid',2048)); BOT=int(args.get('bot',256))
STEPS=int(args.get('steps',300)); M0=float(args.get('m0',0.95)); M1=float(args.get('m1',0.99)); TT=float(args.get('tt',0.04))
LS=args.get('ls','1e-5'); LS=None if LS=='0' else float(LS); D=int(args.get('dim',32)); DEPTH=int(args.get('depth',2))
LR=0.004*math.sqrt(B/1024)*float(args.get('lrmul',1)); KOLEO=float(args.get('koleo',0))
def grating(i, n=16, classes=10):
    r=np.random.RandomState(i); k=i%classes; ang=math.pi*k/classes; cyc=2+(k%3); f=2*math.pi*cyc/n
    y,x=np.mgrid[0:n,0:n]; v=r.uniform(0.4,0.6)+r.uniform(0.25,0.45)*np.cos(f*math.cos(ang)*x+f*math.sin(ang)*y+r.uniform(0,2*math.pi))+0.05*r.randn(n,n)
    return np.clip(v,0,1).astype(np.float32)
data=torch.tensor(np.stack([grating(i) for i in range(1024)]))[:,None]
def rrc(img, size, scale):
    n=img.shape[-1]; area=n*n
    for _ in range(10):
        a=area*np.random.uniform(*scale); ar=math.exp(np.random.uniform(math.log(3/4),math.log(4/3)))
        w=int(round(math.sqrt(a*ar))); h=int(round(math.sqrt(a/ar)))
        if 0<w<=n and 0<h<=n:
            y=np.random.randint(0,n-h+1); x=np.random.randint(0,n-w+1); break
    else: y=x=0; h=w=n
    c=F.interpolate(img[None,:,y:y+h,x:x+w],size=(size,size),mode='bilinear',align_corners=False)[0]
    if np.random.rand()<0.5: c=c.flip(-1)
    return (c-0.5)/0.25
class Head(nn.Module):
    def __init__(s, d):
        super().__init__(); s.mlp=nn.Sequential(nn.Linear(d,HID),nn.GELU(),nn.Linear(HID,HID),nn.GELU(),nn.Linear(HID,BOT))
        for m in s.mlp:
            if isinstance(m,nn.Linear): nn.init.trunc_normal_(m.weight,std=0.02); nn.init.zeros_(m.bias)
        s.last=nn.utils.weight_norm(nn.Linear(BOT,K,bias=False)); s.last.weight_g.data.fill_(1)
    def forward(s,x): return s.last(F.normalize(s.mlp(x),dim=-1,p=2,eps=1e-6))
def make():
    vit=timm.models.vision_transformer.VisionTransformer(img_size=16,patch_size=4,in_chans=1,embed_dim=D,depth=DEPTH,num_heads=2,num_classes=0,init_values=LS,dynamic_img_size=True,drop_path_rate=0.0)
    return nn.ModuleDict(dict(backbone=vit, head=Head(D)))
student=make(); teacher=make(); teacher.load_state_dict(student.state_dict())
for p in teacher.parameters(): p.requires_grad=False
params=[{'params':[p for n,p in student.named_parameters() if p.ndim>1 and 'last' not in n],'weight_decay':0.04},
        {'params':[p for n,p in student.named_parameters() if p.ndim<=1 and 'last' not in n],'weight_decay':0.0},
        {'params':[p for n,p in student.named_parameters() if 'last' in n],'weight_decay':0.04,'last':True}]
opt=torch.optim.AdamW(params,lr=0,betas=(0.9,0.999))
center=torch.zeros(1,K)
def cls(m,x): return m['backbone'](x)
for step in range(STEPS):
    idx=np.random.randint(0,1024,B); imgs=data[idx]
    g=[torch.stack([rrc(im,16,(0.32,1)) for im in imgs]) for _ in range(2)]
    l=[torch.stack([rrc(im,8,(0.05,0.32)) for im in imgs]) for _ in range(2)]
    warm=50; lr=LR*step/warm if step<warm else LR*0.5*(1+math.cos(math.pi*(step-warm)/(STEPS-warm)))
    for pg in opt.param_groups: pg['lr']=0.0 if (pg.get('last') and step<50) else lr
    with torch.no_grad():
        t=teacher['head'](cls(teacher,torch.cat(g)))
        tp=F.softmax((t-center)/TT,dim=-1); tchunks=tp.chunk(2)
        center=center*0.9+t.mean(0,keepdim=True)*0.1
    sc=cls(student,torch.cat(g)); s_g=student['head'](sc); s_l=student['head'](cls(student,torch.cat(l)))
    sg=(s_g/0.1).chunk(2); sl=(s_l/0.1).chunk(2)
    loss=0; n=0
    for ti,tq in enumerate(tchunks):
        for si,s in enumerate(list(sg)+list(sl)):
            if si<2 and si==ti: continue
            loss=loss+torch.sum(-tq*F.log_softmax(s,dim=-1),dim=-1).mean(); n+=1
    loss=loss/n
    if KOLEO>0:
        for c in sc.chunk(2):
            x=F.normalize(c,dim=-1); d=x@x.t(); d.fill_diagonal_(-2); nn_i=d.argmax(1)
            dist=(x-x[nn_i]).norm(dim=-1); loss=loss-KOLEO*torch.log(dist+1e-8).mean()
    opt.zero_grad(); loss.backward()
    nn.utils.clip_grad_norm_(student['backbone'].parameters(),3.0); nn.utils.clip_grad_norm_(student['head'].parameters(),3.0)
    opt.step()
    m=M1-(M1-M0)*(math.cos(math.pi*step/STEPS)+1)/2
    with torch.no_grad():
        for ps,pt in zip(student.parameters(),teacher.parameters()): pt.mul_(m).add_((1-m)*ps.detach())
    if step%50==0 or step==STEPS-1:
        H=-(tp*torch.log(tp+1e-12)).sum(-1).mean().item(); mean=tp.mean(0); Hm=-(mean*torch.log(mean+1e-12)).sum().item()
        z=F.normalize(teacher['head'].mlp(cls(teacher,g[0])),dim=-1); zc=(z@z.t()).mean().item()
        print(f"step {step} loss {loss.item():.4f} Ht {H:.4f} Hmean {Hm:.4f} logK {math.log(K):.4f} used {len(set(tp.argmax(-1).tolist()))} zcos {zc:.4f} lr {lr:.5f} m {m:.4f}",flush=True)
