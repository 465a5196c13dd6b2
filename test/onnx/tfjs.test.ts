/**
 * The ONNX export of a tfjs-engine generator computes what the tfjs generator computes: the
 * network's own variables (spectral norm in checkpoint form) go through `exportState`, the
 * exporter and onnxruntime, and the image must match tfjs's eval forward.
 */
import * as assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import * as ort from 'onnxruntime-node';
import { SpadeGenerator } from '../../server/src/engine/nets/generator';
import type { ExportDataset } from '../../server/src/engine/onnx/export';
import { exportGenerator } from '../../server/src/engine/onnx/export';
import { buildSemantics } from '../../server/src/engine/onnx/preprocess';
import { randomGeneratorState, Rng } from '../../server/src/engine/onnx/random-state';
import { foldSpectralState } from '../../server/src/engine/onnx/spectral';
import type { GeneratorOptions } from '../../server/src/engine/options';
import { exportState, loadState } from '../../server/src/engine/state-io';
import { testBackend, testInit } from '../engine/helpers';
import { maxAbsDiff, runBytes } from './helpers';

const DATA: ExportDataset = {
    labelNc: 6,
    containDontcare: true,
    useInstance: true,
    cropSize: 64,
    aspectRatio: 1,
};

function options(over: Partial<GeneratorOptions>): GeneratorOptions {
    return {
        arch: 'spade',
        ngf: 4,
        upsampling: 'normal',
        spectral: true,
        paramFreeNorm: 'syncbatch',
        spadeKernel: 3,
        spadeHidden: 32,
        useVae: false,
        zDim: 16,
        initType: 'xavier',
        initVariance: 0.02,
        ...over,
    };
}

const CASES: [string, Partial<GeneratorOptions>][] = [
    ['normal upsampling, spectral norm, batch norm', {}],
    ["'more' upsampling, instance norm", { upsampling: 'more', paramFreeNorm: 'instance' }],
    ['VAE', { useVae: true }],
];

describe('onnx: the export equals the tfjs generator', function () {
    this.timeout(120000);
    before(testBackend);

    for (const [name, over] of CASES) {
        it(name, async function () {
            const opts = options(over);
            const g = new SpadeGenerator(
                opts,
                { semanticNc: 8, cropSize: 64, aspectRatio: 1 },
                testInit(3),
            );
            try {
                // Reference-scale random weights (the engine's init is tiny, so outputs would sit
                // near 0 and any tolerance would pass); loadState places u, v for them.
                loadState(g.store, randomGeneratorState({ ...opts, spadeHidden: 32 }, DATA, 11));
                const rng = new Rng(4);
                const ids = Int32Array.from(
                    { length: 64 * 64 },
                    (_, i) => Math.floor((i % 64) / 16 + Math.floor(i / 1024)) % 6,
                );
                ids.fill(255, 0, 200);
                const sem = buildSemantics([{ ids, width: 64, height: 64 }], DATA, 64, 64);
                const z = rng.normals(16, 1);
                const expected = tf.tidy(() => {
                    const seg = tf.transpose<tf.Tensor4D>(
                        tf.tensor4d(sem, [1, 8, 64, 64]),
                        [0, 2, 3, 1],
                    );
                    const img = g.forward(seg, opts.useVae ? tf.tensor2d(z, [1, 16]) : undefined);
                    return tf.transpose(img, [0, 3, 1, 2]);
                });
                const want = Float32Array.from(expected.dataSync());
                expected.dispose();
                const spread = Math.max(...want) - Math.min(...want);
                assert.ok(spread > 0.5, `the image is nearly flat (spread ${spread})`);
                const feeds: Record<string, ort.Tensor> = {
                    semantics: new ort.Tensor('float32', sem, [1, 8, 64, 64]),
                };
                if (opts.useVae) feeds.z = new ort.Tensor('float32', z, [1, 16]);
                // Folded by the engine, and folded here from the checkpoint form: both match.
                for (const state of [
                    exportState(g.store, { fold: true }),
                    foldSpectralState(exportState(g.store)),
                ]) {
                    const { bytes } = exportGenerator(state, opts, DATA);
                    const diff = maxAbsDiff(await runBytes(bytes, feeds), want);
                    assert.ok(diff <= 1e-4, `max |diff| ${diff}`);
                }
            } finally {
                g.store.dispose();
            }
        });
    }
});
