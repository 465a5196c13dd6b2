/**
 * Built-in palettes and class files: COCO-Stuff's bit-interleaved colours with its five fixed
 * ones, ADE20K's file ids, and class files with colours.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import {
    ade20kPalette,
    cityscapesPalette,
    cocoPalette,
    colourLookup,
    interleavedColour,
    readClassFile,
} from '../../server/src/data/palettes';
import { tempDir } from './fixtures';

const key = (r: number, g: number, b: number) => (r << 16) | (g << 8) | b;

describe('palettes', function () {
    it('interleaves id bits into colours as the PASCAL-style colormap does', function () {
        assert.deepEqual(interleavedColour(0), [0, 0, 0]);
        assert.deepEqual(interleavedColour(1), [128, 0, 0]);
        assert.deepEqual(interleavedColour(2), [0, 128, 0]);
        assert.deepEqual(interleavedColour(5), [128, 0, 128]);
        assert.deepEqual(interleavedColour(8), [64, 0, 0]);
    });

    it('COCO-Stuff: fixed colours for sea and grass, and unlabeled shown as 182', function () {
        const lut = colourLookup(cocoPalette());
        assert.equal(lut.get(key(54, 62, 167)), 154);
        assert.equal(lut.get(key(29, 195, 49)), 123);
        assert.equal(lut.get(key(...interleavedColour(182))), 255);
        assert.equal(new Set(lut.values()).size, 183, 'every id has its own colour');
    });

    it('ADE20K: black is file id 0 (unknown) and the first colour is class 1', function () {
        const p = ade20kPalette();
        assert.equal(p.entries.length, 151);
        const lut = colourLookup(p);
        assert.equal(lut.get(0), 0);
        assert.equal(lut.get(key(120, 120, 120)), 1);
        assert.equal(lut.get(key(92, 0, 255)), 150);
    });

    it('Cityscapes: 35 ids, and shared colours map to the first id', function () {
        const p = cityscapesPalette();
        assert.equal(p.entries.length, 35);
        const lut = colourLookup(p);
        assert.equal(lut.get(key(0, 0, 142)), 26);
        assert.equal(lut.get(key(119, 11, 32)), 33);
    });

    it('reads class files with colours and names bad entries', function () {
        const tmp = tempDir('classes');
        try {
            const good = path.join(tmp.dir, 'c.json');
            fs.writeFileSync(
                good,
                JSON.stringify({ names: ['a', 'b'], colors: [[1, 2, 3], '#0a0b0c'] }),
            );
            const c = readClassFile(good);
            assert.deepEqual(c.names, ['a', 'b']);
            assert.deepEqual(c.palette?.entries, [
                [0, 1, 2, 3],
                [1, 10, 11, 12],
            ]);
            const bad = path.join(tmp.dir, 'bad.json');
            fs.writeFileSync(bad, JSON.stringify({ names: ['a'], colors: ['red'] }));
            assert.throws(() => readClassFile(bad), /bad\.json: colors\[0\] is "red"/);
        } finally {
            tmp.remove();
        }
    });
});
