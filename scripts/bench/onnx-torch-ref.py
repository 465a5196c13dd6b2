"""PyTorch side of scripts/bench/onnx-generator.ts: the SPADE generator forward (instance-norm
SPADE, normal upsampling, 184 semantic channels, spectral norm removed as in eval) written
with plain torch ops, timed in eval mode under no_grad, batch 1, random weights.

Prints `median_s=<seconds>`; with --serve it prints `ready`, then answers each stdin line
`run` with `s=<seconds>` of one forward and `rss` with `rss_kb=<peak RSS>`, so the TypeScript
bench can interleave PyTorch with onnxruntime run by run. The bench sets OMP_NUM_THREADS;
this calls torch.set_num_threads too, since Debian's torch defaults to one thread.
"""
import argparse
import resource
import sys
import time

import torch
import torch.nn as nn
import torch.nn.functional as F


class Spade(nn.Module):
    def __init__(self, c, label_nc, hidden=128):
        super().__init__()
        self.norm = nn.InstanceNorm2d(c, affine=False)
        self.shared = nn.Conv2d(label_nc, hidden, 3, padding=1)
        self.gamma = nn.Conv2d(hidden, c, 3, padding=1)
        self.beta = nn.Conv2d(hidden, c, 3, padding=1)

    def forward(self, x, seg):
        seg = F.interpolate(seg, size=x.shape[2:], mode='nearest')
        a = F.relu(self.shared(seg))
        return self.norm(x) * (1 + self.gamma(a)) + self.beta(a)


class Block(nn.Module):
    def __init__(self, fin, fout, label_nc):
        super().__init__()
        mid = min(fin, fout)
        self.learned = fin != fout
        self.conv_0 = nn.Conv2d(fin, mid, 3, padding=1)
        self.conv_1 = nn.Conv2d(mid, fout, 3, padding=1)
        self.norm_0 = Spade(fin, label_nc)
        self.norm_1 = Spade(mid, label_nc)
        if self.learned:
            self.conv_s = nn.Conv2d(fin, fout, 1, bias=False)
            self.norm_s = Spade(fin, label_nc)

    def forward(self, x, seg):
        xs = self.conv_s(self.norm_s(x, seg)) if self.learned else x
        dx = self.conv_0(F.leaky_relu(self.norm_0(x, seg), 0.2))
        dx = self.conv_1(F.leaky_relu(self.norm_1(dx, seg), 0.2))
        return xs + dx


class Generator(nn.Module):
    def __init__(self, crop, ngf, label_nc=184):
        super().__init__()
        nf = ngf
        self.s = crop // 32
        self.fc = nn.Conv2d(label_nc, 16 * nf, 3, padding=1)
        ch = [16 * nf, 16 * nf, 16 * nf, 16 * nf, 8 * nf, 4 * nf, 2 * nf, nf]
        self.blocks = nn.ModuleList(Block(ch[i], ch[i + 1], label_nc) for i in range(7))
        self.conv_img = nn.Conv2d(nf, 3, 3, padding=1)

    def forward(self, seg):
        x = self.fc(F.interpolate(seg, size=(self.s, self.s)))
        for i, b in enumerate(self.blocks):
            # up before G_middle_0 and before each up_i (normal upsampling)
            if i == 1 or i >= 3:
                x = F.interpolate(x, scale_factor=2)
            x = b(x, seg)
        return torch.tanh(self.conv_img(F.leaky_relu(x, 2e-1)))


def main():
    p = argparse.ArgumentParser()
    p.add_argument('--crop', type=int, default=64)
    p.add_argument('--ngf', type=int, default=16)
    p.add_argument('--reps', type=int, default=5)
    p.add_argument('--threads', type=int, default=2)
    p.add_argument('--serve', action='store_true')
    a = p.parse_args()
    torch.set_num_threads(a.threads)
    torch.manual_seed(0)
    g = Generator(a.crop, a.ngf).eval()
    labels = torch.randint(0, 183, (1, 1, a.crop // 8, a.crop // 8))
    labels = F.interpolate(labels.float(), size=(a.crop, a.crop)).long()
    seg = torch.zeros(1, 184, a.crop, a.crop).scatter_(1, labels, 1.0)
    times = []
    with torch.no_grad():
        g(seg)
        if a.serve:
            print('ready', flush=True)
            for line in sys.stdin:
                if line.strip() == 'run':
                    t0 = time.perf_counter()
                    g(seg)
                    print(f's={time.perf_counter() - t0:.5f}', flush=True)
                elif line.strip() == 'rss':
                    print(f'rss_kb={resource.getrusage(resource.RUSAGE_SELF).ru_maxrss}', flush=True)
            return
        for _ in range(a.reps):
            t0 = time.perf_counter()
            g(seg)
            times.append(time.perf_counter() - t0)
    times.sort()
    print(f'median_s={times[len(times) // 2]:.4f}')


if __name__ == '__main__':
    main()
