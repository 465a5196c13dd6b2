/**
 * The parameter store and the basic layers (conv, linear, parameter-free and affine norms,
 * spectral norm). Parameters are tf.Variables kept under their PyTorch `state_dict` names, so
 * checkpoints and golden vectors load without renaming; conv weights are kept HWIO (the layout
 * the convs read) and converted to PyTorch's OIHW when state is read or written (layout.ts).
 */
import * as tf from '@tensorflow/tfjs';
import type { Rng } from '../init';
import { initBias, initWeight } from '../init';
import type { InitType } from '../options';
import { gatherSum, lookupTable, type TapIndices } from '../onehot';
import { conv2d, fastSlice, linear } from '../ops';
import { oihwToHwioData, torchVToHwio, type TorchLayout } from './layout';

/** How new weights are drawn. */
export interface InitSpec {
    type: InitType;
    gain: number;
    rng: Rng;
}

/** PyTorch's eps for batch and instance norm. */
export const NORM_EPS = 1e-5;
/** PyTorch's spectral-norm normalisation eps. */
export const SN_EPS = 1e-12;

/**
 * A spectral-normalised weight: `prefix.weight_orig` (HWIO here), `prefix.weight_u` [out] and
 * `prefix.weight_v` [kh * kw * in] (in (kh, kw, in) order here, matching the HWIO rows).
 */
export interface SpectralEntry {
    orig: tf.Variable;
    u: tf.Variable;
    v: tf.Variable;
}

/** A variable from values; the temporary tensor is released (the variable keeps the data). */
export function newVariable(
    values: Float32Array,
    shape: number[],
    trainable: boolean,
): tf.Variable {
    const t = tf.tensor(values, shape, 'float32');
    const v = tf.variable(t, trainable, undefined, 'float32');
    t.dispose();
    return v;
}

/** Every variable of one network, by state_dict name. */
export class Store {
    /** Trainable parameters (what PyTorch's `parameters()` yields). */
    readonly params = new Map<string, tf.Variable>();
    /** Buffers: BatchNorm running stats and spectral-norm vectors. */
    readonly buffers = new Map<string, tf.Variable>();
    /** Spectral-normalised convs by weight prefix (e.g. `head_0.conv_0`). */
    readonly spectral = new Map<string, SpectralEntry>();
    /** Values stored in another layout than PyTorch's, by name (conv weights, SN v vectors). */
    readonly layouts = new Map<string, TorchLayout>();
    /** Train mode: batch statistics, running-stat updates and power iterations. */
    training = false;
    /**
     * False while another network is being updated (D during the G step): convs then skip
     * their weight gradients, which tfjs would otherwise compute and throw away.
     */
    requiresGrad = true;
    /**
     * Only the first `gradRows` samples need input gradients (D on cat(fake, real) in the G
     * step: the real half is a constant); convs skip the others' (see ConvSpec.gradRows).
     */
    gradRows: number | undefined;

    constructor(readonly init: InitSpec) {}

    param(name: string, shape: number[], values: Float32Array): tf.Variable {
        const v = newVariable(values, shape, true);
        this.params.set(name, v);
        return v;
    }

    buffer(name: string, shape: number[], values: Float32Array): tf.Variable {
        const v = newVariable(values, shape, false);
        this.buffers.set(name, v);
        return v;
    }

    /** Number of trainable scalars, as `sum(p.numel() for p in net.parameters())`. */
    paramCount(): number {
        let n = 0;
        for (const v of this.params.values()) n += v.size;
        return n;
    }

    dispose(): void {
        for (const v of this.params.values()) v.dispose();
        for (const v of this.buffers.values()) v.dispose();
        this.params.clear();
        this.buffers.clear();
        this.spectral.clear();
    }
}

function l2normalize(x: tf.Tensor): tf.Tensor {
    return tf.div(x, tf.maximum(tf.sqrt(tf.sum(tf.square(x))), SN_EPS));
}

/** The HWIO weight as the [kh * kw * in, out] matrix Wt (the transpose of PyTorch's W, rows permuted). */
function rowsOf(w: tf.Tensor): tf.Tensor2D {
    return tf.reshape(w, [-1, w.shape[w.rank - 1]]);
}

/**
 * One power iteration in place: v = normalize(W^T u), u = normalize(W v), with W^T = Wt here
 * (v in Wt's row order): v = normalize(Wt u), u = normalize(v^T Wt). MatMuls without
 * transpose flags ([K,out]x[out,1], [1,K]x[K,out]), so no weight-sized temporaries are made
 * (under a gradient tape they would be kept until the step ends).
 */
export function powerIterate(e: SpectralEntry): void {
    tf.tidy(() => {
        const wt = rowsOf(e.orig);
        const v = l2normalize(tf.matMul(wt, tf.reshape(e.u, [-1, 1])));
        const u = l2normalize(tf.matMul(tf.reshape(v, [1, -1]), wt));
        e.v.assign(tf.reshape<tf.Rank.R1>(v, [-1]));
        e.u.assign(tf.reshape<tf.Rank.R1>(u, [-1]));
    });
}

/**
 * weight_orig / sigma with sigma = u . (W v) = v . (Wt u) from the current u, v (gradient flows
 * through W only). d sigma / dWt is the outer product v u^T, made by a broadcast multiply:
 * tfjs's own matMul gradient would use a transposed matMul, which takes a naive path on wasm.
 */
export function spectralWeight(e: SpectralEntry): tf.Tensor {
    const u = tf.reshape(e.u, [-1, 1]);
    const v = tf.reshape(e.v, [-1, 1]);
    const sigmaOf = tf.customGrad((wi) => {
        const wt = wi as tf.Tensor2D;
        return {
            value: tf.sum(tf.mul(v, tf.matMul(wt, u))),
            gradFunc: (dy) => tf.mul(tf.mul(v, tf.reshape(u, [1, -1])), dy),
        };
    });
    const sigma = sigmaOf(rowsOf(e.orig));
    return tf.div(e.orig, sigma);
}

/** Options of a conv layer. */
export interface ConvOptions {
    stride?: number;
    pad?: number;
    bias?: boolean;
    spectral?: boolean;
}

/** `nn.Conv2d`, optionally wrapped in `spectral_norm`. Runs on NHWC tensors. */
export class Conv2d {
    readonly weight: tf.Variable;
    readonly bias: tf.Variable | null;
    readonly sn: SpectralEntry | null;
    readonly stride: number;
    readonly pad: number;
    readonly kernel: number;

    constructor(
        private readonly store: Store,
        readonly name: string,
        cin: number,
        cout: number,
        k: number,
        o: ConvOptions = {},
    ) {
        this.stride = o.stride ?? 1;
        this.pad = o.pad ?? Math.floor(k / 2);
        this.kernel = k;
        const dims = { k, cin, cout };
        const { type, gain, rng } = store.init;
        const wName = o.spectral ? `${name}.weight_orig` : `${name}.weight`;
        // Drawn in PyTorch's OIHW order (the same values as the reference for a seed), kept HWIO.
        const w0 = initWeight([cout, cin, k, k], type, gain, rng);
        this.weight = store.param(wName, [k, k, cin, cout], oihwToHwioData(w0, dims));
        store.layouts.set(wName, { kind: 'weight', dims });
        this.bias =
            o.bias === false
                ? null
                : store.param(`${name}.bias`, [cout], initBias(cout, cin * k * k, type, rng));
        if (o.spectral) {
            const u = store.buffer(`${name}.weight_u`, [cout], unitNormal(cout, rng));
            const v0 = unitNormal(cin * k * k, rng);
            const v = store.buffer(`${name}.weight_v`, [cin * k * k], torchVToHwio(v0, dims));
            store.layouts.set(`${name}.weight_v`, { kind: 'snV', dims });
            this.sn = { orig: this.weight, u, v };
            store.spectral.set(name, this.sn);
        } else this.sn = null;
    }

    /** The HWIO weight the forward uses (one power iteration first in train mode). */
    effectiveWeight(): tf.Tensor4D {
        if (this.sn === null) return this.weight as tf.Tensor4D;
        if (this.store.training) powerIterate(this.sn);
        return spectralWeight(this.sn) as tf.Tensor4D;
    }

    /** `inputGrad` as ConvSpec: false, or the first input channel that needs a gradient. */
    forward(x: tf.Tensor4D, inputGrad: boolean | number = true): tf.Tensor4D {
        const w = this.effectiveWeight();
        return conv2d(x, w, this.bias as tf.Tensor1D | null, {
            stride: this.stride,
            pad: this.pad,
            inputGrad,
            filterGrad: this.store.requiresGrad,
            gradRows: this.store.gradRows,
        });
    }
    /**
     * The same conv on an input whose first `classes` channels are one-hot labels, given as the
     * table rows each tap reads (`idx`, built for this conv's stride and padding) and the
     * remaining channels (`dense`, e.g. the edge map and the image): a table lookup plus a
     * small conv. `inputGrad` applies to `dense` (false, or its first channel needing one).
     */
    forwardOneHot(
        idx: TapIndices,
        classes: number,
        dense: tf.Tensor4D | null,
        inputGrad: boolean | number = false,
    ): tf.Tensor4D {
        const w = this.effectiveWeight();
        const [k, , cin, cout] = w.shape;
        let y: tf.Tensor4D = tf.reshape(gatherSum(lookupTable(w, classes), idx), [
            ...idx.shape,
            cout,
        ]);
        if (dense !== null) {
            const wd = fastSlice(w, [0, 0, classes, 0], [k, k, cin - classes, cout]);
            y = tf.add(
                y,
                conv2d(dense, wd, null, {
                    stride: this.stride,
                    pad: this.pad,
                    inputGrad,
                    filterGrad: this.store.requiresGrad,
                    gradRows: this.store.gradRows,
                }),
            );
        }
        return this.bias === null ? y : tf.add(y, this.bias);
    }
}

function unitNormal(n: number, rng: Rng): Float32Array {
    const v = rng.fillNormal(n, 0, 1);
    const nrm = Math.max(Math.hypot(...v), SN_EPS);
    return v.map((x) => x / nrm);
}

/** `nn.Linear` with weight [out, in]. */
export class Linear {
    readonly weight: tf.Variable;
    readonly bias: tf.Variable;

    constructor(store: Store, name: string, fin: number, fout: number) {
        const { type, gain, rng } = store.init;
        this.weight = store.param(
            `${name}.weight`,
            [fout, fin],
            initWeight([fout, fin], type, gain, rng),
        );
        this.bias = store.param(`${name}.bias`, [fout], initBias(fout, fin, type, rng));
    }

    forward(x: tf.Tensor2D): tf.Tensor2D {
        return linear(x, this.weight as tf.Tensor2D, this.bias as tf.Tensor1D);
    }
}

/** The norms the reference uses: instance (no stats), batch (running stats), or none. */
export type NormKind = 'instance' | 'batch' | 'none';

/**
 * Instance or batch norm on NHWC, eps 1e-5. Batch norm uses batch statistics (biased variance)
 * in train mode and updates the running stats with momentum 0.1 and the unbiased variance;
 * in eval mode it uses the running stats. `affine` adds weight and bias (`prefix.weight/bias`).
 */
export class Norm2d {
    private readonly runningMean: tf.Variable | null = null;
    private readonly runningVar: tf.Variable | null = null;
    private readonly gamma: tf.Variable | null = null;
    private readonly beta: tf.Variable | null = null;

    constructor(
        private readonly store: Store,
        name: string,
        readonly kind: NormKind,
        channels: number,
        affine: boolean,
        readonly momentum = 0.1,
    ) {
        if (kind === 'batch') {
            this.runningMean = store.buffer(
                `${name}.running_mean`,
                [channels],
                new Float32Array(channels),
            );
            this.runningVar = store.buffer(
                `${name}.running_var`,
                [channels],
                new Float32Array(channels).fill(1),
            );
        }
        if (affine && kind !== 'none') {
            const { rng, gain } = store.init;
            // init_weights: BatchNorm weight N(1, gain), bias 0.
            this.gamma = store.param(
                `${name}.weight`,
                [channels],
                rng.fillNormal(channels, 1, gain),
            );
            this.beta = store.param(`${name}.bias`, [channels], new Float32Array(channels));
        }
    }

    forward(x: tf.Tensor4D): tf.Tensor4D {
        let y: tf.Tensor;
        if (this.kind === 'none') return x;
        if (this.kind === 'instance') {
            const { mean, variance } = tf.moments(x, [1, 2], true);
            y = tf.div(tf.sub(x, mean), tf.sqrt(tf.add(variance, NORM_EPS)));
        } else if (this.store.training) {
            const { mean, variance } = tf.moments(x, [0, 1, 2]);
            const n = x.shape[0] * x.shape[1] * x.shape[2];
            this.updateRunning(mean, variance, n);
            y = tf.div(tf.sub(x, mean), tf.sqrt(tf.add(variance, NORM_EPS)));
        } else {
            const rm = this.runningMean as tf.Tensor;
            y = tf.div(tf.sub(x, rm), tf.sqrt(tf.add(this.runningVar as tf.Tensor, NORM_EPS)));
        }
        if (this.gamma !== null && this.beta !== null) y = tf.add(tf.mul(y, this.gamma), this.beta);
        return y as tf.Tensor4D;
    }

    private updateRunning(mean: tf.Tensor, variance: tf.Tensor, n: number): void {
        const m = this.momentum;
        tf.tidy(() => {
            const rm = this.runningMean as tf.Variable;
            const rv = this.runningVar as tf.Variable;
            const unbiased = tf.mul(variance, n / Math.max(n - 1, 1));
            rm.assign(tf.add(tf.mul(rm, 1 - m), tf.mul(mean, m)));
            rv.assign(tf.add(tf.mul(rv, 1 - m), tf.mul(unbiased, m)));
        });
    }
}
