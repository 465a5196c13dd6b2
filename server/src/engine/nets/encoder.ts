/**
 * The style encoder of the VAE variant (reference: models/networks/encoder.py ConvEncoder):
 * six stride-2 3x3 convs (five below crop 256) on the image resized to 256x256 (bilinear,
 * align_corners False), then mu and logvar from two linears over the NCHW-flattened features.
 */
import * as tf from '@tensorflow/tfjs';
import { Linear, Store, type InitSpec } from '../layers/core';
import type { EncoderOptions } from '../options';
import { NormConv } from './plain-norm';

/** The encoder; `forward(image NHWC)` returns mu and logvar, [N, zDim]. */
export class ConvEncoder {
    readonly store: Store;
    private readonly layers: NormConv[] = [];
    private readonly fcMu: Linear;
    private readonly fcVar: Linear;

    constructor(
        readonly opts: EncoderOptions,
        ngf: number,
        readonly cropSize: number,
        init: InitSpec,
        /** Width of mu and logvar; the reference hard-codes 256 (= its default z_dim). */
        zDim = 256,
    ) {
        this.store = new Store(init);
        const ndf = ngf;
        const chans = [3, ndf, ndf * 2, ndf * 4, ndf * 8, ndf * 8];
        if (cropSize >= 256) chans.push(ndf * 8);
        for (let i = 1; i < chans.length; i++) {
            this.layers.push(
                new NormConv(
                    this.store,
                    `layer${i}`,
                    chans[i - 1],
                    chans[i],
                    3,
                    2,
                    1,
                    opts.spectral,
                    opts.norm,
                ),
            );
        }
        const s0 = 4;
        this.fcMu = new Linear(this.store, 'fc_mu', ndf * 8 * s0 * s0, zDim);
        this.fcVar = new Linear(this.store, 'fc_var', ndf * 8 * s0 * s0, zDim);
    }

    forward(image: tf.Tensor4D): { mu: tf.Tensor2D; logvar: tf.Tensor2D } {
        let x = image;
        if (x.shape[1] !== 256 || x.shape[2] !== 256) {
            x = tf.image.resizeBilinear(x, [256, 256], false, true);
        }
        this.layers.forEach((l, i) => {
            x = l.forward(i === 0 ? x : tf.leakyRelu(x, 0.2), i !== 0);
        });
        x = tf.leakyRelu(x, 0.2);
        const n = x.shape[0];
        const expect = this.fcMu.weight.shape[1];
        if (x.size / n !== expect) {
            throw new Error(
                `the encoder needs crop size 256 or more (its features are ${x.shape[1]}x${x.shape[2]}, ` +
                    `fc expects 4x4); ` +
                    'turn the style encoder off or raise the crop size',
            );
        }
        const flat = tf.reshape<tf.Rank.R2>(tf.transpose(x, [0, 3, 1, 2]), [n, -1]);
        return { mu: this.fcMu.forward(flat), logvar: this.fcVar.forward(flat) };
    }
}

/** `reparameterize`: z = eps * exp(0.5 logvar) + mu, eps ~ N(0, 1) unless given. */
export function reparameterize(
    mu: tf.Tensor2D,
    logvar: tf.Tensor2D,
    eps?: tf.Tensor2D,
): tf.Tensor2D {
    const e = eps ?? tf.randomNormal(mu.shape);
    return tf.add(tf.mul(e, tf.exp(tf.mul(logvar, 0.5))), mu);
}
