/**
 * Shared helpers of the engine tests: golden-vector loading, NCHW/NHWC conversion and
 * max-abs-difference checks against the README's tolerances.
 */
import * as assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { ortKernelsWanted, useBackend } from '../../server/src/engine/backend';
import { ortKernelEngine } from '../../server/src/engine/ort-kernels';
import { Rng } from '../../server/src/engine/init';
import type { InitSpec } from '../../server/src/engine/layers/core';
import type { RunOptions } from '../../server/src/engine/options';
import { readSafetensors, toFloat32, type SafeFile } from '../../server/src/engine/safetensors';
import type { TrainBatch } from '../../server/src/engine/trainer';
import { requireShared } from '../support/shared';

/**
 * The tests' backend: wasm, as CI has (SPADE_TEST_BACKEND=cpu to compare), with its matrix
 * kernels on onnxruntime (the default; SPADE_ORT_KERNELS=0 runs the tests on wasm's own).
 */
export async function testBackend(): Promise<void> {
    const cpu = process.env.SPADE_TEST_BACKEND === 'cpu';
    await useBackend(cpu ? 'cpu' : 'wasm');
    if (!cpu && ortKernelsWanted())
        assert.ok(ortKernelEngine(), "the wasm backend runs without onnxruntime's kernels");
}

const cache = new Map<string, SafeFile>();

/** A golden-vector file (skips the test when shared/ is absent). */
export function goldenCase(ctx: Mocha.Context, name: string): SafeFile {
    const p = requireShared(ctx, 'refdata', `${name}.safetensors`);
    let f = cache.get(p);
    if (!f) {
        f = readSafetensors(p);
        cache.set(p, f);
    }
    return f;
}

/** A stored tensor as a float32 tf tensor (NCHW as stored). */
export function stored(f: SafeFile, name: string): tf.Tensor {
    const t = f.tensors.get(name);
    if (!t) throw new Error(`golden tensor ${name} missing`);
    return tf.tensor(toFloat32(t), t.shape, 'float32');
}

/** A stored NCHW 4-D tensor as NHWC. */
export function storedNHWC(f: SafeFile, name: string): tf.Tensor4D {
    return tf.tidy(() => tf.transpose(stored(f, name), [0, 2, 3, 1]) as tf.Tensor4D);
}

/** Metadata JSON value. */
export function meta<T>(f: SafeFile, key: string): T {
    return JSON.parse(f.metadata[key]) as T;
}

/** Max |a - b| where `actual` may be NHWC (4-D) and expected is stored NCHW. */
export function maxDiff(actual: tf.Tensor, f: SafeFile, name: string): number {
    const exp = stored(f, name);
    const a = actual.rank === 4 && exp.rank === 4 ? tf.transpose(actual, [0, 3, 1, 2]) : actual;
    assert.deepEqual(a.shape, exp.shape, `${name}: shape`);
    const d = tf.max(tf.abs(tf.sub(a, exp)));
    const v = d.dataSync()[0];
    tf.dispose([exp, d]);
    if (a !== actual) a.dispose();
    return v;
}

/** The README's tolerance: 1e-4, or 1e-3 for extra/ values above 10. */
export function tolerance(f: SafeFile, name: string): number {
    if (!name.startsWith('extra/')) return 1e-4;
    const t = stored(f, name);
    const m = tf.max(tf.abs(t));
    const big = m.dataSync()[0] > 10;
    tf.dispose([t, m]);
    return big ? 1e-3 : 1e-4;
}

/** Asserts actual matches golden `name` within its tolerance. */
export function expectClose(actual: tf.Tensor, f: SafeFile, name: string): void {
    const d = maxDiff(actual, f, name);
    const tol = tolerance(f, name);
    assert.ok(d <= tol, `${name}: max |diff| ${d.toExponential(2)} > ${tol}`);
}

/** A fixed init for networks whose weights the test then overwrites. */
export function testInit(seed = 1): InitSpec {
    return { type: 'xavier', gain: 0.02, rng: new Rng(seed) };
}

/** A tiny run: crop 32, ngf 4, ndf 4, 3 classes + edge, batch 2, hidden width 16. */
export function tinyRun(over: Partial<RunOptions> = {}): RunOptions {
    const base: RunOptions = {
        name: 'tiny',
        outDir: '/nonexistent',
        dataset: {
            mode: 'custom',
            root: '/nonexistent',
            labelNc: 3,
            containDontcare: false,
            useInstance: true,
            preprocess: 'resize_and_crop',
            loadSize: 32,
            cropSize: 32,
            aspectRatio: 1,
            flip: false,
            onBadSample: 'skip',
        },
        generator: {
            arch: 'spade',
            ngf: 4,
            upsampling: 'normal',
            spectral: true,
            paramFreeNorm: 'syncbatch',
            spadeKernel: 3,
            spadeHidden: 16,
            useVae: false,
            zDim: 16,
            initType: 'xavier',
            initVariance: 0.02,
        },
        discriminator: {
            arch: 'multiscale',
            numD: 2,
            nLayers: 4,
            ndf: 4,
            spectral: true,
            norm: 'instance',
        },
        encoder: { spectral: true, norm: 'instance' },
        loss: { ganMode: 'hinge', lambdaFeat: 10, lambdaVgg: 0, lambdaKld: 0.05 },
        optim: {
            lr: 0.0002,
            beta1: 0.5,
            beta2: 0.999,
            ttur: true,
            niter: 1,
            niterDecay: 0,
            dStepsPerG: 1,
        },
        batchSize: 2,
        device: 'cpu',
        seed: 7,
        saveEverySteps: 0,
        keepCheckpoints: 1,
        sampleEverySteps: 0,
        referenceResume: false,
        outputNc: 3,
    };
    return { ...base, ...over };
}

/** A deterministic batch: blocky labels (one-hot), their edges, and an image made from them. */
export function tinyBatch(opts: RunOptions, size = 2, seed = 3): TrainBatch {
    const h = opts.dataset.cropSize;
    const w = Math.round(h / opts.dataset.aspectRatio);
    const classes = opts.dataset.labelNc + (opts.dataset.containDontcare ? 1 : 0);
    const channels = classes + (opts.dataset.useInstance ? 1 : 0);
    const rng = new Rng(seed);
    const sem = new Float32Array(size * channels * h * w);
    const img = new Float32Array(size * 3 * h * w);
    const colours = Array.from({ length: classes }, () =>
        [0, 1, 2].map(() => rng.uniform() * 2 - 1),
    );
    for (let n = 0; n < size; n++) {
        const cut = 4 + Math.floor(rng.uniform() * (w - 8));
        for (let y = 0; y < h; y++) {
            for (let x = 0; x < w; x++) {
                const c = (x < cut ? 0 : 1) + (y > h / 2 && classes > 2 ? 1 : 0);
                sem[((n * channels + c) * h + y) * w + x] = 1;
                if (opts.dataset.useInstance && (x === cut || x === cut - 1))
                    sem[((n * channels + classes) * h + y) * w + x] = 1;
                for (let k = 0; k < 3; k++)
                    img[((n * 3 + k) * h + y) * w + x] =
                        colours[c][k] * 0.8 + 0.1 * Math.sin(x + y);
            }
        }
    }
    return { size, height: h, width: w, channels, semantics: sem, image: img };
}
