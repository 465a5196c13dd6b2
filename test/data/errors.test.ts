/**
 * Bad input never crashes: ids beyond the class count, 255 without dontcare, truncated and
 * unreadable files, size mismatches; and the config decides whether a bad sample is skipped.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import sharp from 'sharp';
import { DataError } from '../../server/src/data/issues';
import type { DataIssue } from '../../server/src/data/issues';
import { readLabelMap } from '../../server/src/data/label-file';
import { DataLoader } from '../../server/src/data/loader';
import { readImage } from '../../server/src/data/sample';
import { encodePng } from '../../server/src/data/png';
import { cocoOptions, pattern, tempDir, writeGrey, writePhoto } from './fixtures';

async function codeOf(p: Promise<unknown>): Promise<DataError> {
    try {
        await p;
    } catch (e) {
        if (e instanceof DataError) return e;
        assert.fail(`expected a DataError, got ${String(e)}`);
    }
    assert.fail('expected a DataError, got success');
}

describe('data errors', function () {
    let tmp: ReturnType<typeof tempDir>;
    before(() => (tmp = tempDir('errors')));
    after(() => tmp.remove());

    async function dataset(name: string, labels: Record<string, number[]>) {
        const root = path.join(tmp.dir, name);
        for (const [n, px] of Object.entries(labels)) {
            await writeGrey(path.join(root, 'val_label', `${n}.png`), 4, 3, px);
            await writePhoto(path.join(root, 'val_img', `${n}.jpg`), 4, 3);
        }
        return root;
    }
    const small = {
        preprocess: 'resize_and_crop' as const,
        loadSize: 4,
        cropSize: 4,
        useInstance: false,
    };

    it('names the file, value, pixel count and first position of an id beyond the classes', async function () {
        const px = pattern(4, 3, [1, 2]);
        px[5] = 200;
        px[9] = 200;
        const root = await dataset('range', { r: px });
        const dl = DataLoader.open(cocoOptions(root, small), {
            seed: 0,
            batchSize: 1,
            train: false,
        });
        const e = await codeOf(dl.sampleAt(1, 0));
        assert.equal(e.issue.code, 'id-out-of-range');
        assert.match(e.message, /r\.png/);
        assert.match(e.message, /id 200 in 2 pixel\(s\), first at \(1, 1\)/);
        assert.match(e.message, /182 classes/);
    });

    it('asks for dontcare when a map holds 255 and dontcare is off', async function () {
        const root = await dataset('dc', { d: pattern(4, 3, [3, 255]) });
        const o = cocoOptions(root, { ...small, containDontcare: false });
        const dl = DataLoader.open(o, { seed: 0, batchSize: 1, train: false });
        assert.equal((await codeOf(dl.sampleAt(1, 0))).issue.code, 'dontcare-not-enabled');
    });

    it('names truncated and unreadable files', async function () {
        const good = path.join(tmp.dir, 'good.png');
        await writeGrey(good, 64, 64, pattern(64, 64, [1, 2, 3, 4, 5]));
        const bytes = fs.readFileSync(good);
        const cut = path.join(tmp.dir, 'cut.png');
        fs.writeFileSync(cut, bytes.subarray(0, Math.floor(bytes.length / 2)));
        const e1 = await codeOf(readLabelMap(cut));
        assert.equal(e1.issue.code, 'truncated', e1.message);
        assert.match(e1.message, /cut\.png/);
        const pal = encodePng({
            width: 2,
            height: 1,
            kind: 'palette',
            samples: [0, 1],
            palette: Uint8Array.from([0, 0, 0, 9, 9, 9]),
        });
        const palCut = path.join(tmp.dir, 'palcut.png');
        fs.writeFileSync(palCut, pal.subarray(0, pal.length - 20));
        const e2 = await codeOf(readLabelMap(palCut));
        assert.match(e2.message, /palcut\.png/);
        const jpg = path.join(tmp.dir, 'photo.jpg');
        await writePhoto(jpg, 64, 64);
        const jb = fs.readFileSync(jpg);
        fs.writeFileSync(jpg, jb.subarray(0, Math.floor(jb.length / 2)));
        const e3 = await codeOf(readImage(jpg));
        assert.match(e3.message, /photo\.jpg/);
        fs.writeFileSync(path.join(tmp.dir, 'text.png'), 'not an image');
        const e4 = await codeOf(readLabelMap(path.join(tmp.dir, 'text.png')));
        assert.equal(e4.issue.code, 'not-an-image');
        const e5 = await codeOf(readLabelMap(path.join(tmp.dir, 'absent.png')));
        assert.equal(e5.issue.code, 'unreadable');
        assert.match(e5.message, /absent\.png: the file does not exist/);
    });

    it('reports a label and image of different sizes', async function () {
        const root = path.join(tmp.dir, 'size');
        await writeGrey(path.join(root, 'val_label', 's.png'), 4, 3, pattern(4, 3, [1]));
        await writePhoto(path.join(root, 'val_img', 's.jpg'), 3, 4);
        const dl = DataLoader.open(cocoOptions(root, small), {
            seed: 0,
            batchSize: 1,
            train: false,
        });
        const e = await codeOf(dl.sampleAt(1, 0));
        assert.equal(e.issue.code, 'size-mismatch');
        assert.match(e.message, /4x3.*3x4/);
    });

    it('compares sizes after turning an EXIF-rotated photo upright', async function () {
        const root = path.join(tmp.dir, 'exif');
        await writeGrey(path.join(root, 'val_label', 'r.png'), 4, 3, pattern(4, 3, [1]));
        const px = new Uint8Array(3 * 4 * 3).fill(90);
        fs.mkdirSync(path.join(root, 'val_img'), { recursive: true });
        await sharp(px, { raw: { width: 3, height: 4, channels: 3 } })
            .withMetadata({ orientation: 6 })
            .jpeg()
            .toFile(path.join(root, 'val_img', 'r.jpg'));
        const dl = DataLoader.open(cocoOptions(root, small), {
            seed: 0,
            batchSize: 1,
            train: false,
        });
        const s = await dl.sampleAt(1, 0);
        assert.deepEqual([s.width, s.height], [4, 4]);
        const img = await readImage(path.join(root, 'val_img', 'r.jpg'));
        assert.deepEqual([img.width, img.height], [4, 3]);
    });

    it('skips a bad sample when told to, reporting it once, and stops when told to', async function () {
        const bad = pattern(4, 3, [1]);
        bad[0] = 190;
        const root = await dataset('skip', {
            a: pattern(4, 3, [1]),
            b: bad,
            c: pattern(4, 3, [2]),
        });
        const seen: DataIssue[] = [];
        const o = cocoOptions(root, { ...small, onBadSample: 'skip' });
        const dl = DataLoader.open(o, {
            seed: 3,
            batchSize: 1,
            train: false,
            onIssue: (i) => seen.push(i),
        });
        const keys: string[] = [];
        for (let epoch = 1; epoch <= 2; epoch++) {
            for await (const b of dl.batches({ epoch, step: 0 })) keys.push(b.samples[0].key);
        }
        assert.deepEqual(keys, ['a', 'c', 'c', 'a', 'c', 'c']);
        assert.deepEqual(
            seen.map((i) => i.code),
            ['id-out-of-range'],
        );
        const stop = DataLoader.open(cocoOptions(root, small), {
            seed: 3,
            batchSize: 3,
            train: false,
        });
        const it = stop.batches();
        const e = await codeOf(it.next());
        assert.match(e.message, /b\.png/);
    });
});
