/**
 * The exported generator run by onnxruntime-node against the PyTorch golden vectors, for each
 * export variant. Tolerance: the refdata README's atol 1e-4 for float32 CPU.
 */
import * as assert from 'node:assert/strict';
import * as ort from 'onnxruntime-node';
import type { ExportOptions } from '../../server/src/engine/onnx/export';
import { exportGenerator } from '../../server/src/engine/onnx/export';
import type { StateDict } from '../../server/src/engine/onnx/types';
import { stateFromSafe } from '../../server/src/engine/safetensors';
import {
    GOLDEN_DATA,
    GOLDEN_GEN,
    golden,
    maxAbsDiff,
    ortTensor,
    runBytes,
    tensor,
} from './helpers';

const ATOL = 1e-4;

const VARIANTS: [string, ExportOptions][] = [
    ['plain export', { mode: 'plain' }],
    ['one-hot export, taps lookup', { mode: 'onehot', lookup: 'taps' }],
    ['one-hot export, patterns lookup', { mode: 'onehot', lookup: 'patterns' }],
];

describe('onnx: generator parity with the PyTorch reference', function () {
    this.timeout(120000);

    for (const [label, options] of VARIANTS) {
        it(`generator_small (${label})`, async function () {
            const f = golden(this, 'generator_small');
            const { bytes } = exportGenerator(
                stateFromSafe(f, 'state/'),
                GOLDEN_GEN,
                GOLDEN_DATA,
                options,
            );
            const image = await runBytes(bytes, { semantics: ortTensor(f, 'input/semantics') });
            const diff = maxAbsDiff(image, tensor(f, 'output/image').data);
            assert.ok(diff <= ATOL, `max |diff| ${diff} > ${ATOL}`);
        });

        it(`generator_small_more (${label})`, async function () {
            const small = golden(this, 'generator_small');
            const more = golden(this, 'generator_small_more');
            const gen = { ...GOLDEN_GEN, upsampling: 'more' as const };
            const { bytes } = exportGenerator(
                stateFromSafe(small, 'state/'),
                gen,
                GOLDEN_DATA,
                options,
            );
            const image = await runBytes(bytes, { semantics: ortTensor(small, 'input/semantics') });
            const diff = maxAbsDiff(image, tensor(more, 'output/image').data);
            assert.ok(diff <= ATOL, `max |diff| ${diff} > ${ATOL}`);
        });

        it(`generator_vae (${label})`, async function () {
            const small = golden(this, 'generator_small');
            const vae = golden(this, 'generator_vae');
            const state: StateDict = stateFromSafe(small, 'state/');
            for (const [k, v] of stateFromSafe(vae, 'state/')) state.set(k, v);
            const gen = { ...GOLDEN_GEN, useVae: true };
            const { bytes, info } = exportGenerator(state, gen, GOLDEN_DATA, options);
            assert.equal(info.zDim, 256);
            const image = await runBytes(bytes, {
                semantics: ortTensor(small, 'input/semantics'),
                z: ortTensor(vae, 'input/z'),
            });
            const diff = maxAbsDiff(image, tensor(vae, 'output/image').data);
            assert.ok(diff <= ATOL, `max |diff| ${diff} > ${ATOL}`);
        });
    }

    it('generator_small: a changed label map leaves the tolerance (so the check can fail)', async function () {
        const f = golden(this, 'generator_small');
        const { bytes } = exportGenerator(stateFromSafe(f, 'state/'), GOLDEN_GEN, GOLDEN_DATA);
        const sem = tensor(f, 'input/semantics');
        // Move every pixel of image 0 to label 0: the result must leave the tolerance.
        const moved = new Float32Array(sem.data);
        const plane = 64 * 64;
        for (let c = 0; c < 183; c++) moved.fill(c === 0 ? 1 : 0, c * plane, (c + 1) * plane);
        const image = await runBytes(bytes, {
            semantics: new ort.Tensor('float32', moved, sem.shape),
        });
        assert.ok(maxAbsDiff(image, tensor(f, 'output/image').data) > ATOL);
    });
});
