/**
 * The real COCO-Stuff samples load in every preprocessing mode, with the sizes each mode
 * promises, ids in range, images in [-1, 1] and 0/1 edges.
 */
import * as assert from 'node:assert/strict';
import * as path from 'node:path';
import type { PreprocessMode } from '../../server/src/engine/options';
import { indexDataset } from '../../server/src/data/dataset';
import { outputSize } from '../../server/src/data/preprocess';
import { makeRandom } from '../../server/src/data/rng';
import { loadSample } from '../../server/src/data/sample';
import { readLabelMap } from '../../server/src/data/label-file';
import { inspectLabelFile } from '../../server/src/data/label-inspect';
import { requireShared } from '../support/shared';
import { cocoOptions } from './fixtures';

const MODES: Array<[PreprocessMode, number, number, number]> = [
    ['resize_and_crop', 72, 64, 1],
    ['crop', 64, 64, 1],
    ['scale_width', 64, 64, 1],
    ['scale_width_and_crop', 80, 64, 1],
    ['scale_shortside', 64, 64, 1],
    ['scale_shortside_and_crop', 72, 64, 1],
    ['fixed', 64, 64, 2],
    ['none', 64, 64, 1],
];

describe('COCO-Stuff samples in every preprocessing mode', function () {
    this.timeout(120000);

    it('inspects a real label map: 8-bit grey ids with 255 present', async function () {
        const root = requireShared(this, 'data', 'coco_stuff');
        const r = await inspectLabelFile(path.join(root, 'val_label', '000000000139.png'));
        assert.equal(r.error, undefined);
        assert.deepEqual(
            [r.format.encoding, r.format.bitDepth, r.width, r.height],
            ['grey8', 8, 640, 426],
        );
        assert.equal(
            r.histogram.reduce((a, [, c]) => a + c, 0),
            640 * 426,
        );
        assert.equal(r.histogram[r.histogram.length - 1][0], 255);
        assert.ok(r.histogram.every(([v]) => v < 182 || v === 255));
    });

    for (const [mode, load, crop, aspect] of MODES) {
        it(`${mode} loads all 21 samples with the sizes the mode promises`, async function () {
            const root = requireShared(this, 'data', 'coco_stuff');
            let n = 0;
            for (const phase of ['train', 'test'] as const) {
                const o = cocoOptions(root, {
                    preprocess: mode,
                    loadSize: load,
                    cropSize: crop,
                    aspectRatio: aspect,
                    flip: true,
                    phase,
                });
                const idx = indexDataset(o);
                assert.deepEqual(idx.issues, []);
                for (const [i, e] of idx.entries.entries()) {
                    const rnd = makeRandom(i + 1);
                    const s = await loadSample(e, o, {
                        random: rnd,
                        train: phase === 'train',
                        semantics: false,
                    });
                    const raw = (await readLabelMap(e.label)).ids;
                    const [w, h] = outputSize(o, raw.width, raw.height);
                    assert.deepEqual([s.width, s.height], [w, h], e.label);
                    if (mode === 'scale_shortside') assert.equal(Math.min(w, h), load);
                    if (mode === 'none') assert.deepEqual([w % 32, h % 32], [0, 0]);
                    assert.equal(s.label.length, w * h);
                    assert.ok(
                        s.label.every((v) => v >= 0 && v <= 182),
                        e.label,
                    );
                    assert.ok(
                        s.image.every((v) => v >= -1 && v <= 1),
                        e.image,
                    );
                    assert.ok(s.edges?.every((v) => v === 0 || v === 1));
                    n++;
                }
            }
            assert.equal(n, 21);
        });
    }
});
