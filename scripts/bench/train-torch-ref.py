"""PyTorch side of scripts/bench/engine-train.ts: one SPADE training iteration (G step, then D
step) at perf-baseline.md section 3's configuration, written with plain torch modules:

- generator: SPADE (spectral norm on the ResNet-block convs, parameter-free batch norm as
  sync-batch norm is on one device, 3x3 SPADE, hidden 128), ngf 16, normal upsampling, crop 64,
  184 semantic channels (182 labels + dontcare + instance edge);
- discriminator: 2 scales of a 4-layer PatchGAN, ndf 64, spectral + instance norm, features
  returned for feature matching;
- hinge loss + feature matching (lambda 10), TTUR Adam (betas 0 / 0.9, G lr/2, D lr*2).

Batches are synthetic: one-hot labels in 16 blocks with an edge grid, random images (dense
convs do the same work whatever the labels are). Prints one JSON line with the median G-step
and D-step seconds and the peak RSS. Threads: torch.set_num_threads(--threads); run it with
OMP_NUM_THREADS set to the same and OPENBLAS_NUM_THREADS=1 as the baseline did.
"""
import argparse
import json
import resource
import statistics
import time

import torch
import torch.nn as nn
import torch.nn.functional as F
from torch.nn.utils import spectral_norm


class Spade(nn.Module):
    def __init__(self, c, label_nc, hidden=128):
        super().__init__()
        self.norm = nn.BatchNorm2d(c, affine=False)
        self.shared = nn.Sequential(nn.Conv2d(label_nc, hidden, 3, padding=1), nn.ReLU())
        self.gamma = nn.Conv2d(hidden, c, 3, padding=1)
        self.beta = nn.Conv2d(hidden, c, 3, padding=1)

    def forward(self, x, seg):
        seg = F.interpolate(seg, size=x.shape[2:], mode='nearest')
        a = self.shared(seg)
        return self.norm(x) * (1 + self.gamma(a)) + self.beta(a)


class Block(nn.Module):
    def __init__(self, fin, fout, label_nc):
        super().__init__()
        mid = min(fin, fout)
        self.learned = fin != fout
        self.conv_0 = spectral_norm(nn.Conv2d(fin, mid, 3, padding=1))
        self.conv_1 = spectral_norm(nn.Conv2d(mid, fout, 3, padding=1))
        self.norm_0 = Spade(fin, label_nc)
        self.norm_1 = Spade(mid, label_nc)
        if self.learned:
            self.conv_s = spectral_norm(nn.Conv2d(fin, fout, 1, bias=False))
            self.norm_s = Spade(fin, label_nc)

    def forward(self, x, seg):
        xs = self.conv_s(self.norm_s(x, seg)) if self.learned else x
        dx = self.conv_0(F.leaky_relu(self.norm_0(x, seg), 0.2))
        dx = self.conv_1(F.leaky_relu(self.norm_1(dx, seg), 0.2))
        return xs + dx


class Generator(nn.Module):
    def __init__(self, ngf, label_nc, crop):
        super().__init__()
        self.s = crop // 2**5
        self.fc = nn.Conv2d(label_nc, 16 * ngf, 3, padding=1)
        self.head_0 = Block(16 * ngf, 16 * ngf, label_nc)
        self.G_middle_0 = Block(16 * ngf, 16 * ngf, label_nc)
        self.G_middle_1 = Block(16 * ngf, 16 * ngf, label_nc)
        self.ups = nn.ModuleList(
            [Block(16 * ngf, 8 * ngf, label_nc), Block(8 * ngf, 4 * ngf, label_nc),
             Block(4 * ngf, 2 * ngf, label_nc), Block(2 * ngf, ngf, label_nc)])
        self.conv_img = nn.Conv2d(ngf, 3, 3, padding=1)

    def forward(self, seg):
        x = self.fc(F.interpolate(seg, size=(self.s, self.s)))
        x = F.interpolate(self.head_0(x, seg), scale_factor=2)
        x = self.G_middle_1(self.G_middle_0(x, seg), seg)
        for i, b in enumerate(self.ups):
            x = b(F.interpolate(x, scale_factor=2), seg)
        return torch.tanh(self.conv_img(F.leaky_relu(x, 0.2)))


class NLayerD(nn.Module):
    def __init__(self, input_nc, ndf=64, n_layers=4):
        super().__init__()
        nf = ndf
        layers = [nn.Sequential(nn.Conv2d(input_nc, nf, 4, 2, 2), nn.LeakyReLU(0.2))]
        for n in range(1, n_layers):
            prev, nf = nf, min(nf * 2, 512)
            stride = 1 if n == n_layers - 1 else 2
            conv = spectral_norm(nn.Conv2d(prev, nf, 4, stride, 2, bias=False))
            layers.append(nn.Sequential(conv, nn.InstanceNorm2d(nf), nn.LeakyReLU(0.2)))
        layers.append(nn.Sequential(nn.Conv2d(nf, 1, 4, 1, 2)))
        self.layers = nn.ModuleList(layers)

    def forward(self, x):
        out = []
        for layer in self.layers:
            x = layer(x)
            out.append(x)
        return out


class MultiscaleD(nn.Module):
    def __init__(self, input_nc, num_d=2):
        super().__init__()
        self.ds = nn.ModuleList([NLayerD(input_nc) for _ in range(num_d)])

    def forward(self, x):
        out = []
        for i, d in enumerate(self.ds):
            out.append(d(x))
            if i < len(self.ds) - 1:
                x = F.avg_pool2d(x, 3, 2, 1, count_include_pad=False)
        return out


def synthetic(n, crop, classes=183, channels=184):
    seg = torch.zeros(n, channels, crop, crop)
    g = torch.Generator().manual_seed(12345)
    for b in range(n):
        ids = torch.randint(0, classes, (16,), generator=g)
        for cy in range(4):
            for cx in range(4):
                q = crop // 4
                seg[b, ids[cy * 4 + cx], cy * q:(cy + 1) * q, cx * q:(cx + 1) * q] = 1
        seg[b, classes, ::crop // 4, :] = 1
        seg[b, classes, :, ::crop // 4] = 1
    return seg, torch.rand(n, 3, crop, crop, generator=g) * 2 - 1


def halves(pred):
    fake, real = [], []
    for feats in pred:
        fake.append([f[: f.shape[0] // 2] for f in feats])
        real.append([f[f.shape[0] // 2:] for f in feats])
    return fake, real


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--batch', type=int, default=1)
    ap.add_argument('--steps', type=int, default=3)
    ap.add_argument('--warmup', type=int, default=1)
    ap.add_argument('--threads', type=int, default=2)
    ap.add_argument('--crop', type=int, default=64)
    ap.add_argument('--ngf', type=int, default=16)
    a = ap.parse_args()
    torch.set_num_threads(a.threads)
    torch.manual_seed(1)
    G = Generator(a.ngf, 184, a.crop)
    D = MultiscaleD(184 + 3)
    G.train()
    D.train()
    lr = 0.0002
    opt_g = torch.optim.Adam(G.parameters(), lr=lr / 2, betas=(0, 0.9))
    opt_d = torch.optim.Adam(D.parameters(), lr=lr * 2, betas=(0, 0.9))
    seg, real = synthetic(a.batch, a.crop)
    gs, ds = [], []
    for i in range(a.warmup + a.steps):
        t0 = time.perf_counter()
        opt_g.zero_grad()
        fake = G(seg)
        pf, pr = halves(D(torch.cat([torch.cat([seg, fake], 1), torch.cat([seg, real], 1)], 0)))
        g_gan = sum(-p[-1].mean() for p in pf) / len(pf)
        feat = sum(F.l1_loss(f, r.detach()) for pfs, prs in zip(pf, pr)
                   for f, r in zip(pfs[:-1], prs[:-1])) * 10 / len(pf)
        (g_gan + feat).backward()
        opt_g.step()
        t1 = time.perf_counter()
        opt_d.zero_grad()
        with torch.no_grad():
            fake = G(seg).detach()
        pf, pr = halves(D(torch.cat([torch.cat([seg, fake], 1), torch.cat([seg, real], 1)], 0)))
        d_fake = sum(F.relu(1 + p[-1]).mean() for p in pf) / len(pf)
        d_real = sum(F.relu(1 - p[-1]).mean() for p in pr) / len(pr)
        (d_fake + d_real).backward()
        opt_d.step()
        t2 = time.perf_counter()
        if i >= a.warmup:
            gs.append(t1 - t0)
            ds.append(t2 - t1)
    steps = [g + d for g, d in zip(gs, ds)]
    print(json.dumps({
        'batch': a.batch,
        'threads': a.threads,
        'stepS': round(statistics.median(steps), 3),
        'gStepS': round(statistics.median(gs), 3),
        'dStepS': round(statistics.median(ds), 3),
        'peakRssMB': round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
    }))


if __name__ == '__main__':
    main()
