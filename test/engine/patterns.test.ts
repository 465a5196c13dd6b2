/**
 * SPADE's modulation per distinct label pattern (engine/patterns.ts): the distinct-row finder,
 * and values and every weight gradient of a SPADE layer equal to the dense convs'.
 */
import * as assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { Rng } from '../../server/src/engine/init';
import { Store } from '../../server/src/engine/layers/core';
import { SegCache, Spade } from '../../server/src/engine/layers/spade';
import { lookupPath } from '../../server/src/engine/onehot';
import { uniqueRows } from '../../server/src/engine/patterns';
import { testBackend, testInit } from './helpers';

/** One-hot labels in blocks (and noise pixels) plus a binary edge channel, NHWC. */
function blockySeg(n: number, h: number, w: number, classes: number, seed: number): tf.Tensor4D {
    const rng = new Rng(seed);
    const ch = classes + 1;
    const v = new Float32Array(n * h * w * ch);
    for (let b = 0; b < n; b++) {
        const cells = Array.from({ length: 9 }, () => Math.floor(rng.uniform() * classes));
        for (let y = 0; y < h; y++) {
            for (let x = 0; x < w; x++) {
                const noisy = rng.uniform() < 0.05;
                const id = noisy
                    ? Math.floor(rng.uniform() * classes)
                    : cells[Math.floor((y * 3) / h) * 3 + Math.floor((x * 3) / w)];
                const o = ((b * h + y) * w + x) * ch;
                v[o + id] = 1;
                if (x % 5 === 0 || y % 7 === 0) v[o + classes] = 1;
            }
        }
    }
    return tf.tensor4d(v, [n, h, w, ch]);
}

describe('engine: SPADE modulation per label pattern', function () {
    this.timeout(60000);
    before(testBackend);

    it('finds distinct rows and maps every row to its own', function () {
        const rows = Int32Array.from([1, 2, 3, 1, 2, 3, 3, 2, 1, 0, 0, 0, 3, 2, 1]);
        const r = uniqueRows(rows, 3);
        assert.equal(r.count, 3);
        assert.deepEqual(Array.from(r.unique), [1, 2, 3, 3, 2, 1, 0, 0, 0]);
        assert.deepEqual(Array.from(r.inverse), [0, 0, 1, 2, 1]);
        // Many rows with colliding hash slots still resolve to equal rows only.
        const big = new Int32Array(20000 * 2);
        for (let i = 0; i < 20000; i++) big.set([i % 997, (i * 7) % 13], 2 * i);
        const u = uniqueRows(big, 2);
        for (let i = 0; i < 20000; i++) {
            const q = u.inverse[i];
            assert.deepEqual([u.unique[2 * q], u.unique[2 * q + 1]], [big[2 * i], big[2 * i + 1]]);
        }
        assert.equal(
            u.count,
            new Set(Array.from({ length: 20000 }, (_, i) => `${i % 997},${(i * 7) % 13}`)).size,
        );
    });

    const names = {
        ort: 'onnxruntime lookups',
        js: 'JS lookups',
        tf: 'tf.gather/scatterND as native backends run',
    };
    for (const [kernel, path] of [
        [3, 'ort'],
        [5, 'ort'],
        [3, 'js'],
        [3, 'tf'],
    ] as const) {
        it(`equals the dense convs in value and every weight gradient (kernel ${kernel}, ${names[path]})`, function () {
            lookupPath.force = path;
            try {
                const classes = 6;
                const seg = blockySeg(2, 24, 20, classes, 5);
                const x = tf.randomNormal<tf.Rank.R4>([2, 24, 20, 8], 0, 1, 'float32', 7);
                const r = tf.randomNormal([2, 24, 20, 8], 0, 1, 'float32', 9);
                const store = new Store(testInit(3));
                const spade = new Spade(store, 's', 8, classes + 1, {
                    paramFreeNorm: 'instance',
                    kernel,
                    hidden: 16,
                });
                const vars = [...store.params.values()];
                const run = (cache: () => SegCache) =>
                    tf.variableGrads(
                        () => tf.sum<tf.Scalar>(tf.mul(spade.forward(x, cache()), r)),
                        vars,
                    );
                const patterns = run(() => {
                    const c = new SegCache(seg, classes, 1);
                    assert.ok(c.patterns(24, 20, kernel), 'the pattern path is taken');
                    return c;
                });
                const dense = run(() => new SegCache(seg, undefined));
                const scale = Math.abs(dense.value.dataSync()[0]);
                assert.ok(
                    Math.abs(patterns.value.dataSync()[0] - dense.value.dataSync()[0]) <
                        1e-4 * scale + 1e-3,
                );
                for (const [name, g] of Object.entries(dense.grads)) {
                    const d = tf.max(tf.abs(tf.sub(patterns.grads[name], g))).dataSync()[0];
                    const m = tf.max(tf.abs(g)).dataSync()[0];
                    assert.ok(d <= 1e-4 * m + 1e-4, `${name}: max |diff| ${d} vs max |grad| ${m}`);
                }
                store.dispose();
            } finally {
                lookupPath.force = undefined;
            }
        });
    }

    it('falls back to the convs when the channels after the labels are not a 0/1 map', function () {
        const classes = 4;
        const seg = tf.concat(
            [
                tf.cast(tf.oneHot(tf.zeros([1, 8, 8], 'int32'), classes), 'float32'),
                tf.fill([1, 8, 8, 1], 0.5),
            ],
            3,
        );
        const c = new SegCache(seg as tf.Tensor4D, classes, 1);
        assert.equal(c.patterns(8, 8, 3), undefined);
    });

    it('falls back where patterns are not fewer than pixels (share limit)', function () {
        const classes = 6;
        const seg = blockySeg(1, 16, 16, classes, 2);
        assert.ok(new SegCache(seg, classes, 1).patterns(16, 16, 3));
        assert.equal(new SegCache(seg, classes, 0.01).patterns(16, 16, 3), undefined);
        assert.equal(new SegCache(seg, classes, 0).patterns(16, 16, 3), undefined);
    });
});
