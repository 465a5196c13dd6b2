/**
 * One tiny fixture per label-map format, written by the test with sharp: 8-bit ids, 16-bit
 * ids above 255, palette PNGs (indices are ids), RGB colour masks through a palette, alpha,
 * JPEG, EXIF orientation; and writing each back in its own format.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import sharp from 'sharp';
import { orientIds, readLabelMap } from '../../server/src/data/label-file';
import { inspectLabelFile } from '../../server/src/data/label-inspect';
import { writeLabelMap } from '../../server/src/data/label-write';
import { DataError } from '../../server/src/data/issues';
import { cityscapesPalette } from '../../server/src/data/palettes';
import { decodePng } from '../../server/src/data/png';
import { tempDir } from './fixtures';

const grey = (px: number[], w: number, h: number) =>
    sharp(Uint8Array.from(px), { raw: { width: w, height: h, channels: 1 } }).toColourspace('b-w');
const rgb = (px: number[], w: number, h: number, channels: 3 | 4 = 3) =>
    sharp(Uint8Array.from(px), { raw: { width: w, height: h, channels } });

async function rejectsWith(p: Promise<unknown>, code: string): Promise<DataError> {
    try {
        await p;
    } catch (e) {
        assert.ok(e instanceof DataError, `expected a DataError, got ${String(e)}`);
        assert.equal(e.issue.code, code, e.message);
        return e;
    }
    assert.fail(`expected a DataError ${code}`);
}

describe('label-map formats', function () {
    let tmp: ReturnType<typeof tempDir>;
    before(() => (tmp = tempDir('formats')));
    after(() => tmp.remove());
    const f = (name: string) => path.join(tmp.dir, name);

    it('reads an 8-bit greyscale map as ids and writes it back as 8-bit', async function () {
        const px = [0, 1, 7, 7, 1, 0];
        await grey(px, 3, 2).png().toFile(f('g8.png'));
        const m = await readLabelMap(f('g8.png'));
        assert.deepEqual(Array.from(m.ids.data), px);
        assert.equal(m.format.encoding, 'grey8');
        m.ids.data[0] = 4;
        await writeLabelMap(f('g8.png'), m.ids, m.format);
        const meta = await sharp(f('g8.png')).metadata();
        assert.deepEqual([meta.channels, meta.depth, meta.isPalette], [1, 'uchar', false]);
        assert.deepEqual(Array.from((await readLabelMap(f('g8.png'))).ids.data), [
            4,
            ...px.slice(1),
        ]);
        assert.deepEqual(
            fs.readdirSync(tmp.dir).filter((n) => n.startsWith('.')),
            [],
        );
    });

    it('leaves the file untouched when an id does not fit its format', async function () {
        await grey([0, 1, 2, 3], 2, 2).png().toFile(f('keep.png'));
        const before = fs.readFileSync(f('keep.png'));
        const m = await readLabelMap(f('keep.png'));
        m.ids.data[3] = 300;
        await rejectsWith(writeLabelMap(f('keep.png'), m.ids, m.format), 'id-out-of-range');
        assert.ok(fs.readFileSync(f('keep.png')).equals(before));
    });

    it('keeps 16-bit ids above 255 exact, and writes them back as 16-bit', async function () {
        const px = [0, 1, 300, 65535];
        await sharp(Uint16Array.from(px), { raw: { width: 2, height: 2, channels: 1 } })
            .toColourspace('grey16')
            .png()
            .toFile(f('g16.png'));
        const m = await readLabelMap(f('g16.png'));
        assert.deepEqual(Array.from(m.ids.data), px);
        assert.deepEqual([m.format.encoding, m.format.bitDepth], ['grey16', 16]);
        m.ids.data[1] = 4000;
        await writeLabelMap(f('g16.png'), m.ids, m.format);
        assert.equal((await sharp(f('g16.png')).metadata()).depth, 'ushort');
        assert.deepEqual(
            Array.from((await readLabelMap(f('g16.png'))).ids.data),
            [0, 4000, 300, 65535],
        );
    });

    it('reads palette indices as ids (not colours) and keeps the palette when writing', async function () {
        const colours = [
            [250, 0, 0],
            [0, 250, 0],
            [0, 0, 250],
        ];
        const order = [0, 1, 2, 2, 1, 0, 0, 0];
        await rgb(
            order.flatMap((i) => colours[i]),
            4,
            2,
        )
            .png({ palette: true, colours: 4, dither: 0 })
            .toFile(f('pal.png'));
        const m = await readLabelMap(f('pal.png'));
        assert.equal(m.format.encoding, 'palette');
        const pal = m.format.palette;
        assert.ok(pal);
        const seen = Array.from(m.ids.data, (id) => Array.from(pal.subarray(id * 3, id * 3 + 3)));
        assert.deepEqual(
            seen,
            order.map((i) => colours[i]),
        );
        const before = fs.readFileSync(f('pal.png'));
        await writeLabelMap(f('pal.png'), m.ids, m.format);
        const again = decodePng(fs.readFileSync(f('pal.png')));
        assert.deepEqual(Array.from(again.samples), Array.from(m.ids.data));
        assert.deepEqual(again.palette, decodePng(before).palette);
    });

    it('turns a palette map upright by its EXIF orientation', async function () {
        const colours = [
            [250, 0, 0],
            [0, 0, 250],
        ];
        const order = [0, 1, 1, 1, 0, 0];
        await rgb(
            order.flatMap((i) => colours[i]),
            3,
            2,
        )
            .withMetadata({ orientation: 6 })
            .png({ palette: true, colours: 2, dither: 0 })
            .toFile(f('palo.png'));
        const m = await readLabelMap(f('palo.png'));
        assert.deepEqual([m.format.encoding, m.ids.width, m.ids.height], ['palette', 2, 3]);
        const pal = m.format.palette as Uint8Array;
        const seen = Array.from(m.ids.data, (id) => (pal[id * 3 + 2] > 0 ? 1 : 0));
        assert.deepEqual(seen, [1, 0, 0, 1, 0, 1]);
    });

    it('reads a 2-bit palette PNG', async function () {
        const colours = [
            [10, 20, 30],
            [200, 100, 0],
        ];
        const order = [1, 0, 0, 1, 1, 1];
        await rgb(
            order.flatMap((i) => colours[i]),
            3,
            2,
        )
            .png({ palette: true, colours: 2, dither: 0 })
            .toFile(f('pal2.png'));
        const m = await readLabelMap(f('pal2.png'));
        assert.ok(m.format.bitDepth < 8, `bit depth ${m.format.bitDepth}`);
        const pal = m.format.palette as Uint8Array;
        const seen = Array.from(m.ids.data, (id) => Array.from(pal.subarray(id * 3, id * 3 + 3)));
        assert.deepEqual(
            seen,
            order.map((i) => colours[i]),
        );
    });

    it('maps an RGB colour mask through a palette and writes the colours back', async function () {
        const road = [128, 64, 128];
        const sky = [70, 130, 180];
        await rgb([...road, ...sky, ...sky, ...road], 2, 2)
            .png()
            .toFile(f('rgb.png'));
        const m = await readLabelMap(f('rgb.png'), { palette: cityscapesPalette() });
        assert.deepEqual(Array.from(m.ids.data), [7, 23, 23, 7]);
        assert.equal(m.format.encoding, 'rgb');
        m.ids.data[0] = 23;
        await writeLabelMap(f('rgb.png'), m.ids, m.format);
        const back = await sharp(f('rgb.png')).raw().toBuffer();
        assert.deepEqual(Array.from(back), [...sky, ...sky, ...sky, ...road]);
    });

    it('reports unknown colours with the file, the colour and the pixel count', async function () {
        await rgb([128, 64, 128, 1, 2, 3, 1, 2, 3, 9, 9, 8], 2, 2).png().toFile(f('unk.png'));
        const e = await rejectsWith(
            readLabelMap(f('unk.png'), { palette: cityscapesPalette() }),
            'unknown-colour',
        );
        assert.match(e.message, /unk\.png/);
        assert.match(e.message, /#010203 \(2 px\)/);
        assert.match(e.message, /#090908 \(1 px\)/);
    });

    it('refuses an RGB mask when no palette is known, and reads grey RGB as ids', async function () {
        await rgb([1, 2, 3, 4, 5, 6], 2, 1).png().toFile(f('nopal.png'));
        await rejectsWith(readLabelMap(f('nopal.png')), 'rgb-without-palette');
        await rgb([5, 5, 5, 9, 9, 9], 2, 1).png().toFile(f('greyrgb.png'));
        const m = await readLabelMap(f('greyrgb.png'));
        assert.deepEqual(Array.from(m.ids.data), [5, 9]);
        assert.ok(m.issues.some((i) => i.code === 'rgb-grey'));
    });

    it('ignores alpha with a note', async function () {
        await sharp(Uint8Array.from([3, 255, 4, 0]), { raw: { width: 2, height: 1, channels: 2 } })
            .toColourspace('b-w')
            .png()
            .toFile(f('alpha.png'));
        const m = await readLabelMap(f('alpha.png'));
        assert.deepEqual(Array.from(m.ids.data), [3, 4]);
        assert.ok(m.issues.some((i) => i.code === 'alpha-ignored'));
    });

    it('warns that a JPEG label map is lossy, and refuses to write ids back as JPEG', async function () {
        await grey(new Array(64).fill(20), 8, 8).jpeg({ quality: 100 }).toFile(f('lab.jpg'));
        const m = await readLabelMap(f('lab.jpg'));
        assert.ok(m.issues.some((i) => i.code === 'lossy-label' && i.severity === 'warning'));
        await rejectsWith(writeLabelMap(f('lab.jpg'), m.ids, m.format), 'lossy-label');
    });

    it('maps a JPEG colour mask to the palette colours its noisy pixels came from', async function () {
        const px: number[] = [];
        for (let i = 0; i < 16 * 16; i++)
            px.push(...(i % 16 < 8 ? [128, 64, 128] : [70, 130, 180]));
        await rgb(px, 16, 16).jpeg({ quality: 90 }).toFile(f('rgb.jpg'));
        const m = await readLabelMap(f('rgb.jpg'), { palette: cityscapesPalette() });
        const want = Array.from({ length: 256 }, (_, i) => (i % 16 < 8 ? 7 : 23));
        assert.deepEqual(Array.from(m.ids.data), want);
        assert.ok(m.issues.some((i) => i.code === 'lossy-label'));
    });

    it('turns maps upright for all eight EXIF orientations', async function () {
        const px = [0, 1, 2, 3, 4, 5];
        const stored = { width: 3, height: 2, data: Int32Array.from(px) };
        for (let o = 1; o <= 8; o++) {
            await grey(px, 3, 2)
                .withMetadata({ orientation: o })
                .png()
                .toFile(f(`o${o}.png`));
            const m = await readLabelMap(f(`o${o}.png`));
            assert.equal(m.format.orientation, o);
            const mine = orientIds(stored, o);
            assert.deepEqual(
                [m.ids.width, m.ids.height],
                [mine.width, mine.height],
                `orientation ${o}`,
            );
            assert.deepEqual(Array.from(m.ids.data), Array.from(mine.data), `orientation ${o}`);
        }
        assert.deepEqual(Array.from(orientIds(stored, 6).data), [3, 0, 4, 1, 5, 2]);
        assert.deepEqual(Array.from(orientIds(stored, 8).data), [2, 5, 1, 4, 0, 3]);
    });

    it('inspects a file: format, depth, size, orientation and histogram', async function () {
        await grey([0, 1, 7, 7, 1, 7], 3, 2)
            .withMetadata({ orientation: 6 })
            .png()
            .toFile(f('i.png'));
        const r = await inspectLabelFile(f('i.png'));
        assert.equal(r.error, undefined);
        assert.deepEqual([r.width, r.height, r.format.orientation], [2, 3, 6]);
        assert.deepEqual(r.histogram, [
            [0, 1],
            [1, 2],
            [7, 3],
        ]);
        const bad = await inspectLabelFile(f('nothing.png'));
        assert.equal(bad.error?.code, 'unreadable');
    });
});
