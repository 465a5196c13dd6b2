/** The host's edit history of a mask (client/src/preview/edit-history.ts), in Node. */
import { strict as assert } from 'node:assert';
import { diffIds, EditHistory } from '../../client/src/preview/edit-history';
import type { LabelIds } from '../../server/src/protocol/preview';
import { makeRandom as rng } from '../../server/src/data/rng';

/** `ids` with a random rectangle set to `value`, as a new array. */
function paintRect(ids: LabelIds, w: number, r: () => number, value: number): LabelIds {
    const out = ids.slice();
    const h = ids.length / w;
    const [x0, y0] = [Math.floor(r() * w), Math.floor(r() * h)];
    const [x1, y1] = [Math.min(w, x0 + 1 + Math.floor(r() * 20)), Math.min(h, y0 + 1 + 9)];
    for (let y = y0; y < y1; y++) out.fill(value, y * w + x0, y * w + x1);
    return out;
}

describe('the host edit history of a mask', () => {
    for (const wide of [false, true]) {
        it(`undoes and redoes every edit exactly (${wide ? '16' : '8'}-bit ids)`, () => {
            const r = rng(wide ? 7 : 3);
            const w = 50;
            const values = Array.from({ length: w * 40 }, () => Math.floor(r() * 5));
            const file: LabelIds = wide
                ? Uint16Array.from(values, (v) => v * 900)
                : Uint8Array.from(values, (v) => v * 40);
            const h = new EditHistory();
            let doc: LabelIds = file.slice();
            const states: LabelIds[] = [file.slice()];
            for (let k = 0; k < 8; k++) {
                const next = paintRect(doc, w, r, wide ? 40000 + k : 200 + k);
                const edit = h.record('Brush', doc, next);
                assert.ok(edit);
                assert.deepEqual(edit.result(wide).ids.length, edit.pixels);
                doc = next;
                states.push(next.slice());
            }
            for (let k = states.length - 2; k >= 0; k--) {
                const edit = h.next('undo');
                assert.ok(edit, `edit ${k} to undo`);
                const c = h.undo(edit, doc);
                assert.equal(c.ids instanceof Uint16Array, wide);
                assert.deepEqual(doc, states[k], `after undoing edit ${k}`);
            }
            assert.equal(h.canUndo, false);
            assert.equal(h.dirty, false, 'all undone: the file again');
            for (let k = 1; k < states.length; k++) {
                const edit = h.next('redo');
                assert.ok(edit);
                h.redo(edit, doc);
                assert.deepEqual(doc, states[k], `after redoing edit ${k - 1}`);
            }
            assert.equal(h.canRedo, false);
        });
    }

    it('reports the pixels it sets, in run order', () => {
        const old = Uint8Array.of(0, 0, 1, 1, 0, 0, 2, 2);
        const next = Uint8Array.of(0, 5, 5, 1, 0, 5, 5, 5);
        const h = new EditHistory();
        const edit = h.record('Fill', old.slice(), next);
        assert.ok(edit);
        assert.deepEqual([...edit.runs], [1, 2, 5, 3]);
        assert.deepEqual([...edit.result(false).ids], [5, 5, 5, 5, 5]);
        const doc = next.slice();
        const undone = h.undo(edit, doc);
        assert.deepEqual([...undone.runs], [1, 2, 5, 3]);
        assert.deepEqual([...undone.ids], [0, 1, 0, 2, 2]);
        assert.deepEqual(doc, old);
    });

    it('takes only the painted pixels, so a stroke sent before an undo arrived keeps the undo', () => {
        const h = new EditHistory();
        const doc = Uint8Array.of(0, 0, 0, 0, 0, 0);
        const a = h.record('A', doc, Uint8Array.of(7, 7, 0, 0, 0, 0));
        assert.ok(a);
        h.undo(a, doc); // VS Code's undo reaches the host first...
        // ...while the page, which has not seen it, posts a stroke on top of A.
        const page = Uint8Array.of(7, 7, 0, 0, 5, 5);
        const b = h.record('B', doc, page, Uint32Array.of(4, 2));
        assert.ok(b);
        assert.deepEqual([...doc], [0, 0, 0, 0, 5, 5], 'A stays undone, B is painted');
        assert.deepEqual([...b.runs], [4, 2]);
    });

    it('records nothing when the ids did not change', () => {
        const h = new EditHistory();
        assert.equal(h.record('Brush', Uint8Array.of(1, 2), Uint8Array.of(1, 2)), undefined);
        assert.equal(h.canUndo, false);
        assert.equal(h.dirty, false);
    });

    it("follows VS Code's stack: a new edit drops the redo part, the save point sets dirty", () => {
        const h = new EditHistory();
        let doc: LabelIds = new Uint8Array(4);
        const edit = (i: number) => {
            const next = doc.slice();
            next[i] = 9;
            const e = h.record(`E${i}`, doc, next);
            doc = next;
            assert.ok(e);
            return e;
        };
        const a = edit(0);
        h.saved();
        assert.equal(h.dirty, false);
        const b = edit(1);
        assert.equal(h.dirty, true);
        h.undo(b, doc);
        assert.equal(h.dirty, false, 'back at the save point');
        h.undo(a, doc);
        assert.equal(h.dirty, true, 'undoing past the save is a change');
        assert.deepEqual([h.canUndo, h.canRedo], [false, true]);
        h.redo(a, doc);
        edit(2);
        assert.equal(h.next('redo'), undefined, 'the undone edit b is gone');
        assert.equal(h.next('undo')?.label, 'E2');
        assert.deepEqual([...doc], [9, 0, 9, 0]);
    });

    it('reverts to the save point and drops the edits after it', () => {
        const h = new EditHistory();
        const ids = [Uint8Array.of(0, 0), Uint8Array.of(1, 0), Uint8Array.of(1, 1)];
        const a = h.record('A', ids[0].slice(), ids[1]);
        assert.ok(a);
        h.saved();
        h.record('B', ids[1].slice(), ids[2]);
        h.reverted();
        assert.equal(h.dirty, false);
        assert.equal(h.canRedo, false, 'B is gone');
        assert.equal(h.next('undo'), a, 'A, before the save, can still be undone');
        const doc = ids[1].slice(); // what Revert read from the file
        h.undo(a, doc);
        assert.deepEqual(doc, ids[0]);
        assert.equal(h.dirty, true);
    });

    it('is dirty after a hot-exit backup until saved', () => {
        const h = new EditHistory(true);
        assert.equal(h.dirty, true);
        h.saved();
        assert.equal(h.dirty, false);
    });

    it('keeps a fill of a large region in a few kilobytes', () => {
        const [w, ht] = [1024, 1024];
        const old = new Uint8Array(w * ht);
        for (let y = 0; y < ht; y++) old.fill(y % 7 === 0 ? 3 : 1, y * w, (y + 1) * w);
        const next = old.map((v) => (v === 1 ? 4 : v));
        const edit = diffIds('Fill', old, next);
        assert.ok(edit);
        assert.equal(edit.pixels, [...old].filter((v) => v === 1).length);
        const bytes = edit.runs.byteLength + edit.before.byteLength + edit.after.byteLength;
        assert.ok(bytes < 16 * 1024, `${bytes} bytes for ${edit.pixels} pixels`);
    });
});
