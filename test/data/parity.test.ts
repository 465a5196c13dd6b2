/**
 * Bit-exact parity with the reference's data pipeline (golden vectors from PIL + torchvision):
 * preprocessing in three modes, instance edges, and the full one-hot + edge input.
 */
import * as assert from 'node:assert/strict';
import * as path from 'node:path';
import { readLabelMap } from '../../server/src/data/label-file';
import { transformImage } from '../../server/src/data/preprocess';
import type { PreprocessMode } from '../../server/src/engine/options';
import { loadSample, readImage } from '../../server/src/data/sample';
import { instanceEdges } from '../../server/src/data/semantics';
import { requireShared } from '../support/shared';
import { cocoOptions } from './fixtures';
import { readSafetensors } from './safetensors';

const SAMPLES = ['000000000139', '000000001584'];

interface ModeCase {
    mode: PreprocessMode;
    load: number;
    crop: number;
    aspect: number;
}

const CASES: ModeCase[] = [
    { mode: 'resize_and_crop', load: 72, crop: 64, aspect: 1 },
    { mode: 'scale_width_and_crop', load: 80, crop: 64, aspect: 1 },
    { mode: 'fixed', load: 286, crop: 64, aspect: 1.5 },
];

function firstDiff(a: ArrayLike<number>, b: ArrayLike<number>): string {
    if (a.length !== b.length) return `length ${a.length} vs ${b.length}`;
    for (let i = 0; i < a.length; i++) {
        if (!Object.is(a[i], b[i])) return `index ${i}: got ${a[i]}, expected ${b[i]}`;
    }
    return '';
}

describe('data parity with the reference pipeline', function () {
    for (const c of CASES) {
        it(`${c.mode} matches label, instance, image and uint8 image exactly`, async function () {
            const file = requireShared(this, 'refdata', 'preprocessing.safetensors');
            const root = requireShared(this, 'data', 'coco_stuff');
            const t = readSafetensors(file);
            const get = (n: string) => {
                const v = t.get(n);
                if (!v) throw new Error(`${file} has no tensor ${n}`);
                return v;
            };
            const label = get(`output/${c.mode}/label`);
            const inst = get(`output/${c.mode}/instance`);
            const image = get(`output/${c.mode}/image`);
            const u8 = get(`extra/${c.mode}/image_u8`);
            const xy = get(`output/${c.mode}/crop_xy`).data;
            const [, , h, w] = label.shape;
            const opts = cocoOptions(root, {
                preprocess: c.mode,
                loadSize: c.load,
                cropSize: c.crop,
                aspectRatio: c.aspect,
            });
            for (let s = 0; s < SAMPLES.length; s++) {
                const id = SAMPLES[s];
                const params = { cropX: xy[s * 2], cropY: xy[s * 2 + 1], flip: false };
                const entry = {
                    key: id,
                    label: path.join(root, 'val_label', `${id}.png`),
                    image: path.join(root, 'val_img', `${id}.jpg`),
                    instance: path.join(root, 'val_inst', `${id}.png`),
                };
                const got = await loadSample(entry, opts, {
                    random: () => 0,
                    train: false,
                    params,
                    semantics: false,
                });
                assert.deepEqual([got.height, got.width], [h, w]);
                const plane = h * w;
                const at = (d: ArrayLike<number>, k: number, n: number) =>
                    Array.from({ length: n }, (_, i) => d[k * n + i]);
                const why = `sample ${id}`;
                assert.equal(firstDiff(Array.from(got.label), at(label.data, s, plane)), '', why);
                assert.equal(
                    firstDiff(Array.from(got.instance ?? []), at(inst.data, s, plane)),
                    '',
                    why,
                );
                assert.equal(
                    firstDiff(Array.from(got.image), at(image.data, s, 3 * plane)),
                    '',
                    why,
                );
                const raw = transformImage(await readImage(entry.image), opts, params);
                const chw = new Array<number>(3 * plane);
                for (let i = 0; i < plane; i++) {
                    for (let k = 0; k < 3; k++) chw[k * plane + i] = raw.data[i * 3 + k];
                }
                assert.equal(firstDiff(chw, at(u8.data, s, 3 * plane)), '', why);
            }
        });
    }

    it('instance edges match get_edges on real instance maps at native size', async function () {
        const file = requireShared(this, 'refdata', 'edges.safetensors');
        const root = requireShared(this, 'data', 'coco_stuff');
        const t = readSafetensors(file);
        const ids = ['000000000139', '000000001503'];
        for (let k = 0; k < 2; k++) {
            const input = t.get(`input/instance_${k}`);
            const edge = t.get(`output/edge_${k}`);
            assert.ok(input && edge, `${file} lacks case ${k}`);
            const map = await readLabelMap(path.join(root, 'val_inst', `${ids[k]}.png`));
            assert.deepEqual([map.ids.height, map.ids.width], input.shape.slice(2));
            assert.equal(firstDiff(Array.from(map.ids.data), Array.from(input.data)), '');
            const e = instanceEdges(map.ids);
            assert.equal(firstDiff(Array.from(e), Array.from(edge.data)), '', `edges of ${ids[k]}`);
        }
    });

    it('the one-hot + edge input matches generator_small at 64x64', async function () {
        const file = requireShared(this, 'refdata', 'generator_small.safetensors');
        const root = requireShared(this, 'data', 'coco_stuff');
        const t = readSafetensors(file);
        const sem = t.get('input/semantics');
        assert.ok(sem, `${file} has no input/semantics`);
        const opts = cocoOptions(root, { loadSize: 64, cropSize: 64 });
        const plane = 64 * 64;
        const ids = ['000000000139', '000000000785'];
        for (let s = 0; s < 2; s++) {
            const entry = {
                key: ids[s],
                label: path.join(root, 'val_label', `${ids[s]}.png`),
                image: path.join(root, 'val_img', `${ids[s]}.jpg`),
                instance: path.join(root, 'val_inst', `${ids[s]}.png`),
            };
            const got = await loadSample(entry, opts, { random: Math.random, train: false });
            const n = 184 * plane;
            const want: number[] = Array.from(sem.data.subarray(s * n, (s + 1) * n));
            assert.equal(firstDiff(Array.from(got.semantics ?? []), want), '', `sample ${ids[s]}`);
        }
    });
});
