/**
 * The SPADE generator (reference: models/networks/generator.py SPADEGenerator) and the
 * layer-level generator the config language allows. NHWC inside; the segmap is the one-hot
 * label map plus edge channel, at crop size.
 */
import * as tf from '@tensorflow/tfjs';
import { Conv2d, Linear, Store, type InitSpec } from '../layers/core';
import { SegCache, SpadeResBlock, type SpadeConfig, type Tap } from '../layers/spade';
import type { GeneratorOptions, Upsampling } from '../options';
import { resizeNearest, upsample2x } from '../ops';

/** Python's round(): half to even. */
export function roundHalfEven(x: number): number {
    const r = Math.round(x);
    return Math.abs(x - Math.trunc(x)) === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

/** Number of 2x upsamplings for normal / more / most. */
export function upsamplingCount(u: Upsampling): number {
    return u === 'normal' ? 5 : u === 'more' ? 6 : 7;
}

/** `compute_latent_vector_size`: sw = crop // 2**n, sh = round(sw / aspect_ratio). */
export function latentSize(
    cropSize: number,
    aspectRatio: number,
    ups: number,
): { sh: number; sw: number } {
    const sw = Math.floor(cropSize / 2 ** ups);
    return { sw, sh: roundHalfEven(sw / aspectRatio) };
}

/** What the generator is built from besides GeneratorOptions. */
export interface GeneratorShape {
    semanticNc: number;
    cropSize: number;
    aspectRatio: number;
    outputNc?: number;
    /**
     * How many leading segmap channels are one-hot (labels + dontcare). When set, every
     * mlp_shared runs as a table lookup (same result, a fraction of the work); unset = dense convs.
     */
    oneHotChannels?: number;
}

/** One block of the network, run in order. */
type Stage =
    | { kind: 'block'; name: string; block: SpadeResBlock }
    | { kind: 'up' }
    | { kind: 'conv'; name: string; conv: Conv2d };

/** The generator: `forward(seg, z?)` returns the tanh image, NHWC. */
export class SpadeGenerator {
    readonly store: Store;
    readonly sh: number;
    readonly sw: number;
    private readonly fc: Conv2d | Linear;
    private readonly stages: Stage[] = [];
    private readonly convImg: Conv2d;
    private readonly fcChannels: number;

    constructor(
        readonly opts: GeneratorOptions,
        readonly shape: GeneratorShape,
        init: InitSpec,
    ) {
        this.store = new Store(init);
        const s = this.store;
        const spade: SpadeConfig = {
            paramFreeNorm: opts.paramFreeNorm,
            kernel: opts.spadeKernel,
            hidden: opts.spadeHidden,
        };
        const cfg = { spectral: opts.spectral, spade };
        const snc = shape.semanticNc;
        const block = (name: string, fin: number, fout: number): Stage => ({
            kind: 'block',
            name,
            block: new SpadeResBlock(s, name, fin, fout, snc, cfg),
        });
        let finalNc: number;
        let ups: number;
        if (opts.arch === 'layers') {
            const layers = opts.layers ?? [];
            if (layers.length === 0)
                throw new Error('generator arch "layers" needs at least one layer');
            ups = layers.filter((l) => l.kind === 'upsample').length;
            this.fcChannels = layers.find((l) => l.kind !== 'upsample')?.channels ?? 16 * opts.ngf;
            let c = this.fcChannels;
            layers.forEach((l, i) => {
                const name = `body.${i}`;
                if (l.kind === 'upsample') this.stages.push({ kind: 'up' });
                else if (l.kind === 'spade_resblock') this.stages.push(block(name, c, l.channels));
                else
                    this.stages.push({
                        kind: 'conv',
                        name,
                        conv: new Conv2d(s, name, c, l.channels, 3, { spectral: opts.spectral }),
                    });
                if (l.kind !== 'upsample') c = l.channels;
            });
            finalNc = c;
        } else {
            const nf = opts.ngf;
            ups = upsamplingCount(opts.upsampling);
            this.fcChannels = 16 * nf;
            const up: Stage = { kind: 'up' };
            this.stages.push(
                block('head_0', 16 * nf, 16 * nf),
                up,
                block('G_middle_0', 16 * nf, 16 * nf),
            );
            if (opts.upsampling !== 'normal') this.stages.push(up);
            this.stages.push(
                block('G_middle_1', 16 * nf, 16 * nf),
                up,
                block('up_0', 16 * nf, 8 * nf),
            );
            this.stages.push(up, block('up_1', 8 * nf, 4 * nf), up, block('up_2', 4 * nf, 2 * nf));
            this.stages.push(up, block('up_3', 2 * nf, nf));
            finalNc = nf;
            if (opts.upsampling === 'most') {
                this.stages.push(up, block('up_4', nf, Math.floor(nf / 2)));
                finalNc = Math.floor(nf / 2);
            }
        }
        const { sh, sw } = latentSize(shape.cropSize, shape.aspectRatio, ups);
        if (sh < 1 || sw < 1) {
            throw new Error(
                `crop size ${shape.cropSize} is too small for ${ups} upsamplings (latent ${sh}x${sw}); ` +
                    `use a crop of at least ${2 ** ups} or fewer upsampling layers`,
            );
        }
        this.sh = sh;
        this.sw = sw;
        // The reference creates fc before the blocks; names, not order, identify weights here.
        this.fc = opts.useVae
            ? new Linear(s, 'fc', opts.zDim, this.fcChannels * sh * sw)
            : new Conv2d(s, 'fc', snc, this.fcChannels, 3);
        this.convImg = new Conv2d(s, 'conv_img', finalNc, shape.outputNc ?? 3, 3);
    }

    /** Output image size (h, w): the latent size times 2**upsamplings, whatever the input size. */
    outputSize(): [number, number] {
        const n = this.stages.filter((s) => s.kind === 'up').length;
        return [this.sh * 2 ** n, this.sw * 2 ** n];
    }

    /**
     * seg: NHWC one-hot + edge map. z: [N, zDim] for the VAE path (drawn from N(0, 1) when
     * absent). Returns the image in [-1, 1], NHWC. `tap` sees each block's output (NHWC) and,
     * for the VAE, `fc` before the reshape. `labels`: the label ids of `seg`'s one-hot part
     * when the caller has them (the trainer reads them from the batch), so they are not found
     * again.
     */
    forward(seg: tf.Tensor4D, z?: tf.Tensor2D, tap?: Tap, labels?: Int32Array): tf.Tensor4D {
        const o = this.opts;
        const cache = new SegCache(seg, this.shape.oneHotChannels, o.patternShare, labels);
        const n = seg.shape[0];
        let x: tf.Tensor4D;
        if (this.fc instanceof Linear) {
            const zz = z ?? tf.randomNormal([n, this.opts.zDim]);
            const flat = this.fc.forward(zz);
            tap?.('fc', flat);
            // view(-1, C, sh, sw) is NCHW order.
            x = tf.transpose(
                tf.reshape(flat, [n, this.fcChannels, this.sh, this.sw]),
                [0, 2, 3, 1],
            );
        } else {
            x = this.fc.forward(resizeNearest(seg, this.sh, this.sw), false);
            tap?.('fc', x);
        }
        for (const st of this.stages) {
            if (st.kind === 'up') x = upsample2x(x);
            else if (st.kind === 'block') {
                x = st.block.forward(x, cache);
                tap?.(st.name, x);
            } else {
                x = st.conv.forward(tf.leakyRelu(x, 0.2));
                tap?.(st.name, x);
            }
        }
        const pre = this.convImg.forward(tf.leakyRelu(x, 0.2));
        tap?.('conv_img_pre_tanh', pre);
        return tf.tanh(pre);
    }
}
