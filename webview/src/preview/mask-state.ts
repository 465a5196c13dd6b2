/**
 * The mask being edited: its ids, a per-class pixel count kept up to date by every change,
 * and an undo/redo history. DOM-free, so it is unit-tested in Node.
 */
import type { LabelIds } from '../../../server/src/protocol/preview';
import { brushOffsets, floodRegion, linePoints, stamp } from './paint';

/** One undoable change: the pixels it touched, their ids before, and the single id written. */
export interface Change {
    label: string;
    indices: Uint32Array;
    before: LabelIds;
    after: number;
    /** Unique per change, so "dirty" survives undo/redo round trips. */
    serial: number;
}

/** Pixel rectangle (inclusive-exclusive) that a change touched, for partial redraws. */
export interface Rect {
    x0: number;
    y0: number;
    x1: number;
    y1: number;
}

/** Most changes kept for undo; older ones are dropped (their pixels stay as they are). */
const HISTORY_LIMIT = 200;

/** One pixel's share of `contentHash`: a well-mixed 32-bit value of its index and id. */
function pixelHash(i: number, id: number): number {
    let h = Math.imul(i ^ 0x9e3779b9, 0x85ebca6b) ^ Math.imul(id + 0x632be5ab, 0xc2b2ae35);
    h = Math.imul(h ^ (h >>> 16), 0x7feb352d);
    return (h ^ (h >>> 15)) >>> 0;
}

/** An editable label map with counts and history. */
export class MaskState {
    readonly counts: Uint32Array;
    private undoStack: Change[] = [];
    private redoStack: Change[] = [];
    private serial = 0;
    private savedSerial = 0;
    private stroke: { label: string; value: number; touched: Map<number, number> } | undefined;
    private offsets = brushOffsets(1);
    private last: [number, number] | undefined;
    private hash = 0;

    constructor(
        readonly ids: LabelIds,
        readonly width: number,
        readonly height: number,
    ) {
        this.counts = new Uint32Array(ids instanceof Uint16Array ? 65536 : 256);
        for (let i = 0; i < ids.length; i++) {
            this.counts[ids[i]]++;
            this.hash = (this.hash + pixelHash(i, ids[i])) >>> 0;
        }
    }

    /**
     * A hash of the ids, kept up to date by every change (a sum of per-pixel hashes, so a
     * change costs only its pixels): tells whether a saved history belongs to these ids.
     */
    get contentHash(): number {
        return this.hash;
    }

    /** The undo and redo stacks (oldest first; the next redo last) and the saved marker. */
    history(): { undo: readonly Change[]; redo: readonly Change[]; savedSerial: number } {
        return { undo: this.undoStack, redo: this.redoStack, savedSerial: this.savedSerial };
    }

    /** Replaces the history (one saved for these very ids, see history-codec.ts). */
    restoreHistory(undo: Change[], redo: Change[], savedSerial: number): void {
        this.undoStack = undo.slice(-HISTORY_LIMIT);
        this.redoStack = redo;
        this.savedSerial = savedSerial;
        this.serial = Math.max(
            0,
            savedSerial,
            ...undo.map((c) => c.serial),
            ...redo.map((c) => c.serial),
        );
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

    get canUndo(): boolean {
        return this.undoStack.length > 0;
    }

    get canRedo(): boolean {
        return this.redoStack.length > 0;
    }

    /** Whether the ids differ from the last loaded or saved state (as far as history knows). */
    get dirty(): boolean {
        const top = this.undoStack[this.undoStack.length - 1];
        return (top ? top.serial : 0) !== this.savedSerial;
    }

    /** Marks the current ids as saved. */
    markSaved(): void {
        const top = this.undoStack[this.undoStack.length - 1];
        this.savedSerial = top ? top.serial : 0;
    }

    /** Marks the state as unsaved with no history to get back (ids restored after hide/show). */
    markUnsavedBaseline(): void {
        this.savedSerial = -1;
    }

    /** Starts a brush stroke painting `value` with a brush of `size`, at pixel (x, y). */
    beginStroke(value: number, size: number, x: number, y: number): Rect {
        this.stroke = { label: 'Brush', value, touched: new Map() };
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
        const indices = Uint32Array.from(s.touched.keys());
        const before = this.newIds(indices.length);
        let k = 0;
        for (const old of s.touched.values()) before[k++] = old;
        return this.push({ label: s.label, indices, before, after: s.value, serial: 0 });
    }

    get stroking(): boolean {
        return this.stroke !== undefined;
    }

    /** Flood-fills the region of (x, y) with `value`; undefined when nothing changes. */
    fill(x: number, y: number, value: number): Change | undefined {
        const at = this.idAt(x, y);
        if (at === undefined || at === value) return undefined;
        const indices = floodRegion(this.ids, this.width, this.height, x, y);
        const before = this.newIds(indices.length);
        for (let k = 0; k < indices.length; k++) before[k] = this.ids[indices[k]];
        this.write(indices, value);
        return this.push({ label: 'Fill', indices, before, after: value, serial: 0 });
    }

    /** Undoes the last change; returns it (for redraws), or undefined when there is none. */
    undo(): Change | undefined {
        const c = this.undoStack.pop();
        if (!c) return undefined;
        for (let k = 0; k < c.indices.length; k++) this.set(c.indices[k], c.before[k]);
        this.redoStack.push(c);
        return c;
    }

    /** Redoes the last undone change. */
    redo(): Change | undefined {
        const c = this.redoStack.pop();
        if (!c) return undefined;
        this.write(c.indices, c.after);
        this.undoStack.push(c);
        return c;
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
                const old = this.ids[i];
                if (old === s.value) return;
                if (!s.touched.has(i)) s.touched.set(i, old);
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

    private push(c: Change): Change {
        c.serial = ++this.serial;
        this.undoStack.push(c);
        if (this.undoStack.length > HISTORY_LIMIT) this.undoStack.shift();
        this.redoStack = [];
        return c;
    }

    private write(indices: Uint32Array, value: number): void {
        for (let k = 0; k < indices.length; k++) this.set(indices[k], value);
    }

    private set(i: number, value: number): void {
        const old = this.ids[i];
        this.counts[old]--;
        this.ids[i] = value;
        this.counts[value]++;
        this.hash = (this.hash - pixelHash(i, old) + pixelHash(i, value)) >>> 0;
    }

    private newIds(n: number): LabelIds {
        return this.ids instanceof Uint16Array ? new Uint16Array(n) : new Uint8Array(n);
    }
}
