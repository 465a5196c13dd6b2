/**
 * The SPADE layer and the SPADE ResNet block (reference: models/networks/normalization.py and
 * architecture.py). NHWC tensors; the segmap is the full-resolution one-hot (+ edge) map, resized
 * per layer with PyTorch's nearest indices and cached per forward.
 */
import * as tf from '@tensorflow/tfjs';
import { gatherSum, labelsFromOneHot, lookupTable, tapIndices, type TapIndices } from '../onehot';
import type { ParamFreeNorm } from '../options';
import { conv2d, nearestIndex, oihwToHwio, resizeNearest } from '../ops';
import type { Store } from './core';
import { Conv2d, Norm2d } from './core';

/** The parts of `norm_G` that shape a SPADE layer. */
export interface SpadeConfig {
    paramFreeNorm: ParamFreeNorm;
    kernel: 3 | 5;
    /** nhidden of mlp_shared (the reference fixes 128). */
    hidden: number;
}

/** Records intermediate results for parity checks (name -> NHWC tensor, not disposed by the net). */
export type Tap = (name: string, t: tf.Tensor) => void;

/** What the one-hot lookup needs at one size: tap indices and the dense (edge) channels. */
export interface SegLookup {
    idx: TapIndices;
    dense: tf.Tensor4D | null;
}

/**
 * The segmap at every size the layers asked for during one forward. With `classes` set, the
 * first `classes` channels are taken as one-hot and `mlp_shared` runs as a table lookup
 * (onehot.ts); the remaining channels (the edge map) stay dense.
 */
export class SegCache {
    private readonly sizes = new Map<string, tf.Tensor4D>();
    private readonly lookups = new Map<string, SegLookup>();
    private fullLabels: Int32Array | undefined;
    private fullDense: tf.Tensor4D | undefined;

    constructor(
        readonly seg: tf.Tensor4D,
        readonly classes?: number,
    ) {}

    lookup(h: number, w: number, k: number): SegLookup {
        const key = `${h}x${w}x${k}`;
        let l = this.lookups.get(key);
        if (l === undefined) {
            const c = this.classes as number;
            const [n, fh, fw, ch] = this.seg.shape;
            // Labels once at full size; a nearest resize of a one-hot map is a resize of its ids.
            if (this.fullLabels === undefined) {
                const t = labelsFromOneHot(this.seg, c);
                this.fullLabels = t.dataSync() as Int32Array;
                t.dispose();
            }
            let ids = this.fullLabels;
            if (h !== fh || w !== fw) {
                const ih = nearestIndex(fh, h);
                const iw = nearestIndex(fw, w);
                ids = new Int32Array(n * h * w);
                for (let b = 0; b < n; b++) {
                    for (let y = 0; y < h; y++) {
                        for (let x = 0; x < w; x++)
                            ids[(b * h + y) * w + x] =
                                this.fullLabels[(b * fh + ih[y]) * fw + iw[x]];
                    }
                }
            }
            if (ch > c && this.fullDense === undefined)
                this.fullDense = tf.slice(this.seg, [0, 0, 0, c], [n, fh, fw, ch - c]);
            l = {
                idx: tapIndices(ids, [n, h, w], c, k),
                dense: this.fullDense ? resizeNearest(this.fullDense, h, w) : null,
            };
            this.lookups.set(key, l);
        }
        return l;
    }

    at(h: number, w: number): tf.Tensor4D {
        const key = `${h}x${w}`;
        let t = this.sizes.get(key);
        if (t === undefined) {
            t = resizeNearest(this.seg, h, w);
            this.sizes.set(key, t);
        }
        return t;
    }
}

/** `SPADE(config, norm_nc, label_nc)`: param-free norm, then `normalized * (1 + gamma) + beta`. */
export class Spade {
    readonly norm: Norm2d;
    readonly mlpShared: Conv2d;
    readonly mlpGamma: Conv2d;
    readonly mlpBeta: Conv2d;
    private readonly kernel: number;

    constructor(store: Store, name: string, normNc: number, labelNc: number, cfg: SpadeConfig) {
        this.kernel = cfg.kernel;
        const kind = cfg.paramFreeNorm === 'instance' ? 'instance' : 'batch';
        this.norm = new Norm2d(store, `${name}.param_free_norm`, kind, normNc, false);
        const k = cfg.kernel;
        this.mlpShared = new Conv2d(store, `${name}.mlp_shared.0`, labelNc, cfg.hidden, k);
        this.mlpGamma = new Conv2d(store, `${name}.mlp_gamma`, cfg.hidden, normNc, k);
        this.mlpBeta = new Conv2d(store, `${name}.mlp_beta`, cfg.hidden, normNc, k);
    }

    forward(x: tf.Tensor4D, seg: SegCache, tap?: Tap): tf.Tensor4D {
        const normalized = this.norm.forward(x);
        const actv = tf.relu(this.shared(seg, x.shape[1], x.shape[2]));
        const gamma = this.mlpGamma.forward(actv);
        const beta = this.mlpBeta.forward(actv);
        if (tap) {
            tap('normalized', normalized);
            tap('gamma', gamma);
            tap('beta', beta);
        }
        return tf.add(tf.mul(normalized, tf.add(gamma, 1)), beta);
    }

    /** mlp_shared (before its ReLU): a lookup over one-hot labels, or the dense conv. */
    private shared(seg: SegCache, h: number, w: number): tf.Tensor4D {
        const conv = this.mlpShared;
        // The label map is a constant: its input gradient (the widest tensor in the net) is skipped.
        if (seg.classes === undefined) return conv.forward(seg.at(h, w), false);
        const c = seg.classes;
        const { idx, dense } = seg.lookup(h, w, this.kernel);
        const wt = conv.weight as tf.Tensor4D;
        const [cout, cin, k] = wt.shape;
        let y: tf.Tensor4D = tf.reshape(gatherSum(lookupTable(wt, c), idx), [...idx.shape, cout]);
        if (dense !== null) {
            const wd = oihwToHwio(tf.slice(wt, [0, c, 0, 0], [cout, cin - c, k, k]));
            y = tf.add(y, conv2d(dense, wd, null, { stride: 1, pad: conv.pad, inputGrad: false }));
        }
        return tf.add(y, conv.bias as tf.Tensor1D);
    }
}

/** Options of a SPADE ResNet block. */
export interface ResBlockConfig {
    spectral: boolean;
    spade: SpadeConfig;
}

/**
 * `SPADEResnetBlock(fin, fout)`: two (SPADE, leaky ReLU 0.2, 3x3 conv) stages plus the shortcut,
 * learned (SPADE then 1x1 conv without bias, no activation) when fin != fout.
 */
export class SpadeResBlock {
    readonly learnedShortcut: boolean;
    private readonly conv0: Conv2d;
    private readonly conv1: Conv2d;
    private readonly convS: Conv2d | null = null;
    private readonly norm0: Spade;
    private readonly norm1: Spade;
    private readonly normS: Spade | null = null;

    constructor(
        store: Store,
        name: string,
        fin: number,
        fout: number,
        semanticNc: number,
        cfg: ResBlockConfig,
    ) {
        this.learnedShortcut = fin !== fout;
        const fmid = Math.min(fin, fout);
        const sn = cfg.spectral;
        this.conv0 = new Conv2d(store, `${name}.conv_0`, fin, fmid, 3, { spectral: sn });
        this.conv1 = new Conv2d(store, `${name}.conv_1`, fmid, fout, 3, { spectral: sn });
        if (this.learnedShortcut) {
            this.convS = new Conv2d(store, `${name}.conv_s`, fin, fout, 1, {
                bias: false,
                spectral: sn,
            });
        }
        this.norm0 = new Spade(store, `${name}.norm_0`, fin, semanticNc, cfg.spade);
        this.norm1 = new Spade(store, `${name}.norm_1`, fmid, semanticNc, cfg.spade);
        if (this.learnedShortcut)
            this.normS = new Spade(store, `${name}.norm_s`, fin, semanticNc, cfg.spade);
    }

    forward(x: tf.Tensor4D, seg: SegCache, tap?: Tap): tf.Tensor4D {
        let xs = x;
        if (this.convS !== null && this.normS !== null) {
            const ns = this.normS.forward(x, seg);
            xs = this.convS.forward(ns);
            tap?.('norm_s', ns);
            tap?.('conv_s', xs);
        }
        const n0 = this.norm0.forward(x, seg);
        const c0 = this.conv0.forward(tf.leakyRelu(n0, 0.2));
        const n1 = this.norm1.forward(c0, seg);
        const c1 = this.conv1.forward(tf.leakyRelu(n1, 0.2));
        if (tap) {
            tap('norm_0', n0);
            tap('conv_0', c0);
            tap('norm_1', n1);
            tap('conv_1', c1);
        }
        return tf.add(xs, c1);
    }
}
