/**
 * The inference session: input checks whose errors say what the model expects, foreign
 * models, and synthesis from a label map to RGB bytes.
 */
import * as assert from 'node:assert/strict';
import * as ort from 'onnxruntime-node';
import sharp from 'sharp';
import { exportGenerator } from '../../server/src/engine/onnx/export';
import { GraphBuilder } from '../../server/src/engine/onnx/graph';
import { toRgb } from '../../server/src/engine/onnx/preprocess';
import type { LabelMap } from '../../server/src/engine/onnx/preprocess';
import { GeneratorSession, readModelInfo } from '../../server/src/engine/onnx/session';
import { stateFromSafe } from '../../server/src/engine/safetensors';
import { requireShared } from '../support/shared';
import { GOLDEN_DATA, GOLDEN_GEN, golden, maxAbsDiff, tensor } from './helpers';

async function goldenSession(ctx: Mocha.Context, vae = false): Promise<GeneratorSession> {
    const f = golden(ctx, 'generator_small');
    const state = stateFromSafe(f, 'state/');
    if (vae)
        for (const [k, v] of stateFromSafe(golden(ctx, 'generator_vae'), 'state/')) state.set(k, v);
    const { bytes } = exportGenerator(state, { ...GOLDEN_GEN, useVae: vae }, GOLDEN_DATA);
    return GeneratorSession.load(bytes, { threads: 1 });
}

function mapOf(data: Float32Array, n: number, size: number): LabelMap {
    const plane = size * size;
    return {
        ids: Int32Array.from(data.subarray(n * plane, (n + 1) * plane)),
        width: size,
        height: size,
    };
}

describe('onnx: generator session', function () {
    this.timeout(60000);

    it('synthesize from label and instance maps gives the reference image as RGB bytes', async function () {
        const f = golden(this, 'generator_small');
        const s = await goldenSession(this);
        try {
            const label = tensor(f, 'input/label').data;
            const inst = tensor(f, 'input/instance').data;
            const images = await s.synthesize(
                [0, 1].map((n) => ({ labels: mapOf(label, n, 64), instance: mapOf(inst, n, 64) })),
            );
            const ref = tensor(f, 'output/image').data;
            for (const n of [0, 1]) {
                assert.deepEqual([images[n].width, images[n].height], [64, 64]);
                // One byte of slack: float32 differences may cross a truncation boundary.
                assert.ok(maxAbsDiff(images[n].rgb, toRgb(ref, n, 64, 64).rgb) <= 1);
            }
        } finally {
            await s.release();
        }
    });

    it('synthesize resizes a full-size COCO-Stuff mask to the model size', async function () {
        const file = requireShared(this, 'data', 'coco_stuff', 'val_label', '000000000785.png');
        const { data, info } = await sharp(file)
            .extractChannel(0)
            .raw()
            .toBuffer({ resolveWithObject: true });
        const s = await goldenSession(this);
        try {
            const labels = { ids: new Uint8Array(data), width: info.width, height: info.height };
            const [img] = await s.synthesize([{ labels }]);
            assert.deepEqual([img.width, img.height, img.rgb.length], [64, 64, 64 * 64 * 3]);
            assert.ok(new Set(img.rgb).size > 10, 'the image is not flat');
        } finally {
            await s.release();
        }
    });

    it('a VAE model takes z from the seed, and different seeds give different images', async function () {
        const s = await goldenSession(this, true);
        try {
            const labels = { ids: new Uint8Array(64 * 64).fill(3), width: 64, height: 64 };
            const [a, b, c] = await s.synthesize([
                { labels, seed: 1 },
                { labels, seed: 1 },
                { labels, seed: 2 },
            ]);
            assert.deepEqual(a.rgb, b.rgb);
            assert.notDeepEqual(a.rgb, c.rgb);
            await assert.rejects(
                s.synthesizeOne({ labels, spec: { labelNc: 150 } }),
                /the mask's dataset has 150 classes \+ dontcare \+ instance edges but the model was trained with 182 classes/,
            );
            await assert.rejects(
                s.synthesize([{ labels, z: new Float32Array(3) }]),
                /z has 3 values; this model needs 256/,
            );
        } finally {
            await s.release();
        }
    });

    it('a wrong input name, shape, layout or missing z says what the model expects', async function () {
        const s = await goldenSession(this, true);
        try {
            const sem = new ort.Tensor(
                'float32',
                new Float32Array(184 * 64 * 64),
                [1, 184, 64, 64],
            );
            const z = new ort.Tensor('float32', new Float32Array(256), [1, 256]);
            const expects =
                /the model expects 'semantics' float32 \[N, 184, 64, 64\] \(NCHW: one-hot labels, then the instance edge channel\) and 'z' float32 \[N, 256\]/;
            await assert.rejects(s.run({ labels: sem, z }), /unknown input 'labels'/);
            await assert.rejects(s.run({ semantics: sem }), /missing input 'z'/);
            const nhwc = new ort.Tensor(
                'float32',
                new Float32Array(184 * 64 * 64),
                [1, 64, 64, 184],
            );
            await assert.rejects(s.run({ semantics: nhwc, z }), /looks like NHWC/);
            const small = new ort.Tensor(
                'float32',
                new Float32Array(184 * 32 * 32),
                [1, 184, 32, 32],
            );
            await assert.rejects(s.run({ semantics: small, z }), expects);
            assert.equal((await s.run({ semantics: sem, z })).length, 3 * 64 * 64);
        } finally {
            await s.release();
        }
    });

    it('an ONNX file not exported here, or not ONNX at all, is named as such', function () {
        const g = new GraphBuilder();
        const x = g.fresh('x');
        g.rename(g.op('Relu', [x]), 'y');
        const foreign = g.encode(
            [{ name: x, type: 'float32', dims: [1] }],
            [{ name: 'y', type: 'float32', dims: [1] }],
            {},
            '',
        );
        assert.throws(
            () => readModelInfo(foreign, 'm.onnx'),
            /m\.onnx: this ONNX file was not exported by SPADE Studio/,
        );
        assert.throws(
            () => readModelInfo(new Uint8Array([1, 2, 3]), 'x.onnx'),
            /x\.onnx: not an ONNX model/,
        );
    });

    it('GeneratorSession.load names a missing file', async function () {
        await assert.rejects(
            GeneratorSession.load('/nonexistent/model.onnx'),
            /\/nonexistent\/model\.onnx: cannot read the model/,
        );
    });
});
