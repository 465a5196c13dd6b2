/**
 * The batch loader: deterministic for a seed whatever the concurrency, resumable at any step,
 * flips as a mirror, builds one-hot + edge semantics, and reports progress.
 */
import * as assert from 'node:assert/strict';
import type { DatasetOptions } from '../../server/src/engine/options';
import { DataLoader } from '../../server/src/data/loader';
import type { Batch, LoaderProgress } from '../../server/src/data/loader';
import { loadSample } from '../../server/src/data/sample';
import { requireShared } from '../support/shared';
import { cocoOptions } from './fixtures';

function options(root: string): DatasetOptions {
    return cocoOptions(root, { loadSize: 40, cropSize: 32, flip: true, phase: 'train' });
}

function same(a: Batch, b: Batch): void {
    assert.deepEqual(a.samples, b.samples);
    assert.ok(Buffer.from(a.semantics.buffer).equals(Buffer.from(b.semantics.buffer)));
    assert.ok(Buffer.from(a.image.buffer).equals(Buffer.from(b.image.buffer)));
}

describe('batch loader', function () {
    this.timeout(60000);

    it('gives the same batches for a seed whatever the concurrency, and others for another seed', async function () {
        const root = requireShared(this, 'data', 'coco_stuff');
        const a = DataLoader.open(options(root), {
            seed: 7,
            batchSize: 4,
            train: true,
            concurrency: 1,
        });
        const b = DataLoader.open(options(root), {
            seed: 7,
            batchSize: 4,
            train: true,
            concurrency: 4,
            prefetch: 3,
        });
        const c = DataLoader.open(options(root), { seed: 8, batchSize: 4, train: true });
        assert.equal(a.stepsPerEpoch, 3);
        const got: Batch[] = [];
        for await (const x of b.batches({ epoch: 1, step: 0 }, 2)) got.push(x);
        assert.equal(got.length, 6);
        for (const x of got) same(await a.loadBatch(x.epoch, x.step), x);
        assert.notDeepEqual(Array.from(a.order(1)), Array.from(a.order(2)));
        assert.notDeepEqual(Array.from(a.order(1)), Array.from(c.order(1)));
        const flips = got.flatMap((x) => x.samples.map((s) => s.params.flip));
        assert.ok(flips.includes(true) && flips.includes(false), 'flips should vary');
    });

    it('resumes at any step with the batch an uninterrupted run would get', async function () {
        const root = requireShared(this, 'data', 'coco_stuff');
        const dl = DataLoader.open(options(root), { seed: 1, batchSize: 2, train: true });
        const it = dl.batches({ epoch: 3, step: 4 });
        const first = await it.next();
        await it.return(undefined);
        assert.ok(!first.done);
        same(first.value, await dl.loadBatch(3, 4));
    });

    it('flips image, label and edges as a mirror of the unflipped sample', async function () {
        const root = requireShared(this, 'data', 'coco_stuff');
        const o = options(root);
        const dl = DataLoader.open(o, { seed: 1, batchSize: 1, train: true });
        const e = dl.index.entries[0];
        const p = { cropX: 3, cropY: 5, flip: false };
        const plain = await loadSample(e, o, { random: Math.random, train: true, params: p });
        const flipped = await loadSample(e, o, {
            random: Math.random,
            train: true,
            params: { ...p, flip: true },
        });
        const w = plain.width;
        const mirror = (d: ArrayLike<number>, planes: number) =>
            Array.from(d, (_, i) => {
                const x = i % w;
                return d[i - x + (w - 1 - x)];
            }).slice(0, planes * w * plain.height); // prettier-ignore
        assert.deepEqual(Array.from(flipped.label), mirror(plain.label, 1));
        assert.deepEqual(Array.from(flipped.image), mirror(plain.image, 3));
        assert.deepEqual(Array.from(flipped.edges ?? []), mirror(plain.edges ?? [], 1));
    });

    it('builds one-hot semantics with the dontcare and edge channels, and reports progress', async function () {
        const root = requireShared(this, 'data', 'coco_stuff');
        const seen: LoaderProgress[] = [];
        const o = options(root);
        const dl = DataLoader.open(o, {
            seed: 2,
            batchSize: 2,
            train: false,
            onProgress: (p) => seen.push(p),
        });
        let steps = 0;
        for await (const b of dl.batches()) {
            steps++;
            assert.equal(b.channels, 184);
            const plane = b.width * b.height;
            for (let s = 0; s < b.size; s++) {
                for (let i = 0; i < plane; i++) {
                    const label = b.label[s * plane + i];
                    let ones = 0;
                    for (let c = 0; c < 183; c++) ones += b.semantics[(s * 184 + c) * plane + i];
                    assert.equal(ones, 1);
                    assert.equal(b.semantics[(s * 184 + label) * plane + i], 1);
                    const edge = b.semantics[(s * 184 + 183) * plane + i];
                    assert.ok(edge === 0 || edge === 1);
                }
            }
        }
        assert.equal(steps, 7);
        assert.equal(seen.length, 7);
        assert.equal(seen[6].samplesLoaded, 13);
    });
});
