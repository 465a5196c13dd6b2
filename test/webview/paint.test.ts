/** The webview's DOM-free parts in Node: brush geometry, flood fill, edits, scheduling, colours. */
import { strict as assert } from 'node:assert';
import { EditHistory } from '../../client/src/preview/edit-history';
import type { LabelIds, ModelInfo, SynthesizeMessage } from '../../server/src/protocol/preview';
import { defaultColor } from '../../webview/src/common/palette';
import { percent } from '../../webview/src/common/dom';
import { asIds, asUint8 } from '../../webview/src/common/typed';
import { mismatchMessage, unsupportedIds } from '../../webview/src/preview/compat';
import { MaskState, runsOf } from '../../webview/src/preview/mask-state';
import { brushOffsets, floodRegion, linePoints } from '../../webview/src/preview/paint';
import { displayFactor } from '../../webview/src/preview/render';
import { SynthScheduler } from '../../webview/src/preview/synth-scheduler';
import { makeRandom as rng } from '../../server/src/data/rng';

function randomGrid(w: number, h: number, classes: number, seed: number): Uint8Array {
    const r = rng(seed);
    return Uint8Array.from({ length: w * h }, () => Math.floor(r() * classes));
}

function recount(ids: ArrayLike<number>, size: number): Uint32Array {
    const c = new Uint32Array(size);
    for (let i = 0; i < ids.length; i++) c[ids[i]]++;
    return c;
}

describe('brush geometry', () => {
    it('covers the pixels whose centres lie within size/2 of the brush centre', () => {
        for (const size of [1, 2, 3, 4, 5, 8, 13]) {
            // Brush centre: the centre of pixel (0, 0) for odd sizes, its top-left corner for even.
            const c = size % 2 === 1 ? 0.5 : 0;
            const want = new Set<string>();
            for (let y = -size; y <= size; y++) {
                for (let x = -size; x <= size; x++) {
                    if (Math.hypot(x + 0.5 - c, y + 0.5 - c) <= size / 2) want.add(`${x},${y}`);
                }
            }
            const off = brushOffsets(size);
            const got = new Set<string>();
            for (let k = 0; k < off.length; k += 2) got.add(`${off[k]},${off[k + 1]}`);
            assert.deepEqual(got, want, `size ${size}`);
        }
        assert.equal(brushOffsets(1).length, 2, 'size 1 paints one pixel');
        assert.equal(brushOffsets(3).length, 18, 'size 3 paints a 3x3 square');
    });

    it('walks a line with 8-connected steps and both ends', () => {
        for (const [x0, y0, x1, y1] of [
            [0, 0, 7, 3],
            [5, 5, -4, 9],
            [2, 2, 2, 2],
            [0, 0, 0, -6],
        ]) {
            const pts = linePoints(x0, y0, x1, y1);
            assert.deepEqual(pts[0], [x0, y0]);
            assert.deepEqual(pts[pts.length - 1], [x1, y1]);
            assert.equal(pts.length, Math.max(Math.abs(x1 - x0), Math.abs(y1 - y0)) + 1);
            for (let i = 1; i < pts.length; i++) {
                const step = Math.max(
                    Math.abs(pts[i][0] - pts[i - 1][0]),
                    Math.abs(pts[i][1] - pts[i - 1][1]),
                );
                assert.equal(step, 1);
            }
        }
    });
});

describe('flood fill', () => {
    it('finds the same 4-connected region as a plain breadth-first search', () => {
        for (const seed of [1, 2, 3, 4, 5]) {
            const [w, h] = [37, 23];
            const ids = randomGrid(w, h, 3, seed);
            const x = (seed * 7) % w;
            const y = (seed * 5) % h;
            const want = new Set<number>([y * w + x]);
            const queue = [y * w + x];
            while (queue.length) {
                const i = queue.shift() as number;
                const px = i % w;
                for (const j of [px > 0 ? i - 1 : -1, px < w - 1 ? i + 1 : -1, i - w, i + w]) {
                    if (j >= 0 && j < ids.length && !want.has(j) && ids[j] === ids[i]) {
                        want.add(j);
                        queue.push(j);
                    }
                }
            }
            const got = floodRegion(ids, w, h, x, y);
            assert.equal(got.length, new Set(got).size, 'no pixel twice');
            assert.deepEqual(new Set(got), want, `seed ${seed}`);
        }
    });

    it('returns nothing outside the mask', () => {
        assert.equal(floodRegion(new Uint8Array(4), 2, 2, 2, 0).length, 0);
    });
});

describe('mask edits', () => {
    it("keeps class counts right through strokes, fills and the host's undo and redo", () => {
        const [w, h] = [40, 30];
        const original = randomGrid(w, h, 4, 9);
        const m = new MaskState(original.slice(), w, h);
        // The host side: the document's ids and its history, fed with what the page posts.
        const history = new EditHistory();
        const doc: LabelIds = original.slice();
        const post = (c: { label: string; indices: Uint32Array }): void => {
            history.record(c.label, doc, m.ids, runsOf(c.indices));
            assert.deepEqual(doc, m.ids, 'the host has the page ids');
        };
        m.beginStroke(7, 3, 2, 2);
        m.extendStroke(30, 20);
        const stroke = m.endStroke();
        assert.ok(stroke && stroke.indices.length > 0);
        assert.deepEqual(m.counts, recount(m.ids, 256));
        post(stroke);
        const fill = m.fill(0, 29, 9);
        assert.ok(fill);
        assert.deepEqual(m.counts, recount(m.ids, 256));
        post(fill);
        const painted = m.ids.slice();
        for (const action of ['undo', 'undo'] as const) {
            const edit = history.next(action);
            assert.ok(edit);
            const c = history.undo(edit, doc);
            assert.ok(m.apply(`Undo ${edit.label}`, c.runs, c.ids));
        }
        assert.deepEqual(m.ids, original, 'two undos restore the original');
        assert.deepEqual(m.counts, recount(original, 256));
        assert.equal(history.dirty, false);
        for (const action of ['redo', 'redo'] as const) {
            const edit = history.next(action);
            assert.ok(edit);
            const c = history.redo(edit, doc);
            assert.ok(m.apply(`Redo ${edit.label}`, c.runs, c.ids));
        }
        assert.deepEqual(m.ids, painted, 'two redos paint again');
        assert.deepEqual(m.counts, recount(painted, 256));
        assert.equal(history.canRedo, false);
    });

    it('refuses host pixels that do not fit the mask, setting none of them', () => {
        const m = new MaskState(new Uint8Array(16), 4, 4);
        const runs = (...xs: number[]): Uint32Array => Uint32Array.from(xs);
        assert.equal(m.apply('x', runs(14, 3), Uint8Array.of(1, 1, 1)), undefined, 'past the end');
        assert.equal(m.apply('x', runs(0, 2), Uint8Array.of(1)), undefined, 'too few ids');
        assert.equal(m.apply('x', runs(0, 1), Uint16Array.of(300)), undefined, 'id over 255');
        assert.deepEqual([...m.ids], new Array(16).fill(0));
        const ok = m.apply('x', runs(1, 2, 8, 1), Uint8Array.of(5, 6, 7));
        assert.deepEqual(ok?.indices, Uint32Array.of(1, 2, 8));
        assert.deepEqual([m.ids[1], m.ids[2], m.ids[8], m.counts[0]], [5, 6, 7, 13]);
    });

    it('changes nothing when filling with the class already there', () => {
        const m = new MaskState(new Uint8Array(16), 4, 4);
        assert.equal(m.fill(0, 0, 0), undefined);
    });

    it('edits 16-bit masks with ids above 255', () => {
        const ids = new Uint16Array(64).fill(300);
        const m = new MaskState(ids, 8, 8);
        m.beginStroke(1000, 1, 3, 3);
        m.endStroke();
        assert.equal(m.ids[3 * 8 + 3], 1000);
        assert.equal(m.counts[1000], 1);
        assert.equal(m.counts[300], 63);
    });
});

describe('synthesis scheduling', () => {
    function fakeTimers(): {
        timers: { setTimeout(fn: () => void, ms: number): unknown; clearTimeout(h: unknown): void };
        fire(): void;
    } {
        const pending = new Map<number, () => void>();
        let next = 1;
        return {
            timers: {
                setTimeout: (fn) => {
                    pending.set(next, fn);
                    return next++;
                },
                clearTimeout: (h) => pending.delete(h as number),
            },
            fire: () => {
                const fns = [...pending.values()];
                pending.clear();
                fns.forEach((f) => f());
            },
        };
    }
    const req = (requestId: number): SynthesizeMessage => ({
        type: 'synthesize',
        requestId,
        ids: new Uint8Array(1),
        width: 1,
        height: 1,
        seed: 0,
        samples: 1,
    });

    it('coalesces edits within the debounce, numbers requests and cancels the stale one', () => {
        const posted: { type: string; requestId: number }[] = [];
        const t = fakeTimers();
        const s = new SynthScheduler({ build: req, post: (m) => posted.push(m) }, t.timers, 100);
        s.scheduleSoon();
        s.scheduleSoon();
        s.scheduleSoon();
        assert.equal(posted.length, 0, 'nothing before the debounce ends');
        t.fire();
        assert.deepEqual(posted, [req(1)]);
        s.sendNow();
        assert.deepEqual(posted.slice(1), [{ type: 'cancel', requestId: 1 }, req(2)]);
        assert.equal(s.settle(1), false, 'the answer to a stale request is dropped');
        assert.equal(s.settle(2), true);
        assert.equal(s.pending, false);
        s.sendNow();
        assert.equal(posted[posted.length - 1].type, 'synthesize', 'no cancel once answered');
    });

    it('sends nothing while the page cannot build a request', () => {
        const posted: unknown[] = [];
        const s = new SynthScheduler(
            { build: () => undefined, post: (m) => posted.push(m) },
            fakeTimers().timers,
            10,
        );
        assert.equal(s.sendNow(), undefined);
        assert.equal(posted.length, 0);
    });
});

describe('mask and model fit', () => {
    const model: ModelInfo = {
        name: 'm',
        kind: 'onnx',
        labelClasses: 10,
        dontcareValue: 255,
        inputChannels: 11,
        hasStyleEncoder: false,
        outputWidth: 64,
        outputHeight: 64,
    };

    it('accepts class ids below the class count and the dontcare value', () => {
        const counts = new Uint32Array(256);
        counts[0] = 5;
        counts[9] = 1;
        counts[255] = 3;
        assert.deepEqual(unsupportedIds(counts, model), []);
        assert.equal(mismatchMessage('a.png', counts, model), undefined);
    });

    it('names the file, the bad ids, their pixels, the model and what to do', () => {
        const counts = new Uint32Array(256);
        counts[10] = 2;
        counts[42] = 1000;
        const msg = mismatchMessage('a.png', counts, model) as string;
        assert.match(msg, /^a\.png has class ids the model cannot take: 10, 42 \(1,002 pixels\)/);
        assert.match(msg, /Model "m" has 10 classes \(ids 0-9, 255 = unlabeled\)/);
        assert.match(msg, /Choose a model/);
    });
});

describe('display helpers', () => {
    it('uses the VOC-style colour map shifted by one, so id 0 is not black', () => {
        assert.deepEqual(defaultColor(0), [128, 0, 0]);
        assert.deepEqual(defaultColor(1), [0, 128, 0]);
        assert.deepEqual(defaultColor(2), [128, 128, 0]);
        const all = new Set(Array.from({ length: 183 }, (_, i) => defaultColor(i).join(',')));
        assert.equal(all.size, 183, 'COCO-Stuff classes get distinct colours');
    });

    it('downscales by the smallest integer factor that fits the budget', () => {
        assert.equal(displayFactor(640, 426, 4_000_000), 1);
        const k = displayFactor(20000, 15000, 4_000_000);
        assert.ok(Math.ceil(20000 / k) * Math.ceil(15000 / k) <= 4_000_000);
        assert.ok(Math.ceil(20000 / (k - 1)) * Math.ceil(15000 / (k - 1)) > 4_000_000);
    });

    it('writes tiny nonzero shares as <0.01%', () => {
        assert.equal(percent(0.30523), '30.52%');
        assert.equal(percent(0), '0.00%');
        assert.equal(percent(0.00001), '<0.01%');
    });

    it('accepts ids and bytes that arrive as plain arrays or indexed objects', () => {
        const wide = Uint16Array.from([1, 300]);
        assert.equal(asIds(wide, true), wide, 'a typed array of the right width is used as is');
        assert.deepEqual(asIds({ 0: 1, 1: 300 }, true), wide);
        assert.deepEqual(asIds([7, 8], false), Uint8Array.from([7, 8]));
        assert.deepEqual(asIds(Uint8Array.from([7]), true), Uint16Array.from([7]));
        assert.deepEqual(asUint8({ 0: 137, 1: 80 }), Uint8Array.from([137, 80]));
    });
});
