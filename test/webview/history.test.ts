/** The paint history's saved form in Node: round trips, the size cap, and refusals. */
import { strict as assert } from 'node:assert';
import type { SavedChange } from '../../server/src/protocol/preview';
import {
    decodeChange,
    encodeChange,
    restoreHistory,
    saveHistory,
    savedSize,
} from '../../webview/src/preview/history-codec';
import { MaskState } from '../../webview/src/preview/mask-state';

/** Small deterministic generator (mulberry32). */
function rng(seed: number): () => number {
    let a = seed >>> 0;
    return () => {
        a = (a + 0x6d2b79f5) >>> 0;
        let t = a;
        t = Math.imul(t ^ (t >>> 15), t | 1);
        t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
        return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    };
}

/** A mask with some strokes and fills painted, and one change undone. */
function painted(wide: boolean): { mask: MaskState; original: Uint8Array | Uint16Array } {
    const r = rng(wide ? 2 : 1);
    const w = 90;
    const h = 70;
    const ids = wide ? new Uint16Array(w * h) : new Uint8Array(w * h);
    for (let i = 0; i < ids.length; i++) ids[i] = Math.floor(i / 700) + (r() < 0.1 ? 1 : 0);
    const original = ids.slice();
    const mask = new MaskState(ids, w, h);
    const big = wide ? 40000 : 200;
    for (let k = 0; k < 6; k++) {
        const [x, y] = [Math.floor(r() * w), Math.floor(r() * h)];
        mask.beginStroke(big - k, 3 + k, x, y);
        mask.extendStroke((x + 37) % w, (y + 11) % h);
        mask.extendStroke(x, (y + 29) % h);
        mask.endStroke();
        mask.fill(Math.floor(r() * w), Math.floor(r() * h), k);
    }
    mask.undo();
    return { mask, original };
}

describe('paint history in the webview state', () => {
    for (const wide of [false, true]) {
        it(`round-trips every change exactly (${wide ? '16' : '8'}-bit ids)`, () => {
            const { mask } = painted(wide);
            const h = mask.history();
            for (const c of [...h.undo, ...h.redo]) {
                const back = decodeChange(encodeChange(c), mask.width * mask.height, mask.maxId);
                // Saved in ascending pixel order: compare as pixel -> old id maps.
                const want = new Map([...c.indices].map((i, k) => [i, c.before[k]]));
                const got = new Map([...back.indices].map((i, k) => [i, back.before[k]]));
                assert.deepEqual(got, want);
                assert.equal(back.before instanceof Uint16Array, wide);
                assert.deepEqual(
                    [back.label, back.after, back.serial],
                    [c.label, c.after, c.serial],
                );
            }
        });
    }

    it('restores onto the same ids: undo and redo then give the same pixels', () => {
        const { mask, original } = painted(false);
        const saved = JSON.parse(JSON.stringify(saveHistory(mask, 'm.png')));
        const again = new MaskState(mask.ids.slice(), mask.width, mask.height);
        assert.equal(restoreHistory(again, saved, 'm.png'), true);
        assert.equal(again.canRedo, true);
        again.redo();
        mask.redo();
        assert.deepEqual(again.ids, mask.ids, 'redo');
        while (again.undo());
        assert.deepEqual(again.ids, original, 'undoing everything gives the file back');
        assert.equal(again.dirty, false, 'and that is the saved state');
        const fresh = new MaskState(original.slice(), mask.width, mask.height);
        assert.deepEqual(again.counts, fresh.counts, 'class counts follow');
        assert.equal(again.contentHash, fresh.contentHash, 'the hash follows');
    });

    it('is compact: runs, not per-pixel values', () => {
        const ids = new Uint8Array(512 * 512);
        const mask = new MaskState(ids, 512, 512);
        mask.fill(5, 5, 9);
        const json = JSON.stringify(saveHistory(mask, 'm.png'));
        assert.ok(json.length < 300, `a 262144-pixel fill saved in ${json.length} characters`);
    });

    it('drops the oldest changes above the cap', () => {
        const { mask } = painted(false);
        const all = saveHistory(mask, 'm.png');
        const sum = (cs: SavedChange[]) => cs.reduce((n, c) => n + savedSize(c), 0);
        // Room for all but the two oldest changes to undo.
        const cap = sum(all.undo.slice(2)) + sum(all.redo);
        const capped = saveHistory(mask, 'm.png', cap);
        assert.deepEqual(
            capped.undo.map((c) => c.serial),
            all.undo.slice(2).map((c) => c.serial),
        );
        assert.deepEqual(capped.redo, all.redo);
    });

    it('ignores a history that is not for these ids, or is damaged', () => {
        const { mask } = painted(false);
        const saved = saveHistory(mask, 'm.png');
        const other = mask.ids.slice();
        other[123] ^= 1;
        const cases: [string, MaskState, typeof saved, string][] = [
            ['another file', new MaskState(mask.ids.slice(), 90, 70), saved, 'n.png'],
            ['other ids', new MaskState(other, 90, 70), saved, 'm.png'],
            [
                'a damaged change',
                new MaskState(mask.ids.slice(), 90, 70),
                { ...saved, undo: [{ ...saved.undo[0], indices: '//8=' }] },
                'm.png',
            ],
        ];
        for (const [what, target, s, name] of cases) {
            assert.equal(restoreHistory(target, s, name), false, what);
            assert.equal(target.canUndo || target.canRedo, false, `${what}: nothing half applied`);
        }
    });
});
