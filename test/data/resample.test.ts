/**
 * Resampling properties that the golden vectors do not cover: a windowed resize equals the full
 * resize followed by the crop (padding included) for any sizes, the identity size is a copy,
 * and nearest picks stay inside the source.
 */
import * as assert from 'node:assert/strict';
import { cropRaster, nearestIndices, resizeBicubic } from '../../server/src/data/resample';
import type { RasterU8 } from '../../server/src/data/resample';
import { makeRandom } from '../../server/src/data/rng';

function noise(w: number, h: number, ch: number, seed: number): RasterU8 {
    const rnd = makeRandom(seed);
    const data = Uint8Array.from({ length: w * h * ch }, () => Math.floor(rnd() * 256));
    return { width: w, height: h, channels: ch, data };
}

describe('resampling', function () {
    it('computes a window of the resize exactly as resize-then-crop, padding included', function () {
        const rnd = makeRandom(42);
        const pick = (lo: number, hi: number) => lo + Math.floor(rnd() * (hi - lo + 1));
        for (let t = 0; t < 60; t++) {
            const src = noise(pick(1, 40), pick(1, 40), t % 2 ? 3 : 1, t);
            const ow = t % 7 === 0 ? src.width : pick(1, 50);
            const oh = t % 5 === 0 ? src.height : pick(1, 50);
            const win = { x: pick(-5, ow), y: pick(-5, oh), w: pick(1, 30), h: pick(1, 30) };
            const full = cropRaster(resizeBicubic(src, ow, oh), win.x, win.y, win.w, win.h);
            const part = resizeBicubic(src, ow, oh, win);
            const why = `${src.width}x${src.height} -> ${ow}x${oh}, window ${JSON.stringify(win)}`;
            assert.deepEqual(
                [part.width, part.height, part.channels],
                [win.w, win.h, src.channels],
                why,
            );
            assert.ok(Buffer.from(part.data).equals(Buffer.from(full.data)), why);
        }
    });

    it('returns a copy at the same size and keeps nearest picks inside the source', function () {
        const src = noise(5, 4, 3, 1);
        const same = resizeBicubic(src, 5, 4);
        assert.notEqual(same.data, src.data);
        assert.deepEqual(same.data, src.data);
        for (let i = 1; i <= 64; i++) {
            for (let o = 1; o <= 64; o++) {
                const idx = nearestIndices(i, o);
                assert.ok(
                    idx.every((v) => v >= 0 && v < i),
                    `${i} -> ${o}`,
                );
            }
        }
    });
});
