/**
 * Network construction beyond the golden cases: latent-size rounding, layer-level generator and
 * discriminator definitions, init types, and the errors for impossible shapes.
 */
import * as assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { fans, initWeight, Rng } from '../../server/src/engine/init';
import { MultiscaleDiscriminator } from '../../server/src/engine/nets/discriminator';
import { latentSize, roundHalfEven, SpadeGenerator } from '../../server/src/engine/nets/generator';
import { testBackend, testInit, tinyRun } from './helpers';

describe('engine networks', function () {
    before(testBackend);

    it('rounds the latent height half to even, as Python round()', function () {
        assert.equal(roundHalfEven(2.5), 2);
        assert.equal(roundHalfEven(3.5), 4);
        assert.equal(roundHalfEven(2.4), 2);
        // crop 320, normal: sw = 10; aspect 4 -> 2.5 -> 2 (Math.round would say 3).
        assert.deepEqual(latentSize(320, 4, 5), { sw: 10, sh: 2 });
        assert.deepEqual(latentSize(256, 2, 5), { sw: 8, sh: 4 });
    });

    it('builds and runs layer-level G and D; D on (labels, image) apart equals D on both', function () {
        const g = tinyRun().generator;
        const gen = new SpadeGenerator(
            {
                ...g,
                arch: 'layers',
                layers: [
                    { kind: 'spade_resblock', channels: 8 },
                    { kind: 'upsample', channels: 0 },
                    { kind: 'spade_resblock', channels: 4 },
                    { kind: 'upsample', channels: 0 },
                    { kind: 'conv', channels: 4 },
                ],
            },
            { semanticNc: 4, cropSize: 16, aspectRatio: 1 },
            testInit(),
        );
        assert.deepEqual(gen.outputSize(), [16, 16]);
        assert.ok(gen.store.params.has('body.0.norm_0.mlp_shared.0.weight'));
        assert.ok(gen.store.params.has('body.2.conv_s.weight_orig'));
        const d = new MultiscaleDiscriminator(
            {
                ...tinyRun().discriminator,
                arch: 'layers',
                numD: 2,
                layers: [
                    { channels: 4, stride: 2, norm: false },
                    { channels: 8, stride: 2, norm: true },
                ],
            },
            7,
            testInit(),
        );
        tf.tidy(() => {
            const img = gen.forward(tf.ones([1, 16, 16, 4]));
            assert.deepEqual(img.shape, [1, 16, 16, 3]);
            const seg = tf.ones<tf.Rank.R4>([1, 16, 16, 4]);
            const feats = d.forward(tf.concat<tf.Tensor4D>([seg, img], 3));
            assert.deepEqual(
                feats.map((f) => f.map((t) => t.shape[3])),
                [
                    [4, 8, 1],
                    [4, 8, 1],
                ],
            );
        });
        // The same input given as constant labels and the image: equal features, and equal
        // image gradients (the labels' pooling gradient is skipped, not needed).
        tf.tidy(() => {
            const seg = tf.tensor4d(
                Float32Array.from({ length: 2 * 15 * 13 * 4 }, (_, i) => (i % 7) / 7),
                [2, 15, 13, 4],
            );
            const img = tf.randomNormal<tf.Rank.R4>([2, 15, 13, 3], 0, 1, 'float32', 3);
            const whole = d.forward(tf.concat<tf.Tensor4D>([seg, img], 3), 4);
            const split = d.forward({ head: seg, tail: img }, 4);
            whole.flat().forEach((t, i) => {
                const diff = tf.max(tf.abs(tf.sub(t, split.flat()[i]))).dataSync()[0];
                assert.ok(diff < 1e-6, `feature ${i} differs by ${diff}`);
            });
            const loss = (f: (x: tf.Tensor4D) => tf.Tensor4D[][]) => (x: tf.Tensor) =>
                tf.addN(
                    f(x as tf.Tensor4D)
                        .flat()
                        .map((t) => tf.sum(tf.square(t))),
                );
            const gWhole = tf.grad(loss((x) => d.forward(tf.concat([seg, x], 3), 4)))(img);
            const gSplit = tf.grad(loss((x) => d.forward({ head: seg, tail: x }, 4)))(img);
            const diff = tf.max(tf.abs(tf.sub(gWhole, gSplit))).dataSync()[0];
            const scale = tf.max(tf.abs(gWhole)).dataSync()[0];
            assert.ok(diff <= 1e-5 * Math.max(1, scale), `image gradient differs by ${diff}`);
        });
        gen.store.dispose();
        d.store.dispose();
    });

    it('refuses a crop too small for the upsampling layers, saying what to change', function () {
        const g = tinyRun().generator;
        assert.throws(
            () =>
                new SpadeGenerator(
                    { ...g, upsampling: 'most' },
                    { semanticNc: 4, cropSize: 64, aspectRatio: 1 },
                    testInit(),
                ),
            /crop size 64 is too small for 7 upsamplings.*at least 128/,
        );
    });

    it('draws init weights with the reference spread (xavier, kaiming, orthogonal)', function () {
        const shape = [64, 32, 3, 3];
        const [fi, fo] = fans(shape);
        const std = (a: Float32Array) => Math.sqrt(a.reduce((s, x) => s + x * x, 0) / a.length);
        const xav = initWeight(shape, 'xavier', 0.02, new Rng(1));
        assert.ok(Math.abs(std(xav) / (0.02 * Math.sqrt(2 / (fi + fo))) - 1) < 0.05);
        const kai = initWeight(shape, 'kaiming', 0.02, new Rng(2));
        assert.ok(Math.abs(std(kai) / Math.sqrt(2 / fi) - 1) < 0.05);
        // Orthogonal rows: W W^T = gain^2 I for a wide matrix.
        const o = initWeight([4, 10], 'orthogonal', 1, new Rng(3));
        for (let i = 0; i < 4; i++) {
            for (let j = 0; j < 4; j++) {
                let dot = 0;
                for (let k = 0; k < 10; k++) dot += o[i * 10 + k] * o[j * 10 + k];
                assert.ok(Math.abs(dot - (i === j ? 1 : 0)) < 1e-5);
            }
        }
    });
});
