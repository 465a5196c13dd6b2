/**
 * The multiscale PatchGAN discriminator (reference: models/networks/discriminator.py):
 * `numD` NLayerDiscriminators (kernel 4, padding 2, ndf doubling up to 512) on the input and
 * its `avg_pool2d(3, 2, 1, count_include_pad=False)` downsamplings. Each returns every
 * intermediate feature (after its leaky ReLU) and the final patch logits last.
 */
import * as tf from '@tensorflow/tfjs';
import { Conv2d, Store, type InitSpec } from '../layers/core';
import type { DiscriminatorOptions } from '../options';
import { avgPool3s2 } from '../ops';
import { NormConv } from './plain-norm';

type Layer = { conv: Conv2d | NormConv; act: boolean };

/**
 * The discriminator; `forward(x NHWC)` returns features per scale, NHWC, last = logits.
 * FIXME(#4): the first conv reads the one-hot labels too (187 channels at crop size); a
 * stride-2 table lookup like mlp_shared's would remove most of its cost.
 */
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
    forward(x: tf.Tensor4D, inputGrad: boolean | number = true): tf.Tensor4D[][] {
        const out: tf.Tensor4D[][] = [];
        let input = x;
        this.scales.forEach((layers, d) => {
            const feats: tf.Tensor4D[] = [];
            let h = input;
            layers.forEach((l, i) => {
                h = l.conv.forward(h, i > 0 ? true : inputGrad);
                if (l.act) h = tf.leakyRelu(h, 0.2);
                feats.push(h);
            });
            out.push(feats);
            if (d < this.scales.length - 1) input = avgPool3s2(input);
        });
        return out;
    }
}
