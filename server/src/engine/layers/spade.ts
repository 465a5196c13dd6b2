/**
 * The SPADE layer and the SPADE ResNet block (reference: models/networks/normalization.py and
 * architecture.py). NHWC tensors; the segmap is the full-resolution one-hot (+ edge) map, resized
 * per layer with PyTorch's nearest indices and cached per forward.
 */
import * as tf from '@tensorflow/tfjs';
import { labelsFromOneHot, tapIndices, type TapIndices } from '../onehot';
import { patternLevels, patternModulation, type PatternLevels } from '../patterns';
import type { ParamFreeNorm } from '../options';
import { nearestIndex, resizeNearest } from '../ops';
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

/** Nearest resize (PyTorch's indices) of per-pixel values [N, fh, fw] to h x w. */
function resizeIds<T extends Int32Array | Uint8Array>(
    v: T,
    [n, fh, fw]: [number, number, number],
    h: number,
    w: number,
    make: new (len: number) => T = Int32Array as unknown as new (len: number) => T,
): T {
    if (h === fh && w === fw) return v;
    const ih = nearestIndex(fh, h);
    const iw = nearestIndex(fw, w);
    const out = new make(n * h * w);
    for (let b = 0; b < n; b++) {
        for (let y = 0; y < h; y++) {
            const src = (b * fh + ih[y]) * fw;
            for (let x = 0; x < w; x++) out[(b * h + y) * w + x] = v[src + iw[x]];
        }
    }
    return out;
}

/**
 * The segmap at every size the layers asked for during one forward. With `classes` set, the
 * first `classes` channels are taken as one-hot and `mlp_shared` runs as a table lookup
 * (onehot.ts); the remaining channels (the edge map) stay dense.
 */
export class SegCache {
    private readonly sizes = new Map<string, tf.Tensor4D>();
    private readonly lookups = new Map<string, SegLookup>();
    private readonly levels = new Map<string, PatternLevels | undefined>();
    private fullLabels: Int32Array | undefined;
    private fullDense: tf.Tensor4D | undefined;
    private fullEdges: Uint8Array | null | undefined;

    /**
     * `patternShare`: see GeneratorOptions (0 turns the pattern path off). `labels`: the
     * full-size label ids when the caller has them already (else taken from `seg`).
     */
    constructor(
        readonly seg: tf.Tensor4D,
        readonly classes?: number,
        private readonly patternShare = 0.5,
        labels?: Int32Array,
    ) {
        this.fullLabels = labels;
    }

    /** Label ids at h x w (PyTorch's nearest resize of the full-size ids). */
    private idsAt(h: number, w: number): Int32Array {
        const c = this.classes as number;
        const [n, fh, fw] = this.seg.shape;
        // Labels once at full size; a nearest resize of a one-hot map is a resize of its ids.
        if (this.fullLabels === undefined) {
            const t = labelsFromOneHot(this.seg, c);
            this.fullLabels = t.dataSync() as Int32Array;
            t.dispose();
        }
        return resizeIds(this.fullLabels, [n, fh, fw], h, w);
    }

    /**
     * The binary edge map at full size, or null when the channels after the labels are not
     * exactly one 0/1 map (the pattern path needs codes, not values).
     */
    private edges(): Uint8Array | null {
        if (this.fullEdges !== undefined) return this.fullEdges;
        const c = this.classes as number;
        const ch = this.seg.shape[3];
        this.fullEdges = null;
        if (ch === c) this.fullEdges = new Uint8Array(0);
        else if (ch === c + 1) {
            const v = this.dense().dataSync();
            if (v.every((x) => x === 0 || x === 1)) this.fullEdges = Uint8Array.from(v);
        }
        return this.fullEdges;
    }

    /** The channels after the one-hot ones (the edge map) at full size, sliced once. */
    private dense(): tf.Tensor4D {
        if (this.fullDense === undefined) {
            const c = this.classes as number;
            const [n, h, w, ch] = this.seg.shape;
            this.fullDense = tf.slice(this.seg, [0, 0, 0, c], [n, h, w, ch - c]);
        }
        return this.fullDense;
    }

    /** Pattern levels at h x w for kernel k, or undefined where the convs are cheaper. */
    patterns(h: number, w: number, k: number): PatternLevels | undefined {
        if (this.classes === undefined || this.patternShare <= 0) return undefined;
        const key = `${h}x${w}x${k}`;
        if (!this.levels.has(key)) {
            const edges = this.edges();
            const [n, fh, fw] = this.seg.shape;
            let lv: PatternLevels | undefined;
            if (edges !== null) {
                const e =
                    edges.length === 0 ? null : resizeIds(edges, [n, fh, fw], h, w, Uint8Array);
                lv = patternLevels(
                    this.idsAt(h, w),
                    e,
                    [n, h, w],
                    this.classes,
                    k,
                    this.patternShare,
                );
            }
            this.levels.set(key, lv);
        }
        return this.levels.get(key);
    }

    lookup(h: number, w: number, k: number): SegLookup {
        const key = `${h}x${w}x${k}`;
        let l = this.lookups.get(key);
        if (l === undefined) {
            const c = this.classes as number;
            const [n, , , ch] = this.seg.shape;
            l = {
                idx: tapIndices(this.idsAt(h, w), [n, h, w], c, k),
                dense: ch > c ? resizeNearest(this.dense(), h, w) : null,
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
        const { gamma, beta } = this.modulation(seg, x.shape[1], x.shape[2]);
        if (tap) {
            tap('normalized', normalized);
            tap('gamma', gamma);
            tap('beta', beta);
        }
        return tf.add(tf.mul(normalized, tf.add(gamma, 1)), beta);
    }

    /** gamma and beta: per label pattern where that is cheaper, else through the convs. */
    private modulation(
        seg: SegCache,
        h: number,
        w: number,
    ): { gamma: tf.Tensor4D; beta: tf.Tensor4D } {
        const lv = seg.patterns(h, w, this.kernel);
        if (lv !== undefined) {
            const bias = (c: Conv2d) => c.bias as tf.Tensor1D;
            return patternModulation(
                lv,
                {
                    shared: this.mlpShared.effectiveWeight(),
                    sharedBias: bias(this.mlpShared),
                    gamma: this.mlpGamma.effectiveWeight(),
                    gammaBias: bias(this.mlpGamma),
                    beta: this.mlpBeta.effectiveWeight(),
                    betaBias: bias(this.mlpBeta),
                },
                seg.classes as number,
            );
        }
        const actv = tf.relu(this.shared(seg, h, w));
        return { gamma: this.mlpGamma.forward(actv), beta: this.mlpBeta.forward(actv) };
    }

    /** mlp_shared (before its ReLU): a lookup over one-hot labels, or the dense conv. */
    private shared(seg: SegCache, h: number, w: number): tf.Tensor4D {
        const conv = this.mlpShared;
        // The label map is a constant: its input gradient (the widest tensor in the net) is skipped.
        if (seg.classes === undefined) return conv.forward(seg.at(h, w), false);
        const { idx, dense } = seg.lookup(h, w, this.kernel);
        return conv.forwardOneHot(idx, seg.classes, dense, false);
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
