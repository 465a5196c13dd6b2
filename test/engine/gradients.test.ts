/**
 * The gradients the engine supplies for wasm (which lacks Conv2DBackpropFilter): convolutions
 * checked against the cpu backend's stock Conv2D gradients, the discriminator's average pool
 * and the 2x upsampling against gradients computed by hand, the lookups against dense convs,
 * spectral norm against the stock matMul gradients.
 */
import * as assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { useBackend } from '../../server/src/engine/backend';
import {
    gatherSum,
    labelsFromOneHot,
    lookupPath,
    lookupTable,
    tapIndices,
} from '../../server/src/engine/onehot';
import { avgPool3s2, conv2d, oihwToHwio, upsample2x } from '../../server/src/engine/ops';
import {
    installOrtKernels,
    ortKernelEngine,
    uninstallOrtKernels,
} from '../../server/src/engine/ort-kernels';
import { Rng } from '../../server/src/engine/init';
import { spectralWeight } from '../../server/src/engine/layers/core';
import { torchVToHwio } from '../../server/src/engine/layers/layout';
import { MultiscaleDiscriminator } from '../../server/src/engine/nets/discriminator';
import { testBackend, testInit, tinyRun } from './helpers';

type Arrays = Float32Array[];

function maxAbs(a: Float32Array, b: Float32Array): number {
    assert.equal(a.length, b.length);
    let m = 0;
    for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
    return m;
}

function maxRel(a: Float32Array): number {
    return a.reduce((m, v) => Math.max(m, Math.abs(v)), 0);
}

/** y, dx, dW, db of sum(conv(x) * r) on the active backend. */
function convResults(stock: boolean, cfg: number[]): Arrays {
    const [n, h, w, cin, cout, k, stride, pad] = cfg;
    return tf
        .tidy(() => {
            const x = tf.randomNormal<tf.Rank.R4>([n, h, w, cin], 0, 1, 'float32', 11);
            const wt = tf.randomNormal<tf.Rank.R4>([k, k, cin, cout], 0, 1, 'float32', 12);
            const b = tf.randomNormal<tf.Rank.R1>([cout], 0, 1, 'float32', 13);
            const padArg: [[number, number], [number, number], [number, number], [number, number]] =
                [
                    [0, 0],
                    [pad, pad],
                    [pad, pad],
                    [0, 0],
                ];
            const f = (xx: tf.Tensor4D, ww: tf.Tensor4D, bb: tf.Tensor1D) =>
                stock
                    ? tf.add(tf.conv2d(xx, ww, stride, padArg), bb)
                    : conv2d(xx, ww, bb, { stride, pad });
            const y = f(x, wt, b);
            const r = tf.randomNormal(y.shape, 0, 1, 'float32', 14);
            const g = tf.grads((a, c, d) =>
                tf.sum(tf.mul(f(a as tf.Tensor4D, c as tf.Tensor4D, d as tf.Tensor1D), r)),
            );
            return [y, ...g([x, wt, b])];
        })
        .map((t) => {
            const d = t.dataSync() as Float32Array;
            t.dispose();
            return d;
        });
}

describe('engine gradients', function () {
    this.timeout(60000);
    after(testBackend);

    // [n, h, w, cin, cout, k, stride, pad]: SPADE 3x3, D 4x4 stride 2 pad 2 (odd and even
    // sizes, including one where the floor in the output size drops a row), 1x1 shortcut,
    // SPADE 5x5, encoder 3x3 stride 2.
    const configs = [
        [2, 9, 7, 3, 5, 3, 1, 1],
        [2, 32, 32, 5, 4, 4, 2, 2],
        [1, 17, 16, 4, 3, 4, 2, 2],
        [1, 6, 6, 4, 3, 4, 1, 2],
        [2, 6, 5, 6, 4, 1, 1, 0],
        [1, 8, 9, 3, 4, 5, 1, 2],
        [1, 10, 11, 3, 4, 3, 2, 1],
    ];
    // With onnxruntime's kernels (the default) and with wasm's own, where conv2d carries its
    // own gradient (SPADE_ORT_KERNELS=0, or onnxruntime not starting).
    for (const kernels of ['onnxruntime kernels', "wasm's own kernels"]) {
        for (const cfg of configs) {
            const title = `conv2d gradient on wasm (${kernels}) equals the cpu stock one (${cfg})`;
            it(title, async function () {
                await useBackend('cpu');
                const want = convResults(true, cfg);
                await useBackend('wasm');
                const gemm = ortKernelEngine();
                if (kernels === 'onnxruntime kernels')
                    assert.ok(gemm, 'onnxruntime kernels are on');
                else uninstallOrtKernels();
                try {
                    const got = convResults(false, cfg);
                    ['y', 'dx', 'dW', 'db'].forEach((name, i) => {
                        const tol = 2e-6 * Math.max(1, maxRel(want[i]));
                        const d = maxAbs(got[i], want[i]);
                        assert.ok(d <= tol, `${name}: max |diff| ${d} > ${tol}`);
                    });
                } finally {
                    if (gemm && !ortKernelEngine()) installOrtKernels(gemm);
                }
            });
        }
    }

    it('conv2d input gradient for trailing channels only (D input: labels, then image)', async function () {
        await testBackend();
        tf.tidy(() => {
            const x = tf.randomNormal<tf.Rank.R4>([2, 12, 12, 6], 0, 1, 'float32', 21);
            const w = tf.randomNormal<tf.Rank.R4>([4, 4, 6, 3], 0, 1, 'float32', 22);
            const r = tf.randomNormal([2, 7, 7, 3], 0, 1, 'float32', 23);
            const dx = (ig: boolean | number) =>
                tf.grad((a: tf.Tensor) =>
                    tf.sum(
                        tf.mul(
                            conv2d(a as tf.Tensor4D, w, null, { stride: 2, pad: 2, inputGrad: ig }),
                            r,
                        ),
                    ),
                )(x);
            const full = dx(true);
            const part = dx(4);
            const d = tf.max(
                tf.abs(
                    tf.sub(
                        tf.slice(full, [0, 0, 0, 4], [-1, -1, -1, 2]),
                        tf.slice(part, [0, 0, 0, 4], [-1, -1, -1, 2]),
                    ),
                ),
            );
            assert.ok(d.dataSync()[0] < 1e-5);
            assert.equal(
                tf.max(tf.abs(tf.slice(part, [0, 0, 0, 0], [-1, -1, -1, 4]))).dataSync()[0],
                0,
            );
        });
    });

    it('avg_pool2d(3, 2, 1, count_include_pad=False): values and gradient by hand', async function () {
        await testBackend();
        const [h, w] = [7, 6];
        const xv = Float32Array.from({ length: h * w }, (_, i) => Math.sin(i * 1.3));
        const oh = Math.floor((h - 1) / 2) + 1;
        const ow = Math.floor((w - 1) / 2) + 1;
        const rv = Float32Array.from({ length: oh * ow }, (_, i) => Math.cos(i * 0.7));
        const wantY = new Float32Array(oh * ow);
        const wantDx = new Float32Array(h * w);
        for (let i = 0; i < oh; i++) {
            for (let j = 0; j < ow; j++) {
                const cells: number[] = [];
                for (let a = 2 * i - 1; a <= 2 * i + 1; a++) {
                    for (let b = 2 * j - 1; b <= 2 * j + 1; b++)
                        if (a >= 0 && a < h && b >= 0 && b < w) cells.push(a * w + b);
                }
                wantY[i * ow + j] = cells.reduce((s, c) => s + xv[c], 0) / cells.length;
                for (const c of cells) wantDx[c] += rv[i * ow + j] / cells.length;
            }
        }
        const x = tf.tensor4d(xv, [1, h, w, 1]);
        const r = tf.tensor4d(rv, [1, oh, ow, 1]);
        const y = avgPool3s2(x);
        const dx = tf.grad((a: tf.Tensor) => tf.sum(tf.mul(avgPool3s2(a as tf.Tensor4D), r)))(x);
        assert.ok(maxAbs(y.dataSync() as Float32Array, wantY) < 1e-6, 'values');
        assert.ok(maxAbs(dx.dataSync() as Float32Array, wantDx) < 1e-6, 'gradient');
        tf.dispose([x, r, y, dx]);
    });

    it('2x nearest upsampling: values and gradient (2x2 block sums)', async function () {
        await testBackend();
        const x = tf.tensor4d([1, 2, 3, 4, 5, 6], [1, 2, 3, 1]);
        const y = upsample2x(x);
        assert.deepEqual(
            Array.from(y.dataSync()),
            [1, 1, 2, 2, 3, 3, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6, 4, 4, 5, 5, 6, 6],
        );
        const r = tf.range(0, 24).reshape([1, 4, 6, 1]);
        const dx = tf.grad((a: tf.Tensor) => tf.sum(tf.mul(upsample2x(a as tf.Tensor4D), r)))(x);
        // Block (0,0) holds r at 0,1,6,7, etc.
        assert.deepEqual(Array.from(dx.dataSync()), [14, 22, 30, 62, 70, 78]);
        tf.dispose([x, y, r, dx]);
    });
});

describe('engine one-hot lookup for mlp_shared', function () {
    before(testBackend);

    const names = { ort: 'onnxruntime Gather/ScatterND', js: 'JS', tf: 'tf.gather/scatterND' };
    for (const way of ['ort', 'js', 'tf'] as const) {
        it(`equals the dense conv and its weight gradient (${names[way]} path)`, function () {
            if (way === 'ort') assert.ok(ortKernelEngine(), 'onnxruntime kernels are on');
            const [n, h, w, classes, cout, k] = [2, 6, 5, 7, 4, 3];
            const ids = Int32Array.from(
                { length: n * h * w },
                (_, i) => (i * 7 + (i >> 3)) % classes,
            );
            // One pixel with no class set reads the zero row, as an all-zero one-hot column would.
            ids[4] = classes;
            const seg = tf.tidy(
                () =>
                    tf
                        .oneHot(tf.tensor3d(ids, [n, h, w], 'int32'), classes)
                        .toFloat() as tf.Tensor4D,
            );
            const wt = tf.randomNormal<tf.Rank.R4>([cout, classes, k, k], 0, 1, 'float32', 5);
            const r = tf.randomNormal([n, h, w, cout], 0, 1, 'float32', 6);
            const dense = (x: tf.Tensor) =>
                tf.sum(
                    tf.mul(
                        conv2d(seg, oihwToHwio(x as tf.Tensor4D), null, {
                            stride: 1,
                            pad: 1,
                            inputGrad: false,
                        }),
                        r,
                    ),
                );
            const idx = tapIndices(
                labelsFromOneHot(seg, classes).dataSync() as Int32Array,
                [n, h, w],
                classes,
                k,
            );
            const look = (x: tf.Tensor) =>
                tf.sum(
                    tf.mul(
                        tf.reshape(
                            gatherSum(lookupTable(oihwToHwio(x as tf.Tensor4D), classes), idx, way),
                            [n, h, w, cout],
                        ),
                        r,
                    ),
                );
            const [yd, yl] = [dense(wt).dataSync()[0], look(wt).dataSync()[0]];
            assert.ok(Math.abs(yd - yl) < 1e-4 * Math.max(1, Math.abs(yd)), `value ${yl} vs ${yd}`);
            const gd = tf.grad(dense)(wt).dataSync() as Float32Array;
            const gl = tf.grad(look)(wt).dataSync() as Float32Array;
            assert.ok(
                maxAbs(gd, gl) < 1e-4 * Math.max(1, maxRel(gd)),
                `dW differs by ${maxAbs(gd, gl)}`,
            );
            tf.dispose([seg, wt, r]);
        });
    }
});

describe('engine: discriminator lookup and spectral-norm gradients', function () {
    this.timeout(60000);
    before(testBackend);

    it("spectral norm's weight gradient equals the stock matMul formula's", function () {
        const rng = new Rng(4);
        const orig = tf.variable(tf.tensor4d(rng.fillNormal(6 * 5 * 3 * 3, 0, 1), [6, 5, 3, 3]));
        const u = tf.variable(tf.tensor1d(rng.fillNormal(6, 0, 1)), false);
        const v = tf.variable(tf.tensor1d(rng.fillNormal(45, 0, 1)), false);
        const r = tf.tensor4d(rng.fillNormal(6 * 5 * 3 * 3, 0, 1), [6, 5, 3, 3]);
        const stock = (w: tf.Tensor) => {
            const w2 = tf.reshape(w, [6, -1]);
            const sigma = tf.matMul(tf.reshape(u, [1, 6]), tf.matMul(w2, tf.reshape(v, [-1, 1])));
            return tf.sum(tf.mul(tf.div(w, tf.reshape(sigma, [])), r));
        };
        // The layers keep W as HWIO and v in (kh, kw, in) order.
        const vHwio = tf.tensor1d(
            torchVToHwio(v.dataSync() as Float32Array, { k: 3, cin: 5, cout: 6 }),
        );
        const ours = (w: tf.Tensor) => {
            const orig = oihwToHwio(w as tf.Tensor4D) as unknown as tf.Variable;
            const e = { orig, u, v: vHwio as unknown as tf.Variable };
            return tf.sum(tf.mul(spectralWeight(e), oihwToHwio(r)));
        };
        const a = tf.grad(stock)(orig).dataSync() as Float32Array;
        const b = tf.grad(ours)(orig).dataSync() as Float32Array;
        assert.ok(maxAbs(a, b) < 1e-5 * Math.max(1, maxRel(a)), `differs by ${maxAbs(a, b)}`);
        assert.ok(Math.abs(stock(orig).dataSync()[0] - ours(orig).dataSync()[0]) < 1e-4);
    });

    for (const path of ['ort', 'js', 'tf'] as const) {
        it(`D's first conv as a stride-2 lookup equals the dense D (features and gradients; ${path} lookups)`, function () {
            lookupPath.force = path;
            try {
                const classes = 5;
                const [n, h, w] = [2, 18, 14];
                const rng = new Rng(8);
                const ids = Int32Array.from({ length: n * h * w }, (_, i) =>
                    i % 11 === 0 ? classes : Math.floor(((i * 7) % 97) / 20),
                );
                // One-hot built in JS: wasm's OneHot with a float32 dtype writes integer bit patterns.
                const oh = new Float32Array(n * h * w * classes);
                ids.forEach((id, i) => {
                    if (id < classes) oh[i * classes + id] = 1;
                });
                const onehot = tf.tensor4d(oh, [n, h, w, classes]);
                const edge = tf.tensor4d(
                    Float32Array.from({ length: n * h * w }, (_, i) => (i % 5 ? 0 : 1)),
                    [n, h, w, 1],
                );
                const img = tf.variable(
                    tf.tensor4d(rng.fillNormal(n * h * w * 3, 0, 1), [n, h, w, 3]),
                );
                const opts = tinyRun().discriminator;
                const d = new MultiscaleDiscriminator(opts, classes + 4, testInit(5));
                d.store.training = false;
                const vars = [...d.store.params.values()];
                const loss = (lookup: boolean) => () => {
                    const dense = tf.concat([edge, img], 3);
                    const x = tf.concat([onehot, dense], 3);
                    const feats = d.forward(
                        x,
                        classes + 1,
                        lookup ? { ids, classes, dense } : undefined,
                    );
                    return tf.addN(
                        feats.flat().map((f, i) => tf.mul(tf.sum(f), i + 1)),
                    ) as tf.Scalar;
                };
                for (const [name, a, b] of [
                    [
                        'value and D weights',
                        tf.variableGrads(loss(false), vars),
                        tf.variableGrads(loss(true), vars),
                    ],
                    [
                        'image',
                        tf.variableGrads(loss(false), [img]),
                        tf.variableGrads(loss(true), [img]),
                    ],
                ] as const) {
                    const va = a.value.dataSync()[0];
                    assert.ok(
                        Math.abs(va - b.value.dataSync()[0]) < 1e-4 * Math.max(1, Math.abs(va)),
                        name,
                    );
                    for (const k of Object.keys(a.grads)) {
                        const ga = a.grads[k].dataSync() as Float32Array;
                        const gb = b.grads[k].dataSync() as Float32Array;
                        assert.ok(
                            maxAbs(ga, gb) < 1e-4 * Math.max(1, maxRel(ga)),
                            `${name} ${k}: ${maxAbs(ga, gb)}`,
                        );
                    }
                }
                d.store.dispose();
            } finally {
                lookupPath.force = undefined;
            }
        });
    }
});

describe('engine: input gradients for the leading samples only', function () {
    before(testBackend);

    it('gradRows gives the full gradient for the first rows and zeros for the rest', function () {
        const rng = new Rng(12);
        const x = tf.tensor4d(rng.fillNormal(3 * 9 * 7 * 4, 0, 1), [3, 9, 7, 4]);
        const w = tf.tensor4d(rng.fillNormal(4 * 4 * 4 * 5, 0, 1), [4, 4, 4, 5]);
        const r = tf.tensor4d(rng.fillNormal(3 * 5 * 4 * 5, 0, 1), [3, 5, 4, 5]);
        const f = (rows?: number) => (xx: tf.Tensor) =>
            tf.sum(
                tf.mul(
                    conv2d(xx as tf.Tensor4D, w, null, {
                        stride: 2,
                        pad: 2,
                        inputGrad: 1,
                        gradRows: rows,
                    }),
                    r,
                ),
            );
        const full = tf.grad(f())(x);
        const part = tf.grad(f(2))(x);
        const a = tf.slice(full, [0, 0, 0, 0], [2, -1, -1, -1]).dataSync() as Float32Array;
        const b = tf.slice(part, [0, 0, 0, 0], [2, -1, -1, -1]).dataSync() as Float32Array;
        assert.ok(maxAbs(a, b) < 1e-5, `first rows differ by ${maxAbs(a, b)}`);
        assert.ok(maxRel(a) > 0);
        const rest = tf.slice(part, [2, 0, 0, 0], [1, -1, -1, -1]).dataSync() as Float32Array;
        assert.equal(maxRel(rest), 0);
        const ch0 = tf.slice(part, [0, 0, 0, 0], [2, -1, -1, 1]).dataSync() as Float32Array;
        assert.equal(maxRel(ch0), 0, 'channels before inputGrad get zeros');
    });
});
