/**
 * Parity of the GAN, feature-matching and KLD losses with the reference's `losses` case,
 * plus the other GAN modes against their formulas.
 */
import * as assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import {
    featureMatchingLoss,
    ganLoss,
    kldLoss,
    type DOutput,
} from '../../server/src/engine/losses';
import { expectClose, goldenCase, stored, testBackend } from './helpers';

describe('engine parity: losses', function () {
    before(testBackend);

    it('losses', function () {
        const f = goldenCase(this, 'losses');
        tf.tidy(() => {
            const read = (kind: string): DOutput =>
                [0, 1].map((i) =>
                    [0, 1, 2, 3, 4].map((j) => stored(f, `input/pred_${kind}.D${i}.f${j}`)),
                );
            const fake = read('fake');
            const real = read('real');
            const l1 = (t: tf.Tensor) => tf.reshape(t, [1]);
            expectClose(l1(ganLoss(fake, 'hinge', true, false)), f, 'output/G_GAN');
            expectClose(l1(featureMatchingLoss(fake, real, 10)), f, 'output/G_GAN_Feat');
            expectClose(
                tf.mul(kldLoss(stored(f, 'input/mu'), stored(f, 'input/logvar')), 0.05),
                f,
                'output/KLD',
            );
            expectClose(l1(ganLoss(fake, 'hinge', false, true)), f, 'output/D_Fake');
            expectClose(l1(ganLoss(real, 'hinge', true, true)), f, 'output/D_real');
        });
    });

    it('ls, original and w modes follow their formulas', function () {
        tf.tidy(() => {
            const a = tf.tensor([-2, -0.5, 0.3, 4]);
            const b = tf.tensor([1, -1]);
            const pred: DOutput = [[tf.zeros([1]), a], [b]];
            const near = (t: tf.Scalar, v: number) =>
                assert.ok(Math.abs(t.dataSync()[0] - v) < 1e-6, `${t.dataSync()[0]} vs ${v}`);
            const mean = (xs: number[]) => xs.reduce((s, x) => s + x, 0) / xs.length;
            const av = [-2, -0.5, 0.3, 4];
            const bv = [1, -1];
            near(
                ganLoss(pred, 'ls', true, true),
                (mean(av.map((x) => (x - 1) ** 2)) + mean(bv.map((x) => (x - 1) ** 2))) / 2,
            );
            near(
                ganLoss(pred, 'ls', false, true),
                (mean(av.map((x) => x * x)) + mean(bv.map((x) => x * x))) / 2,
            );
            const bce = (x: number, t: number) =>
                -(
                    t * Math.log(1 / (1 + Math.exp(-x))) +
                    (1 - t) * Math.log(1 - 1 / (1 + Math.exp(-x)))
                );
            near(
                ganLoss(pred, 'original', true, true),
                (mean(av.map((x) => bce(x, 1))) + mean(bv.map((x) => bce(x, 1)))) / 2,
            );
            near(
                ganLoss(pred, 'original', false, true),
                (mean(av.map((x) => bce(x, 0))) + mean(bv.map((x) => bce(x, 0)))) / 2,
            );
            near(ganLoss(pred, 'w', false, true), (mean(av) + mean(bv)) / 2);
        });
    });
});
