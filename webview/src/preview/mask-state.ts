/**
 * The mask being edited: its ids and a per-class pixel count kept up to date by every change.
 * The undo history is the host's (client/src/preview/edit-history.ts): the page paints, posts
 * the ids, and sets the pixels the host sends back for VS Code's undo and redo. DOM-free, so
 * it is unit-tested in Node.
 */
import type { LabelIds } from '../../../server/src/protocol/preview';
import { brushOffsets, floodRegion, linePoints, stamp } from './paint';

/** A change to the ids: the pixels it touched (for redraws and counts). */
export interface Change {
    label: string;
    indices: Uint32Array;
}

/** Pixel indices (any order, no repeats) as runs: start, length pairs, ascending. */
export function runsOf(indices: Uint32Array): Uint32Array {
    const sorted = indices.slice().sort();
    const runs: number[] = [];
    for (const i of sorted) {
        const last = runs.length - 2;
        if (last >= 0 && runs[last] + runs[last + 1] === i) runs[last + 1]++;
        else runs.push(i, 1);
    }
    return Uint32Array.from(runs);
}

/** Pixel rectangle (inclusive-exclusive) that a change touched, for partial redraws. */
export interface Rect {
    x0: number;
    y0: number;
    x1: number;
    y1: number;
}

/** An editable label map with counts. */
export class MaskState {
    readonly counts: Uint32Array;
    private stroke: { label: string; value: number; touched: Set<number> } | undefined;
    private offsets = brushOffsets(1);
    private last: [number, number] | undefined;

    constructor(
        readonly ids: LabelIds,
        readonly width: number,
        readonly height: number,
    ) {
        this.counts = new Uint32Array(ids instanceof Uint16Array ? 65536 : 256);
        for (let i = 0; i < ids.length; i++) this.counts[ids[i]]++;
    }

    /** Largest id a pixel may hold in this mask's dtype. */
    get maxId(): number {
        return this.counts.length - 1;
    }

    /** Ids present in the mask, ascending. */
    presentIds(): number[] {
        const out: number[] = [];
        for (let id = 0; id < this.counts.length; id++) if (this.counts[id] > 0) out.push(id);
        return out;
    }

    /** The id at a pixel, or undefined outside the mask. */
    idAt(x: number, y: number): number | undefined {
        if (x < 0 || y < 0 || x >= this.width || y >= this.height) return undefined;
        return this.ids[y * this.width + x];
    }

    /** Starts a brush stroke painting `value` with a brush of `size`, at pixel (x, y). */
    beginStroke(value: number, size: number, x: number, y: number): Rect {
        this.stroke = { label: 'Brush', value, touched: new Set() };
        this.offsets = brushOffsets(size);
        this.last = [x, y];
        return this.paintSegment(x, y, x, y);
    }

    /** Continues the stroke to (x, y); returns the rectangle that may have changed. */
    extendStroke(x: number, y: number): Rect | undefined {
        if (!this.stroke || !this.last) return undefined;
        const [lx, ly] = this.last;
        this.last = [x, y];
        return this.paintSegment(lx, ly, x, y);
    }

    /** Ends the stroke; returns its change (undefined when it changed no pixel). */
    endStroke(): Change | undefined {
        const s = this.stroke;
        this.stroke = undefined;
        this.last = undefined;
        if (!s || s.touched.size === 0) return undefined;
        return { label: s.label, indices: Uint32Array.from(s.touched) };
    }

    get stroking(): boolean {
        return this.stroke !== undefined;
    }

    /** Flood-fills the region of (x, y) with `value`; undefined when nothing changes. */
    fill(x: number, y: number, value: number): Change | undefined {
        const at = this.idAt(x, y);
        if (at === undefined || at === value) return undefined;
        const indices = floodRegion(this.ids, this.width, this.height, x, y);
        for (let k = 0; k < indices.length; k++) this.set(indices[k], value);
        return { label: 'Fill', indices };
    }

    /**
     * Sets pixels the host sent (VS Code's undo or redo, another panel's edit): `runs` are
     * start, length pairs of pixel indices, `ids` the new id of each of their pixels in order.
     * Undefined when they do not fit this mask (nothing is set then).
     */
    apply(label: string, runs: Uint32Array, ids: ArrayLike<number>): Change | undefined {
        const indices = new Uint32Array(ids.length);
        let k = 0;
        for (let r = 0; r + 1 < runs.length; r += 2) {
            const [start, n] = [runs[r], runs[r + 1]];
            if (start + n > this.ids.length || k + n > ids.length) return undefined;
            for (let i = 0; i < n; i++) indices[k + i] = start + i;
            k += n;
        }
        if (k !== ids.length || runs.length % 2 !== 0) return undefined;
        for (let j = 0; j < k; j++) if (ids[j] > this.maxId) return undefined;
        for (let j = 0; j < k; j++) this.set(indices[j], ids[j]);
        return { label, indices };
    }

    /** The bounding rectangle of a change's pixels. */
    rectOf(c: Change): Rect {
        let x0 = this.width;
        let y0 = this.height;
        let x1 = 0;
        let y1 = 0;
        for (const i of c.indices) {
            const x = i % this.width;
            const y = (i - x) / this.width;
            if (x < x0) x0 = x;
            if (y < y0) y0 = y;
            if (x >= x1) x1 = x + 1;
            if (y >= y1) y1 = y + 1;
        }
        return { x0, y0, x1, y1 };
    }

    private paintSegment(xa: number, ya: number, xb: number, yb: number): Rect {
        const s = this.stroke;
        const r = Math.ceil(Math.sqrt(this.offsets.length)) + 1;
        if (s) {
            const visit = (i: number): void => {
                if (this.ids[i] === s.value) return;
                s.touched.add(i);
                this.set(i, s.value);
            };
            for (const [x, y] of linePoints(xa, ya, xb, yb)) {
                stamp(this.offsets, x, y, this.width, this.height, visit);
            }
        }
        return {
            x0: Math.max(0, Math.min(xa, xb) - r),
            y0: Math.max(0, Math.min(ya, yb) - r),
            x1: Math.min(this.width, Math.max(xa, xb) + r + 1),
            y1: Math.min(this.height, Math.max(ya, yb) + r + 1),
        };
    }

    private set(i: number, value: number): void {
        this.counts[this.ids[i]]--;
        this.ids[i] = value;
        this.counts[value]++;
    }
}
