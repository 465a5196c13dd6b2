/**
 * Shapes and parameter counts of the networks a config describes, computed from the options
 * alone (no tensors), layer for layer as the engine builds them (engine/nets/*): inlay hints
 * show them, and the generator's count equals the reference's for the same options (tested
 * against the golden state dicts). Learnable parameters only: BatchNorm running statistics and
 * spectral-norm u/v vectors are buffers.
 */
import type { DiscriminatorLayer, GeneratorLayer, PlainNorm, Upsampling } from '../engine/options';
import { roundHalfEven, UPSAMPLING_DOUBLINGS } from './geometry';

/** What the data fixes about the networks. */
export interface DataDims {
    /** Generator input channels: classes + dontcare + instance edge. */
    semanticNc: number;
    crop: number;
    aspect: number;
    outputNc: number;
}

/** Generator options that change its size. */
export interface GeneratorDims {
    ngf: number;
    upsampling: Upsampling;
    spadeKernel: number;
    spadeHidden: number;
    useVae: boolean;
    zDim: number;
    layers?: GeneratorLayer[];
    encoderNorm: PlainNorm;
}

/** Discriminator options that change its size. */
export interface DiscriminatorDims {
    ndf: number;
    numD: number;
    nLayers: number;
    norm: PlainNorm;
    layers?: DiscriminatorLayer[];
}

/** One stage of a network: its output shape (C x H x W) and its parameters. */
export interface Stage {
    name: string;
    channels: number;
    height: number;
    width: number;
    params: number;
    /** Floats kept per sample for the backward pass (an estimate, for memory). */
    activations: number;
}

/** A whole network: its stages in order and the totals. */
export interface NetworkSize {
    stages: Stage[];
    params: number;
    activations: number;
}

const conv = (cin: number, cout: number, k: number, bias = true): number =>
    cin * cout * k * k + (bias ? cout : 0);
const linear = (cin: number, cout: number): number => cin * cout + cout;
const spade = (normNc: number, snc: number, hidden: number, k: number): number =>
    conv(snc, hidden, k) + 2 * conv(hidden, normNc, k);

function resblock(fin: number, fout: number, snc: number, g: GeneratorDims, hw: number) {
    const fmid = Math.min(fin, fout);
    const learned = fin !== fout;
    const s = (nc: number): number => spade(nc, snc, g.spadeHidden, g.spadeKernel);
    const params =
        conv(fin, fmid, 3) +
        conv(fmid, fout, 3) +
        s(fin) +
        s(fmid) +
        (learned ? conv(fin, fout, 1, false) + s(fin) : 0);
    // Normalised input, gamma, beta and the SPADE hidden map per SPADE, plus conv outputs.
    const spadeActs = (nc: number): number => 4 * nc + g.spadeHidden;
    const acts =
        hw *
        (spadeActs(fin) + spadeActs(fmid) + fmid + fout + (learned ? spadeActs(fin) + fout : 0));
    return { params, acts };
}

/** The generator's stages (fc, blocks, conv_img) with shapes and counts. */
export function generatorSize(g: GeneratorDims, d: DataDims): NetworkSize {
    const ups = g.layers
        ? g.layers.filter((l) => l.kind === 'upsample').length
        : UPSAMPLING_DOUBLINGS[g.upsampling];
    const sw = Math.floor(d.crop / 2 ** ups);
    const sh = roundHalfEven(sw / d.aspect);
    const stages: Stage[] = [];
    let h = sh;
    let w = sw;
    const first = g.layers
        ? (g.layers.find((l) => l.kind !== 'upsample')?.channels ?? 16 * g.ngf)
        : 16 * g.ngf;
    stages.push({
        name: 'fc',
        channels: first,
        height: h,
        width: w,
        params: g.useVae ? linear(g.zDim, first * sh * sw) : conv(d.semanticNc, first, 3),
        activations: first * h * w,
    });
    let c = first;
    const block = (name: string, fout: number): void => {
        const r = resblock(c, fout, d.semanticNc, g, h * w);
        stages.push({
            name,
            channels: fout,
            height: h,
            width: w,
            params: r.params,
            activations: r.acts,
        });
        c = fout;
    };
    const up = (): void => {
        h *= 2;
        w *= 2;
    };
    if (g.layers) {
        g.layers.forEach((l, i) => {
            if (l.kind === 'upsample') return up();
            if (l.kind === 'spade_resblock') return block(`body.${i}`, l.channels);
            const p = conv(c, l.channels, 3);
            stages.push({
                name: `body.${i}`,
                channels: l.channels,
                height: h,
                width: w,
                params: p,
                activations: l.channels * h * w,
            });
            c = l.channels;
        });
    } else {
        const nf = g.ngf;
        block('head_0', 16 * nf);
        up();
        block('G_middle_0', 16 * nf);
        if (g.upsampling !== 'normal') up();
        block('G_middle_1', 16 * nf);
        for (const [name, mult] of [
            ['up_0', 8],
            ['up_1', 4],
            ['up_2', 2],
            ['up_3', 1],
        ] as const) {
            up();
            block(name, mult * nf);
        }
        if (g.upsampling === 'most') {
            up();
            block('up_4', Math.floor(nf / 2));
        }
    }
    stages.push({
        name: 'conv_img',
        channels: d.outputNc,
        height: h,
        width: w,
        params: conv(c, d.outputNc, 3),
        activations: 2 * d.outputNc * h * w,
    });
    return total(stages);
}

/** The style encoder used with style = on (reference ConvEncoder). */
export function encoderSize(g: GeneratorDims, d: DataDims): NetworkSize {
    const nf = g.ngf;
    const chans = [3, nf, 2 * nf, 4 * nf, 8 * nf, 8 * nf];
    if (d.crop >= 256) chans.push(8 * nf);
    const stages: Stage[] = [];
    let s = 256;
    for (let i = 1; i < chans.length; i++) {
        s = Math.floor((s + 2 - 3) / 2) + 1;
        stages.push({
            name: `layer${i}`,
            channels: chans[i],
            height: s,
            width: s,
            params:
                conv(chans[i - 1], chans[i], 3, g.encoderNorm === 'none') +
                normParams(g.encoderNorm, chans[i]),
            activations: 2 * chans[i] * s * s,
        });
    }
    const fcIn = 8 * nf * 4 * 4;
    stages.push({
        name: 'fc_mu, fc_var',
        channels: g.zDim,
        height: 1,
        width: 1,
        params: 2 * linear(fcIn, g.zDim),
        activations: 3 * g.zDim,
    });
    return total(stages);
}

/** The multiscale discriminator; stages are those of the first (full-size) scale. */
export function discriminatorSize(dd: DiscriminatorDims, d: DataDims): NetworkSize {
    const inputNc = d.semanticNc + d.outputNc;
    const height = roundHalfEven(d.crop / d.aspect);
    const all: Stage[] = [];
    let scaleH = height;
    let scaleW = d.crop;
    let firstScale: Stage[] = [];
    for (let s = 0; s < dd.numD; s++) {
        const stages = patchGan(dd, inputNc, scaleH, scaleW, s);
        if (s === 0) firstScale = stages;
        all.push(...stages);
        scaleH = Math.floor((scaleH - 1) / 2) + 1;
        scaleW = Math.floor((scaleW - 1) / 2) + 1;
    }
    const t = total(all);
    return { stages: firstScale, params: t.params, activations: t.activations };
}

function patchGan(
    dd: DiscriminatorDims,
    inputNc: number,
    h0: number,
    w0: number,
    scale: number,
): Stage[] {
    const defs: DiscriminatorLayer[] = dd.layers ?? [];
    if (!dd.layers) {
        let nf = dd.ndf;
        defs.push({ channels: nf, stride: 2, norm: false });
        for (let n = 1; n < dd.nLayers; n++) {
            nf = Math.min(nf * 2, 512);
            defs.push({ channels: nf, stride: n === dd.nLayers - 1 ? 1 : 2, norm: true });
        }
    }
    const out: Stage[] = [];
    let c = inputNc;
    let h = h0;
    let w = w0;
    defs.forEach((l, i) => {
        h = Math.floor(h / l.stride) + 1;
        w = Math.floor(w / l.stride) + 1;
        const normed = l.norm && dd.norm !== 'none';
        const params =
            conv(c, l.channels, 4, !normed) + (l.norm ? normParams(dd.norm, l.channels) : 0);
        out.push({
            name: `discriminator_${scale}.model${i}`,
            channels: l.channels,
            height: h,
            width: w,
            params,
            activations: (normed ? 3 : 2) * l.channels * h * w,
        });
        c = l.channels;
    });
    h += 1;
    w += 1;
    out.push({
        name: `discriminator_${scale}.model${defs.length}`,
        channels: 1,
        height: h,
        width: w,
        params: conv(c, 1, 4),
        activations: h * w,
    });
    return out;
}

function normParams(norm: PlainNorm, channels: number): number {
    return norm === 'batch' || norm === 'sync_batch' ? 2 * channels : 0;
}

function total(stages: Stage[]): NetworkSize {
    let params = 0;
    let activations = 0;
    for (const s of stages) {
        params += s.params;
        activations += s.activations;
    }
    return { stages, params, activations };
}

/** Everything the memory estimate needs. */
export interface TrainingSize {
    generator: NetworkSize;
    discriminator: NetworkSize;
    encoder?: NetworkSize;
    batch: number;
    crop: number;
    aspect: number;
    vgg: boolean;
}

/** VGG19 has 20.0 M parameters in the 16 convolutions the perceptual loss runs. */
const VGG_PARAMS = 20_024_384;
/** Floats VGG19's convolutions and ReLUs keep for a 224 x 224 image, scaled by area. */
const VGG_ACTS_224 = 29.6e6;

/**
 * Estimated training memory in bytes: trainable weights with their gradients and two Adam
 * moments (16 bytes each), the frozen VGG19 weights, and per sample the activations kept for
 * the backward pass (generator and encoder once, discriminator on real and fake, VGG on both)
 * with as much again for their gradients. An estimate within a factor of about 1.5.
 */
export function trainingMemoryBytes(t: TrainingSize): number {
    const trainable = t.generator.params + t.discriminator.params + (t.encoder?.params ?? 0);
    const imageArea = t.crop * roundHalfEven(t.crop / t.aspect);
    const perSample =
        t.generator.activations +
        (t.encoder?.activations ?? 0) +
        2 * t.discriminator.activations +
        (t.vgg ? 2 * VGG_ACTS_224 * (imageArea / (224 * 224)) : 0);
    return 16 * trainable + (t.vgg ? 4 * VGG_PARAMS : 0) + 2 * 4 * perSample * t.batch;
}

/** 97462592 -> "97.5 M", 52180 -> "52.2 k". */
export function formatCount(n: number): string {
    if (n >= 1e9) return `${(n / 1e9).toFixed(2)} G`;
    if (n >= 1e6) return `${(n / 1e6).toFixed(1)} M`;
    if (n >= 1e3) return `${(n / 1e3).toFixed(1)} k`;
    return String(n);
}

/** Bytes in binary units: "5.2 GiB", "380 MiB". */
export function formatBytes(n: number): string {
    if (n >= 2 ** 30) return `${(n / 2 ** 30).toFixed(1)} GiB`;
    return `${Math.round(n / 2 ** 20)} MiB`;
}
