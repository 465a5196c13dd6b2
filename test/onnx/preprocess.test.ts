/**
 * The pieces in front of and behind the exported generator: nearest-resize index rules,
 * latent rounding, spectral-norm folding, edges, the one-hot input and tensor2im.
 */
import * as assert from 'node:assert/strict';
import sharp from 'sharp';
import { latentSize } from '../../server/src/engine/onnx/export';
import {
    pilNearestIndex,
    roundHalfEven,
    torchNearestIndex,
} from '../../server/src/engine/onnx/nearest';
import type { LabelMap } from '../../server/src/engine/onnx/preprocess';
import {
    buildSemantics,
    instanceEdges,
    labelChannelsOf,
    resizeLabelMap,
    toRgb,
} from '../../server/src/engine/onnx/preprocess';
import { foldSpectral, foldSpectralState } from '../../server/src/engine/onnx/spectral';
import type { SafeFile } from '../../server/src/engine/safetensors';
import { requireShared } from '../support/shared';
import { GOLDEN_DATA, golden, maxAbsDiff, tensor } from './helpers';

function ints(f: SafeFile, name: string): number[] {
    return Array.from(tensor(f, name).data);
}

function mapOf(f: SafeFile, name: string, n: number): LabelMap {
    const t = tensor(f, name);
    const [h, w] = t.shape.slice(-2);
    return {
        ids: Int32Array.from(t.data.subarray(n * h * w, (n + 1) * h * w)),
        width: w,
        height: h,
    };
}

describe('onnx: input preparation', function () {
    it('torchNearestIndex picks the rows and columns PyTorch picked (26->22, 30->22, 7->12, 4->10)', function () {
        for (const name of ['spade_norm_instance', 'spade_norm_batch']) {
            const f = golden(this, name);
            const seg = tensor(f, 'input/segmap').shape;
            const x = tensor(f, 'input/x').shape;
            assert.deepEqual(torchNearestIndex(seg[2], x[2]), ints(f, 'extra/nearest_index_h'));
            assert.deepEqual(torchNearestIndex(seg[3], x[3]), ints(f, 'extra/nearest_index_w'));
        }
    });

    it('pilNearestIndex uses pixel centres and the float32 rule differs from exact arithmetic', function () {
        assert.deepEqual(pilNearestIndex(4, 2), [1, 3]);
        assert.deepEqual(torchNearestIndex(4, 2), [0, 2]);
        assert.equal(torchNearestIndex(26, 22)[11], 12); // exact arithmetic would give 13
    });

    it('latent size rounds half to even like Python', function () {
        assert.equal(roundHalfEven(2.5), 2);
        assert.equal(roundHalfEven(3.5), 4);
        assert.equal(roundHalfEven(1.49), 1);
        assert.deepEqual(latentSize(256, 1, 'normal'), { sh: 8, sw: 8, ups: 5 });
        assert.deepEqual(latentSize(160, 2, 'normal'), { sh: 2, sw: 5, ups: 5 });
        assert.throws(() => latentSize(64, 1, 'most'), /at least 128/);
    });

    it('spectral_norm: folding weight_orig with the stored u, v gives the eval weight', function () {
        const f = golden(this, 'spectral_norm');
        const w = foldSpectral(
            tensor(f, 'state/weight_orig'),
            tensor(f, 'state/weight_u'),
            tensor(f, 'state/weight_v'),
        );
        assert.ok(maxAbsDiff(w.data, tensor(f, 'output/eval/weight').data) < 1e-6);
        const state = new Map([
            ['conv.weight_orig', tensor(f, 'state/weight_orig')],
            ['conv.weight_u', tensor(f, 'state/weight_u')],
            ['conv.weight_v', tensor(f, 'state/weight_v')],
            ['conv.bias', tensor(f, 'state/bias')],
        ]);
        assert.deepEqual([...foldSpectralState(state).keys()].sort(), ['conv.bias', 'conv.weight']);
        state.delete('conv.weight_v');
        assert.throws(() => foldSpectralState(state), /conv\.weight_v/);
    });

    it('edges: instanceEdges equals get_edges on real instance maps', function () {
        const f = golden(this, 'edges');
        for (const i of [0, 1]) {
            const inst = mapOf(f, `input/instance_${i}`, 0);
            assert.deepEqual(Array.from(instanceEdges(inst)), ints(f, `output/edge_${i}`));
        }
    });

    it('generator_small: buildSemantics from label and instance equals the stored input', function () {
        const f = golden(this, 'generator_small');
        const labels = [0, 1].map((n) => mapOf(f, 'input/label', n));
        const inst = [0, 1].map((n) => mapOf(f, 'input/instance', n));
        const sem = buildSemantics(labels, GOLDEN_DATA, 64, 64, inst);
        assert.equal(maxAbsDiff(sem, tensor(f, 'input/semantics').data), 0);
    });

    it('preprocessing: resizeLabelMap then crop equals the resize_and_crop labels', async function () {
        const f = golden(this, 'preprocessing');
        const expected = tensor(f, 'output/resize_and_crop/label').data;
        for (const [n, id] of ['000000000139', '000000001584'].entries()) {
            const file = requireShared(this, 'data', 'coco_stuff', 'val_label', `${id}.png`);
            const { data, info } = await sharp(file)
                .extractChannel(0)
                .raw()
                .toBuffer({ resolveWithObject: true });
            const resized = resizeLabelMap(
                { ids: new Uint8Array(data), width: info.width, height: info.height },
                72,
                72,
            );
            const crop = new Int32Array(64 * 64);
            for (let y = 0; y < 64; y++) {
                for (let x = 0; x < 64; x++) crop[y * 64 + x] = resized.ids[(y + 7) * 72 + x + 5];
            }
            const cls = labelChannelsOf({ ids: crop, width: 64, height: 64 }, GOLDEN_DATA);
            assert.deepEqual(
                Array.from(cls),
                Array.from(expected.subarray(n * 4096, (n + 1) * 4096)),
            );
        }
    });

    it('labelChannelsOf names the pixel and the allowed ids for an unknown id', function () {
        const ids = new Uint8Array([0, 1, 7, 2]);
        assert.throws(
            () =>
                labelChannelsOf(
                    { ids, width: 2, height: 2 },
                    { labelNc: 5, containDontcare: false, useInstance: false },
                ),
            /pixel \(0, 1\) has id 7; the model knows ids 0\.\.4\./,
        );
        const dc = labelChannelsOf(
            { ids: new Uint8Array([255, 5]), width: 2, height: 1 },
            { labelNc: 5, containDontcare: true, useInstance: false },
        );
        assert.deepEqual(Array.from(dc), [5, 5]);
    });

    it('toRgb follows tensor2im: (x + 1) / 2 * 255, clipped, truncated, interleaved', function () {
        // [1, 3, 1, 2]: R = (-1, 1), G = (0, 2), B = (-2, 0.5)
        const img = new Float32Array([-1, 1, 0, 2, -2, 0.5]);
        const { rgb, width, height } = toRgb(img, 0, 2, 1);
        assert.deepEqual([width, height], [2, 1]);
        assert.deepEqual(Array.from(rgb), [0, 127, 0, 255, 255, 191]);
    });
});
