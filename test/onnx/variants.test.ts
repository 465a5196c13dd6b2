/**
 * Generator variants without golden vectors ('most' upsampling, 5x5 SPADE kernels, instance
 * norm, non-square latents, no dontcare or instance channel): the one-hot exports must equal
 * the plain export, which computes every conv as the reference does. Plus export errors.
 */
import * as assert from 'node:assert/strict';
import * as ort from 'onnxruntime-node';
import type { ExportDataset, ExportGenerator } from '../../server/src/engine/onnx/export';
import { exportGenerator } from '../../server/src/engine/onnx/export';
import { buildSemantics } from '../../server/src/engine/onnx/preprocess';
import { randomGeneratorState, Rng } from '../../server/src/engine/onnx/random-state';
import { maxAbsDiff, runBytes } from './helpers';

/** Random rectangles of labels over a background; `labels` ids. */
function blocks(w: number, h: number, labels: number, seed: number): Int32Array {
    const rng = new Rng(seed);
    const ids = new Int32Array(w * h);
    for (let r = 0; r < 8; r++) {
        const v = Math.floor(rng.uniform() * labels);
        const [x0, y0] = [Math.floor(rng.uniform() * w), Math.floor(rng.uniform() * h)];
        const [x1, y1] = [
            x0 + 1 + Math.floor((rng.uniform() * w) / 2),
            y0 + 1 + Math.floor((rng.uniform() * h) / 2),
        ];
        for (let y = y0; y < Math.min(h, y1); y++) ids.fill(v, y * w + x0, y * w + Math.min(w, x1));
    }
    return ids;
}

interface Case {
    name: string;
    gen: Partial<ExportGenerator>;
    data: Partial<ExportDataset>;
}

const BASE_GEN: ExportGenerator = {
    arch: 'spade',
    ngf: 4,
    upsampling: 'normal',
    paramFreeNorm: 'batch',
    spadeKernel: 3,
    useVae: false,
    zDim: 16,
};
const BASE_DATA: ExportDataset = {
    labelNc: 12,
    containDontcare: true,
    useInstance: true,
    cropSize: 64,
    aspectRatio: 1,
};

const CASES: Case[] = [
    { name: "'most' upsampling at crop 128", gen: { upsampling: 'most' }, data: { cropSize: 128 } },
    {
        name: '5x5 SPADE kernels with instance norm',
        gen: { spadeKernel: 5, paramFreeNorm: 'instance' },
        data: {},
    },
    { name: 'aspect ratio 2 (a 32x64 output)', gen: {}, data: { aspectRatio: 2 } },
    {
        name: "a user-defined 'layers' body (blocks, a conv, upsamples)",
        gen: {
            arch: 'layers',
            layers: [
                { kind: 'spade_resblock', channels: 16 },
                { kind: 'upsample', channels: 0 },
                { kind: 'spade_resblock', channels: 8 },
                { kind: 'upsample', channels: 0 },
                { kind: 'conv', channels: 8 },
                { kind: 'upsample', channels: 0 },
                { kind: 'spade_resblock', channels: 4 },
            ],
        },
        data: { cropSize: 32 },
    },
    {
        name: 'no dontcare and no instance channel, VAE',
        gen: { useVae: true },
        data: { containDontcare: false, useInstance: false },
    },
];

describe('onnx: one-hot exports equal the plain export', function () {
    this.timeout(120000);

    for (const c of CASES) {
        it(c.name, async function () {
            const gen = { ...BASE_GEN, ...c.gen };
            const data = { ...BASE_DATA, ...c.data };
            const state = randomGeneratorState(gen, data, 5);
            const plain = exportGenerator(state, gen, data, { mode: 'plain' });
            const { height: H, width: W, semanticChannels: C } = plain.info;
            const ids = [blocks(W, H, data.labelNc, 1), blocks(W, H, data.labelNc, 2)];
            const sem = buildSemantics(
                ids.map((i) => ({ ids: i, width: W, height: H })),
                data,
                W,
                H,
            );
            const feeds: Record<string, ort.Tensor> = {
                semantics: new ort.Tensor('float32', sem, [2, C, H, W]),
            };
            if (gen.useVae)
                feeds.z = new ort.Tensor('float32', new Rng(9).normals(2 * 16, 1), [2, 16]);
            const expected = await runBytes(plain.bytes, feeds);
            assert.equal(expected.length, 2 * 3 * H * W);
            for (const lookup of ['taps', 'patterns'] as const) {
                const { bytes } = exportGenerator(state, gen, data, { mode: 'onehot', lookup });
                const diff = maxAbsDiff(await runBytes(bytes, feeds), expected);
                assert.ok(diff <= 1e-4, `${lookup}: max |diff| ${diff}`);
            }
        });
    }

    it('export errors name what is wrong and what to do', function () {
        const state = randomGeneratorState(BASE_GEN, BASE_DATA, 1);
        assert.throws(
            () => exportGenerator(state, { ...BASE_GEN, arch: 'layers', layers: [] }, BASE_DATA),
            /needs at least one block or conv layer/,
        );
        assert.throws(
            () => exportGenerator(state, { ...BASE_GEN, ngf: 8 }, BASE_DATA),
            /'fc.weight' has shape \[64,14,3,3\], the options need \[128,14,3,3\]/,
        );
        const sn = new Map(state);
        sn.set('conv_img.weight_orig', state.get('conv_img.weight')!);
        assert.throws(
            () => exportGenerator(sn, BASE_GEN, BASE_DATA),
            /fold them with foldSpectralState/,
        );
        const missing = new Map(state);
        missing.delete('up_1.norm_0.mlp_beta.weight');
        assert.throws(
            () => exportGenerator(missing, BASE_GEN, BASE_DATA),
            /no 'up_1.norm_0.mlp_beta.weight'/,
        );
    });
});
