/**
 * The multiscale PatchGAN discriminator (reference: models/networks/discriminator.py):
 * `numD` NLayerDiscriminators (kernel 4, padding 2, ndf doubling up to 512) on the input and
 * its `avg_pool2d(3, 2, 1, count_include_pad=False)` downsamplings. Each returns every
 * intermediate feature (after its leaky ReLU) and the final patch logits last.
 */
import * as tf from '@tensorflow/tfjs';
import { Conv2d, Store, type InitSpec } from '../layers/core';
import type { DiscriminatorOptions } from '../options';
import { tapIndices } from '../onehot';
import { avgPool3s2 } from '../ops';
import { NormConv } from './plain-norm';

type Layer = { conv: Conv2d | NormConv; act: boolean };

/**
 * D's input as labels plus dense channels, for running the first conv of the full-size scale
 * as a table lookup: its input is one-hot labels, then the edge map and the image (187
 * channels at COCO-Stuff's 184), and a dense conv over them is most of D's first layer.
 */
export interface DOneHotInput {
    /** Label ids [N*H*W] of the batch D sees (`classes` where no class is set). */
    ids: Int32Array;
    classes: number;
    /** The channels after the one-hot ones (edge map, image), NHWC. */
    dense: tf.Tensor4D;
}

/**
 * D's input as its constant leading channels (labels, edge map) and the rest (the image):
 * downsampling then pools the two apart, so that the pooling's gradient is computed for the
 * image's channels only, and the full-size concatenation is made only where a dense conv
 * reads it (not when the first conv is a lookup).
 */
export interface DSplitInput {
    head: tf.Tensor4D;
    tail: tf.Tensor4D;
    /** The head stands for this many copies along the batch (fake and real share labels). */
    headRepeats?: number;
}

/** The discriminator; `forward(x NHWC)` returns features per scale, NHWC, last = logits. */
export class MultiscaleDiscriminator {
    readonly store: Store;
    private readonly scales: Layer[][] = [];

    constructor(
        readonly opts: DiscriminatorOptions,
        inputNc: number,
        init: InitSpec,
    ) {
        this.store = new Store(init);
        const s = this.store;
        for (let d = 0; d < opts.numD; d++) {
            const p = `discriminator_${d}`;
            const layers: Layer[] = [];
            if (opts.arch === 'layers') {
                const defs = opts.layers ?? [];
                let c = inputNc;
                defs.forEach((l, i) => {
                    const conv = l.norm
                        ? new NormConv(
                              s,
                              `${p}.model${i}.0`,
                              c,
                              l.channels,
                              4,
                              l.stride,
                              2,
                              opts.spectral,
                              opts.norm,
                          )
                        : new Conv2d(s, `${p}.model${i}.0`, c, l.channels, 4, {
                              stride: l.stride,
                              pad: 2,
                          });
                    layers.push({ conv, act: true });
                    c = l.channels;
                });
                layers.push({
                    conv: new Conv2d(s, `${p}.model${defs.length}.0`, c, 1, 4, { pad: 2 }),
                    act: false,
                });
            } else {
                let nf = opts.ndf;
                layers.push({
                    conv: new Conv2d(s, `${p}.model0.0`, inputNc, nf, 4, { stride: 2, pad: 2 }),
                    act: true,
                });
                for (let n = 1; n < opts.nLayers; n++) {
                    const prev = nf;
                    nf = Math.min(nf * 2, 512);
                    const stride = n === opts.nLayers - 1 ? 1 : 2;
                    const conv = new NormConv(
                        s,
                        `${p}.model${n}.0`,
                        prev,
                        nf,
                        4,
                        stride,
                        2,
                        opts.spectral,
                        opts.norm,
                    );
                    layers.push({ conv, act: true });
                }
                layers.push({
                    conv: new Conv2d(s, `${p}.model${opts.nLayers}.0`, nf, 1, 4, { pad: 2 }),
                    act: false,
                });
            }
            this.scales.push(layers);
        }
    }

    /**
     * Features of every scale. `inputGrad`: false when no gradient w.r.t. x is needed, or the
     * first channel that needs one (the image after the label channels in the G step).
     */
    forward(
        x: tf.Tensor4D | DSplitInput,
        inputGrad: boolean | number = true,
        oneHot?: DOneHotInput,
    ): tf.Tensor4D[][] {
        const out: tf.Tensor4D[][] = [];
        let input = x;
        const whole = (v: tf.Tensor4D | DSplitInput) => {
            if (!('head' in v)) return v;
            const copies = new Array<tf.Tensor4D>(v.headRepeats ?? 1).fill(v.head);
            const head = copies.length > 1 ? tf.concat<tf.Tensor4D>(copies, 0) : v.head;
            return tf.concat<tf.Tensor4D>([head, v.tail], 3);
        };
        this.scales.forEach((layers, d) => {
            const feats: tf.Tensor4D[] = [];
            let h: tf.Tensor4D | undefined;
            layers.forEach((l, i) => {
                if (i === 0 && d === 0 && oneHot) {
                    const shape = 'head' in input ? input.tail.shape : input.shape;
                    h = this.firstAsLookup(l.conv, shape, oneHot, inputGrad);
                } else h = l.conv.forward(h ?? whole(input), i > 0 ? true : inputGrad);
                if (l.act) h = tf.leakyRelu(h, 0.2);
                feats.push(h);
            });
            out.push(feats);
            if (d < this.scales.length - 1)
                input =
                    'head' in input
                        ? {
                              head: avgPool3s2(input.head),
                              tail: avgPool3s2(input.tail),
                              headRepeats: input.headRepeats,
                          }
                        : avgPool3s2(input);
        });
        return out;
    }

    /**
     * The full-size scale's first conv as a lookup over the labels plus a conv over the dense
     * channels. (The smaller scales see average-pooled labels, which are no longer one-hot.)
     */
    private firstAsLookup(
        first: Conv2d | NormConv,
        shape: number[],
        o: DOneHotInput,
        inputGrad: boolean | number,
    ): tf.Tensor4D {
        const conv = first instanceof NormConv ? first.conv : first;
        const [n, h, w] = shape;
        const idx = tapIndices(o.ids, [n, h, w], o.classes, conv.kernel, conv.stride, conv.pad);
        // Gradient channels of x map onto the dense part, which starts at `classes`.
        const denseGrad =
            typeof inputGrad === 'number' ? Math.max(0, inputGrad - o.classes) : inputGrad;
        const y = conv.forwardOneHot(idx, o.classes, o.dense, denseGrad);
        return first instanceof NormConv && first.norm ? first.norm.forward(y) : y;
    }
}
