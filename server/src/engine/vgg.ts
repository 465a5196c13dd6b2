/**
 * The VGG19 perceptual loss of the reference (models/networks/loss.py VGGLoss): L1 between
 * the relu1_1, relu2_1, relu3_1, relu4_1 and relu5_1 features of fake and real, weighted
 * 1/32, 1/16, 1/8, 1/4, 1. Inputs go in as they are ([-1, 1], no ImageNet normalisation),
 * as the reference does. Weights come only from a file the user names (torchvision's
 * `vgg19().features` state_dict as safetensors: `features.<i>.weight|bias`); nothing is downloaded.
 */
import * as fs from 'node:fs';
import * as tf from '@tensorflow/tfjs';
import { conv2d, oihwToHwio } from './ops';
import { readSafetensors, stateFromSafe } from './safetensors';

/** torchvision `features` indices of the convs up to conv5_1, with their channels. */
const CONVS: [number, number, number][] = [
    [0, 3, 64],
    [2, 64, 64],
    [5, 64, 128],
    [7, 128, 128],
    [10, 128, 256],
    [12, 256, 256],
    [14, 256, 256],
    [16, 256, 256],
    [19, 256, 512],
    [21, 512, 512],
    [23, 512, 512],
    [25, 512, 512],
    [28, 512, 512],
];
/** Max pools sit before these conv indices. */
const POOL_BEFORE = new Set([5, 10, 19, 28]);
/** Features are taken after the ReLU of these convs. */
const TAPS = new Set([0, 5, 10, 19, 28]);
const WEIGHTS = [1 / 32, 1 / 16, 1 / 8, 1 / 4, 1];

/** Frozen VGG19 features for the perceptual loss. */
export class Vgg19 {
    private readonly convs: { idx: number; w: tf.Tensor4D; b: tf.Tensor1D }[] = [];

    private constructor() {}

    /** Loads the weights; throws naming the file and what is missing or misshapen. */
    static load(file: string | undefined): Vgg19 {
        const hint =
            "export torchvision's vgg19(weights='IMAGENET1K_V1').features state_dict to safetensors " +
            "(names 'features.0.weight' ...) and name that file in the config's loss block";
        if (!file)
            throw new Error(
                `the VGG loss is on but no VGG19 weights file is set: ${hint}, or set the VGG weight to 0`,
            );
        if (!fs.existsSync(file))
            throw new Error(`VGG19 weights file ${file} does not exist: ${hint}`);
        let state;
        try {
            state = stateFromSafe(readSafetensors(file));
        } catch (e) {
            throw new Error(
                `VGG19 weights file ${file} could not be read (${(e as Error).message}): ${hint}`,
                { cause: e },
            );
        }
        const net = new Vgg19();
        for (const [idx, cin, cout] of CONVS) {
            for (const [kind, shape] of [
                ['weight', [cout, cin, 3, 3]],
                ['bias', [cout]],
            ] as const) {
                const names = [`features.${idx}.${kind}`, `${idx}.${kind}`];
                const t = names.map((n) => state.get(n)).find((x) => x !== undefined);
                if (!t) throw new Error(`VGG19 weights file ${file} has no '${names[0]}': ${hint}`);
                if (t.shape.join() !== shape.join()) {
                    throw new Error(
                        `VGG19 weights file ${file}: '${names[0]}' is [${t.shape}], VGG19 needs [${shape}]`,
                    );
                }
            }
            const get = (k: string) =>
                (state.get(`features.${idx}.${k}`) ?? state.get(`${idx}.${k}`))!;
            const w = get('weight');
            const b = get('bias');
            net.convs.push({
                idx,
                w: tf.tidy(() =>
                    oihwToHwio(tf.tensor4d(w.data, w.shape as [number, number, number, number])),
                ),
                b: tf.tensor1d(b.data),
            });
        }
        return net;
    }

    /** relu1_1 .. relu5_1 of an NHWC image. */
    features(x: tf.Tensor4D): tf.Tensor4D[] {
        const out: tf.Tensor4D[] = [];
        let h = x;
        for (const c of this.convs) {
            if (POOL_BEFORE.has(c.idx)) h = tf.maxPool(h, 2, 2, 'valid');
            h = tf.relu(conv2d(h, c.w, c.b, { stride: 1, pad: 1, filterGrad: false }));
            if (TAPS.has(c.idx)) out.push(h);
        }
        return out;
    }

    /** sum_i w_i * L1mean(vgg(fake)_i, vgg(real)_i); real is a constant. */
    loss(fake: tf.Tensor4D, real: tf.Tensor4D): tf.Scalar {
        const ff = this.features(fake);
        const rf = this.features(real);
        return tf.addN(
            ff.map((f, i) => tf.mul(tf.mean(tf.abs(tf.sub(f, rf[i]))), WEIGHTS[i])),
        ) as tf.Scalar;
    }

    dispose(): void {
        for (const c of this.convs) tf.dispose([c.w, c.b]);
    }
}
