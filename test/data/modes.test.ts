/**
 * Dataset modes on tiny folders written by the test: folder conventions, pairing by stem with
 * missing and extra names reported, natural sort, id shifts and instance edges, and the
 * non-blocking index the editor uses giving the same result as the blocking one.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { indexDataset, indexDatasetAsync, naturalCompare } from '../../server/src/data/dataset';
import { naturalSorted, runSync } from '../../server/src/data/dataset-listing';
import { DataLoader } from '../../server/src/data/loader';
import { cocoOptions, pattern, tempDir, writeGrey, writeGrey16, writePhoto } from './fixtures';

const GO = { isCancellationRequested: false };

describe('dataset modes', function () {
    let tmp: ReturnType<typeof tempDir>;
    before(() => (tmp = tempDir('modes')));
    after(() => tmp.remove());

    it('sorts names naturally, as the reference does', function () {
        const names = ['img10.png', 'img2.png', 'img1.png', 'a/img9.png'];
        assert.deepEqual(names.sort(naturalCompare), [
            'a/img9.png',
            'img1.png',
            'img2.png',
            'img10.png',
        ]);
    });

    it('breaks ties between equal numbers by text, and puts a shorter name first', function () {
        const names = ['x1', 'a1', 'a01', 'a001', 'a1b', 'a', 'a0', 'a00', 'B1', 'b1', 'x_1_10'];
        assert.deepEqual([...names].sort(naturalCompare), [
            'B1',
            'a',
            'a0',
            'a00',
            'a001',
            'a01',
            'a1',
            'a1b',
            'b1',
            'x1',
            'x_1_10',
        ]);
    });

    it('sorts thousands of names in merged runs in the order naturalCompare gives', function () {
        const names: string[] = [];
        for (let i = 0; i < 3000; i++)
            names.push(
                `r${(i * 7919) % 997}/img${String((i * 31) % 500).padStart(i % 4, '0')}_${i % 3}`,
            );
        assert.deepEqual(runSync(naturalSorted(names)), [...names].sort(naturalCompare));
    });

    it('coco: pairs by stem and names the missing and extra files', async function () {
        const root = path.join(tmp.dir, 'coco');
        for (const n of ['a10', 'a2', 'b']) {
            await writeGrey(
                path.join(root, 'train_label', `${n}.png`),
                4,
                3,
                pattern(4, 3, [1, 255]),
            );
            await writeGrey(path.join(root, 'train_inst', `${n}.png`), 4, 3, pattern(4, 3, [0, 1]));
        }
        await writePhoto(path.join(root, 'train_img', 'a10.jpg'), 4, 3);
        await writePhoto(path.join(root, 'train_img', 'a2.jpg'), 4, 3);
        await writePhoto(path.join(root, 'train_img', 'zz.jpg'), 4, 3);
        const idx = indexDataset(cocoOptions(root, { phase: 'train' }));
        assert.deepEqual(
            idx.entries.map((e) => e.key),
            ['a2', 'a10'],
        );
        assert.deepEqual(
            idx.missingImages.map((p) => path.basename(p)),
            ['b.png'],
        );
        assert.deepEqual(
            idx.extraImages.map((p) => path.basename(p)),
            ['zz.jpg'],
        );
        const missing = idx.issues.find((i) => i.code === 'missing-image');
        assert.match(missing?.message ?? '', /b\.png/);
        assert.match(idx.issues.find((i) => i.code === 'extra-image')?.message ?? '', /zz\.jpg/);
    });

    it('ade20k: keeps _train_ files, shifts ids down by one and sends 0 to the unknown channel', async function () {
        const root = path.join(tmp.dir, 'ade');
        const dir = path.join(root, 'images', 'training');
        await writeGrey(path.join(dir, 'ADE_train_00000001.png'), 3, 2, [0, 1, 150, 2, 0, 1]);
        await writePhoto(path.join(dir, 'ADE_train_00000001.jpg'), 3, 2);
        await writeGrey(path.join(dir, 'ADE_val_00000001.png'), 3, 2, [0, 0, 0, 0, 0, 0]);
        await writePhoto(path.join(dir, 'ADE_val_00000001.jpg'), 3, 2);
        const o = cocoOptions(root, {
            mode: 'ade20k',
            labelNc: 150,
            useInstance: false,
            preprocess: 'scale_width',
            loadSize: 3,
            phase: 'train',
        });
        const dl = DataLoader.open(o, { seed: 1, batchSize: 1, train: false });
        assert.equal(dl.size, 1);
        const s = await dl.sampleAt(1, 0);
        assert.deepEqual(Array.from(s.label.subarray(0, 6)), [150, 0, 149, 1, 150, 0]);
    });

    it('cityscapes: pairs on the first three name fields and reads 16-bit instance ids', async function () {
        const root = path.join(tmp.dir, 'city');
        const lab = path.join(root, 'gtFine', 'train', 'aachen');
        const stem = 'aachen_000000_000019';
        await writeGrey(
            path.join(lab, `${stem}_gtFine_labelIds.png`),
            4,
            2,
            [7, 7, 26, 26, 7, 7, 26, 26],
        );
        await writeGrey16(
            path.join(lab, `${stem}_gtFine_instanceIds.png`),
            4,
            2,
            [7, 7, 26001, 26002, 7, 7, 26001, 26002],
        );
        await writePhoto(
            path.join(root, 'leftImg8bit', 'train', 'aachen', `${stem}_leftImg8bit.png`),
            4,
            2,
        );
        const o = cocoOptions(root, {
            mode: 'cityscapes',
            labelNc: 35,
            containDontcare: false,
            preprocess: 'scale_width',
            loadSize: 4,
            phase: 'train',
        });
        const dl = DataLoader.open(o, { seed: 1, batchSize: 1, train: false });
        assert.equal(dl.size, 1);
        const s = await dl.sampleAt(1, 0);
        assert.deepEqual(Array.from(s.instance?.subarray(0, 4) ?? []), [7, 7, 26001, 26002]);
        assert.deepEqual(Array.from(s.edges?.subarray(0, 4) ?? []), [0, 1, 1, 1]);
    });

    it('facades and custom: read their folders, without instances', async function () {
        const fac = path.join(tmp.dir, 'facades');
        await writeGrey(path.join(fac, 'train_label', 'x1.png'), 2, 2, [1, 2, 3, 12]);
        await writePhoto(path.join(fac, 'train_img', 'x1.jpg'), 2, 2);
        const o = cocoOptions(fac, {
            mode: 'facades',
            labelNc: 13,
            containDontcare: false,
            useInstance: false,
            phase: 'train',
        });
        assert.equal(indexDataset(o).entries.length, 1);
        const cus = path.join(tmp.dir, 'custom');
        await writeGrey(path.join(cus, 'L', 'p.png'), 2, 2, [0, 1, 2, 3]);
        await writePhoto(path.join(cus, 'I', 'p.png'), 2, 2);
        const c = cocoOptions(cus, {
            mode: 'custom',
            labelDir: path.join(cus, 'L'),
            imageDir: path.join(cus, 'I'),
            labelNc: 13,
            containDontcare: false,
            useInstance: false,
        });
        const idx = indexDataset(c);
        assert.deepEqual(
            idx.entries.map((e) => path.basename(e.image)),
            ['p.png'],
        );
    });

    it('names the file when preprocessing would shrink an image to nothing', async function () {
        const root = path.join(tmp.dir, 'tiny');
        await writeGrey(path.join(root, 'val_label', 't.png'), 3, 2, [0, 1, 2, 3, 4, 5]);
        await writePhoto(path.join(root, 'val_img', 't.jpg'), 3, 2);
        const o = cocoOptions(root, { preprocess: 'none', useInstance: false });
        const dl = DataLoader.open(o, { seed: 1, batchSize: 1, train: false });
        await assert.rejects(dl.sampleAt(1, 0), (e: Error) => /t\.png.*none/.test(e.message));
    });

    it('reports a missing folder and an empty dataset instead of throwing from indexing', function () {
        const idx = indexDataset(cocoOptions(path.join(tmp.dir, 'nowhere')));
        assert.ok(idx.issues.some((i) => i.code === 'folder-missing'));
        assert.ok(idx.issues.some((i) => i.code === 'empty-dataset'));
    });

    it('points at the config property, not root, when a custom folder is missing', function () {
        const where = path.join(tmp.dir, 'no-custom');
        const idx = indexDataset(
            cocoOptions(where, {
                mode: 'custom',
                labelDir: path.join(where, 'L'),
                imageDir: path.join(where, 'I'),
                useInstance: false,
            }),
        );
        const missing = idx.issues.filter((i) => i.code === 'folder-missing');
        assert.equal(missing.length, 2);
        const text = missing.map((i) => i.message).join('\n');
        assert.match(text, /label_dir/);
        assert.match(text, /image_dir/);
        assert.doesNotMatch(text, /check root/);
    });

    it('indexes the same without blocking as with, in every mode', async function () {
        const root = path.join(tmp.dir, 'same');
        const put = (rel: string) => {
            fs.mkdirSync(path.dirname(path.join(root, rel)), { recursive: true });
            fs.writeFileSync(path.join(root, rel), '');
        };
        const names = ['a1', 'a01', 'a10', 'a2', 'b', 'B', 'x_1_10', 'x_01_2', '9', '10'];
        names.forEach((n, i) => {
            put(`train_label/${n}.png`);
            if (i % 4) put(`train_img/${n}.jpg`);
            if (i % 3) put(`train_inst/${n}.png`);
            put(`train_label_portrait/p${n}.png`);
            put(`train_img_portrait/p${n}.jpg`);
            put(`ade/images/t${i % 2}/ADE_train_${n}.png`);
            if (i % 5) put(`ade/images/u/ADE_train_${n}.jpg`);
            put(`city/gtFine/train/c/c_${n}_19_gtFine_labelIds.png`);
            put(`city/gtFine/train/c/c_${n}_19_gtFine_instanceIds.png`);
            if (i % 6) put(`city/leftImg8bit/train/c/c_${n}_19_leftImg8bit.png`);
        });
        put('train_img/extra.jpg');
        const all = [
            cocoOptions(root, { phase: 'train' }),
            cocoOptions(root, { phase: 'train', noPortraits: true, useInstance: false }),
            cocoOptions(path.join(root, 'ade'), {
                mode: 'ade20k',
                phase: 'train',
                useInstance: false,
            }),
            cocoOptions(path.join(root, 'city'), { mode: 'cityscapes', phase: 'train' }),
            cocoOptions(root, {
                mode: 'custom',
                labelDir: path.join(root, 'train_label'),
                imageDir: path.join(root, 'train_img'),
                useInstance: false,
                maxDatasetSize: 3,
            }),
            cocoOptions(path.join(root, 'nowhere')),
        ];
        for (const o of all) {
            const blocking = indexDataset(o);
            const expectEntries = !o.root.endsWith('nowhere');
            assert.equal(blocking.entries.length > 0, expectEntries, `${o.mode} ${o.root}`);
            assert.deepEqual(await indexDatasetAsync(o, GO), blocking, `${o.mode} ${o.root}`);
        }
        const coco = indexDataset(all[0]);
        assert.deepEqual(
            coco.entries.map((e) => e.key),
            ['B', 'a01', 'a10', 'x_01_2'],
        );
    });

    it('returns nothing once stopped, without reading the folders through', async function () {
        let asked = 0;
        const stop = {
            get isCancellationRequested() {
                return ++asked > 1;
            },
        };
        const o = cocoOptions(path.join(tmp.dir, 'same'), { phase: 'train' });
        assert.equal(await indexDatasetAsync(o, stop), undefined);
        // Asked before the first folder, within it, and before the next step: then it ended.
        assert.ok(asked <= 3, `asked ${asked} times`);
    });
});
