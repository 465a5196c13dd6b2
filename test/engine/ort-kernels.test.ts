/**
 * The wasm backend's matrix kernels on onnxruntime (ort-kernels.ts): convolutions, both of
 * their gradients and matMuls checked against the cpu backend's stock kernels, for the
 * strides, paddings and kernel sizes the networks use, with and without row chunks, and
 * counted so that a test cannot pass on wasm's own kernels.
 */
import * as assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { useBackend } from '../../server/src/engine/backend';
import { createOrtEngine, type OrtEngine } from '../../server/src/engine/ort-engine';
import {
    installOrtKernels,
    ortKernelCalls,
    ortKernelEngine,
    ortKernelFailures,
    setOrtChunkFloats,
    uninstallOrtKernels,
} from '../../server/src/engine/ort-kernels';
import { Rng } from '../../server/src/engine/init';
import { testBackend } from './helpers';

type Pad =
    'valid' | 'same' | [[number, number], [number, number], [number, number], [number, number]];

function randn(n: number, seed: number): Float32Array {
    const r = new Rng(seed);
    return Float32Array.from({ length: n }, () => r.normal());
}

function size(s: number[]): number {
    return s.reduce((a, b) => a * b, 1);
}

/** y, dx, dW of sum(conv(x, w) * r) on the active backend, through tfjs's own autodiff. */
function convAll(
    xs: number[],
    ws: number[],
    stride: number,
    pad: Pad,
    bias: boolean,
): Float32Array[] {
    return tf
        .tidy(() => {
            const x = tf.tensor4d(randn(size(xs), 1), xs as [number, number, number, number]);
            const w = tf.tensor4d(randn(size(ws), 2), ws as [number, number, number, number]);
            const b = tf.tensor1d(randn(ws[3], 3));
            const f = (xx: tf.Tensor4D, ww: tf.Tensor4D) =>
                bias
                    ? tf.fused.conv2d({ x: xx, filter: ww, strides: stride, pad, bias: b })
                    : tf.conv2d(xx, ww, stride, pad);
            const y = f(x, w);
            const r = tf.tensor(randn(y.size, 4), y.shape);
            const [dx, dw] = tf.grads((a, c) =>
                tf.sum(tf.mul(f(a as tf.Tensor4D, c as tf.Tensor4D), r)),
            )([x, w]);
            return [y, dx, dw];
        })
        .map((t) => {
            const d = t.dataSync() as Float32Array;
            t.dispose();
            return d;
        });
}

function close(name: string, got: Float32Array, want: Float32Array): void {
    assert.equal(got.length, want.length, `${name}: length`);
    const scale = want.reduce((m, v) => Math.max(m, Math.abs(v)), 1);
    let worst = 0;
    for (let i = 0; i < got.length; i++) worst = Math.max(worst, Math.abs(got[i] - want[i]));
    assert.ok(worst <= 2e-5 * scale, `${name}: max |diff| ${worst} (scale ${scale})`);
}

describe('engine onnxruntime kernels', function () {
    this.timeout(60000);
    let gemm: OrtEngine;

    // The process's own engine (installed when the wasm backend started), put back afterwards:
    // the test files after this one run on it.
    let prior: OrtEngine | null = null;
    before(async () => {
        await testBackend();
        prior = ortKernelEngine();
        gemm = await createOrtEngine(2);
    });
    after(async () => {
        if (prior) installOrtKernels(prior);
        else uninstallOrtKernels();
        gemm.dispose();
        await testBackend();
    });

    // [x NHWC, w HWIO, stride, pad]: SPADE 3x3 same, D 4x4 stride 2 pad 2 (odd and even),
    // D 4x4 stride 1, 1x1 shortcut, 3-channel image input, asymmetric explicit padding, 5x5,
    // stride 1 widening (dx by scatter-add; narrowing ones by the flipped filter), even 'same'.
    const pads = (top: number, bottom: number, left: number, right: number): Pad => [
        [0, 0],
        [top, bottom],
        [left, right],
        [0, 0],
    ];
    const configs: [number[], number[], number, Pad][] = [
        [[2, 9, 7, 16], [3, 3, 16, 8], 1, 'same'],
        [[2, 33, 33, 8], [4, 4, 8, 16], 2, pads(2, 2, 2, 2)],
        [[1, 17, 16, 12], [4, 4, 12, 8], 2, pads(2, 2, 2, 2)],
        [[2, 10, 10, 32], [4, 4, 32, 24], 1, pads(2, 2, 2, 2)],
        [[3, 8, 8, 40], [1, 1, 40, 24], 1, 'valid'],
        [[1, 20, 18, 3], [3, 3, 3, 64], 2, pads(1, 0, 0, 2)],
        [[1, 12, 12, 24], [5, 5, 24, 16], 1, 'same'],
        [[1, 9, 9, 8], [3, 3, 8, 24], 1, 'same'],
        [[1, 10, 9, 8], [4, 4, 8, 6], 1, 'same'],
    ];

    for (const [xs, ws, stride, pad] of configs) {
        for (const bias of [false, true]) {
            const padText = JSON.stringify(pad);
            const label = `x [${xs}] w [${ws}] stride ${stride} pad ${padText}${bias ? ' + bias' : ''}`;
            it(`conv, dx, dW equal the cpu backend: ${label}`, async () => {
                await useBackend('cpu');
                const want = convAll(xs, ws, stride, pad, bias);
                await useBackend('wasm');
                installOrtKernels(gemm);
                for (const chunk of [1 << 22, 200]) {
                    const old = setOrtChunkFloats(chunk);
                    const before = ortKernelCalls();
                    const got = convAll(xs, ws, stride, pad, bias);
                    setOrtChunkFloats(old);
                    const after = ortKernelCalls();
                    const ran = (k: string) => (after[k] ?? 0) - (before[k] ?? 0);
                    // Once for y, once inside tf.grads.
                    assert.equal(ran(bias ? 'FusedConv2D' : 'Conv2D'), 2, 'forward on onnxruntime');
                    assert.equal(ran('Conv2DBackpropInput'), 1, 'dx on onnxruntime');
                    assert.equal(ran('Conv2DBackpropFilter'), 1, 'dW on onnxruntime');
                    close(`y (chunk ${chunk})`, got[0], want[0]);
                    close(`dx (chunk ${chunk})`, got[1], want[1]);
                    close(`dW (chunk ${chunk})`, got[2], want[2]);
                }
            });
        }
    }

    // [a shape, b shape, transposeA, transposeB]: plain, both flags, batched, broadcast batch.
    const products: [number[], number[], boolean, boolean][] = [
        [[64, 96], [96, 80], false, false],
        [[96, 64], [96, 80], true, false],
        [[64, 96], [80, 96], false, true],
        [[96, 64], [80, 96], true, true],
        [[3, 40, 50], [3, 50, 60], false, false],
        [[1, 40, 50], [4, 60, 50], false, true],
        [[4, 50, 40], [50, 60], true, false],
    ];
    /**
     * a x b on the cpu backend and on wasm with the kernels installed: compares the results
     * and returns the product's shape and how many BatchMatMul calls ran on onnxruntime.
     */
    async function productOnBoth(
        as: number[],
        bs: number[],
        ta = false,
        tb = false,
    ): Promise<{ shape: number[]; onOrt: number }> {
        const run = () =>
            tf.tidy(() => {
                const a = tf.tensor(randn(size(as), 5), as);
                const b = tf.tensor(randn(size(bs), 6), bs);
                return tf.matMul(a, b, ta, tb);
            });
        await useBackend('cpu');
        const want = run();
        await useBackend('wasm');
        installOrtKernels(gemm);
        const before = ortKernelCalls().BatchMatMul ?? 0;
        const got = run();
        const onOrt = (ortKernelCalls().BatchMatMul ?? 0) - before;
        assert.deepEqual(got.shape, want.shape);
        close('product', got.dataSync() as Float32Array, want.dataSync() as Float32Array);
        tf.dispose([got, want]);
        return { shape: got.shape, onOrt };
    }

    for (const [as, bs, ta, tb] of products) {
        it(`matMul equals the cpu backend: [${as}] x [${bs}] transposeA ${ta} transposeB ${tb}`, async () => {
            const { onOrt } = await productOnBoth(as, bs, ta, tb);
            assert.equal(onOrt, 1, 'ran on onnxruntime');
        });
    }

    it('small products stay on wasm and agree', async () => {
        await useBackend('wasm');
        installOrtKernels(gemm);
        const before = ortKernelCalls().BatchMatMul ?? 0;
        const y = tf.tidy(() => tf.matMul(tf.ones([4, 8]), tf.ones([8, 3])));
        assert.equal((ortKernelCalls().BatchMatMul ?? 0) - before, 0);
        assert.deepEqual(Array.from(y.dataSync()), new Array(12).fill(8));
        y.dispose();
    });

    it('clones share data by reference count: either can be disposed first', async () => {
        await useBackend('wasm');
        installOrtKernels(gemm);
        const start = tf.memory().numDataBuffers;
        const a = tf.tensor1d([1, 2, 3]);
        const b = tf.clone(a);
        assert.equal(tf.memory().numDataBuffers - start, 1, 'one buffer for both');
        a.dispose();
        assert.deepEqual(Array.from(b.dataSync()), [1, 2, 3]);
        b.dispose();
        assert.equal(tf.memory().numDataBuffers, start);
        // And gradients, which clone what they save, still come out right.
        const g = tf.grad((x: tf.Tensor) => tf.sum(tf.mul(x, x)))(tf.tensor1d([1, -2, 3]));
        assert.deepEqual(Array.from(g.dataSync()), [2, -4, 6]);
        g.dispose();
    });

    it("uninstalling restores wasm's own kernels", async () => {
        await useBackend('wasm');
        installOrtKernels(gemm);
        uninstallOrtKernels();
        const before = ortKernelCalls().Conv2D ?? 0;
        const y = tf.tidy(() =>
            tf.conv2d(
                tf.ones<tf.Rank.R4>([1, 16, 16, 32]),
                tf.ones<tf.Rank.R4>([3, 3, 32, 32]),
                1,
                'same',
            ),
        );
        assert.equal((ortKernelCalls().Conv2D ?? 0) - before, 0);
        assert.equal(y.dataSync()[17 * 32], 9 * 32, 'an inner pixel sums 3 x 3 x 32 ones');
        y.dispose();
        installOrtKernels(gemm);
    });

    // onnxruntime's ScatterND adds without atomics across threads: with many repeated indices
    // two threads lose updates. Sums of ones are exact in float32, so any lost update shows.
    it('adds every update when many land on the same row (table gradient)', () => {
        for (const [p, c, rows] of [
            [100000, 64, 1],
            [65536, 128, 16],
        ]) {
            const idx = Int32Array.from({ length: p }, (_, i) => i % rows);
            const dy = { data: new Float32Array(p * c).fill(1), rows: p, cols: c };
            const out = { data: new Float32Array(rows * c), rows, cols: c };
            for (let rep = 0; rep < 3; rep++) {
                gemm.scatterAdd(dy, idx, 1, out);
                const wrong = out.data.filter((v) => v !== p / rows).length;
                assert.equal(wrong, 0, `${wrong} of ${out.data.length} sums lost updates`);
            }
        }
    });

    it('adds every update of a large strided conv input gradient (scatter route)', async () => {
        await useBackend('wasm');
        installOrtKernels(gemm);
        const [n, h, cin, cout] = [4, 64, 32, 64];
        const pad = pads(2, 2, 2, 2);
        for (let rep = 0; rep < 3; rep++) {
            const before = ortKernelCalls().Conv2DBackpropInput ?? 0;
            const dx = tf.tidy(() => {
                const f = (x: tf.Tensor) =>
                    tf.sum(
                        tf.conv2d(x as tf.Tensor4D, tf.ones<tf.Rank.R4>([4, 4, cin, cout]), 2, pad),
                    );
                return tf.grad(f)(tf.zeros([n, h, h, cin]));
            });
            assert.equal((ortKernelCalls().Conv2DBackpropInput ?? 0) - before, 1);
            // With dy and W all ones, dx at a pixel is cout x the taps that read it.
            const oh = Math.floor((h + 4 - 4) / 2) + 1;
            const got = dx.dataSync();
            let wrong = 0;
            for (let y = 0; y < h; y++)
                for (let x = 0; x < h; x++) {
                    const taps = (v: number) => {
                        let k = 0;
                        for (let o = 0; o < oh; o++)
                            if (v + 2 - 2 * o >= 0 && v + 2 - 2 * o < 4) k++;
                        return k;
                    };
                    const want = taps(y) * taps(x) * cout;
                    for (let b = 0; b < n; b++)
                        for (let c = 0; c < cin; c++)
                            if (got[((b * h + y) * h + x) * cin + c] !== want) wrong++;
                }
            dx.dispose();
            assert.equal(wrong, 0, `${wrong} input-gradient values lost updates`);
        }
    });

    it('leaves broadcasts of batch shapes other than one matrix to wasm, and agrees', async () => {
        const { shape, onOrt } = await productOnBoth([2, 1, 40, 50], [1, 2, 50, 60]);
        assert.equal(onOrt, 0, 'wasm ran it');
        assert.deepEqual(shape, [2, 2, 40, 60]);
    });

    it('falls back to wasm when onnxruntime fails in a call, without leaking its output', async () => {
        await useBackend('wasm');
        const broken: OrtEngine = {
            ...gemm,
            gemm: () => {
                throw new Error('simulated onnxruntime failure');
            },
            conv: {
                ...gemm.conv,
                forward: () => {
                    throw new Error('simulated onnxruntime failure');
                },
                filterGrad: () => {
                    throw new Error('simulated onnxruntime failure');
                },
            },
        };
        installOrtKernels(broken);
        try {
            const x = tf.tensor4d(randn(2 * 9 * 9 * 16, 1), [2, 9, 9, 16]);
            const w = tf.tensor4d(randn(3 * 3 * 16 * 8, 2), [3, 3, 16, 8]);
            const buffers = tf.memory().numDataBuffers;
            const y = tf.conv2d(x, w, 1, 'same');
            assert.equal(tf.memory().numDataBuffers, buffers + 1, 'only the result is left');
            assert.match(ortKernelFailures().Conv2D ?? '', /simulated/);
            installOrtKernels(gemm);
            const ok = tf.conv2d(x, w, 1, 'same');
            close('fallback conv', y.dataSync() as Float32Array, ok.dataSync() as Float32Array);
            installOrtKernels(broken);
            // No wasm kernel for the filter gradient: the error says what to do.
            assert.throws(
                () =>
                    tf.grad((ww: tf.Tensor) => tf.sum(tf.conv2d(x, ww as tf.Tensor4D, 1, 'same')))(
                        w,
                    ),
                /Conv2DBackpropFilter on onnxruntime failed \(simulated .*\); set SPADE_ORT_KERNELS=0/,
            );
            tf.dispose([x, w, y, ok]);
        } finally {
            installOrtKernels(gemm);
        }
    });
});
