/**
 * The paint history in and out of the webview state (`SavedHistory`), so undo and redo
 * survive VS Code reloading the page when the panel is hidden and shown. A change is stored as
 * runs: its pixel indices ascending as (gap, length) pairs and its old ids as (id, count)
 * pairs, LEB128 varints in base64. A brush stroke or fill is a few runs per row, so a typical
 * change takes a few hundred bytes; the oldest changes go first above the cap. DOM-free.
 */
import type { LabelIds, SavedChange, SavedHistory } from '../../../server/src/protocol/preview';
import type { Change, MaskState } from './mask-state';

/** Most characters of encoded changes kept in the webview state (VS Code copies it on each save). */
export const HISTORY_STATE_CAP = 8 * 1024 * 1024;

/** Encoded changes by change: each is encoded once, however often the history is saved. */
const encoded = new WeakMap<Change, SavedChange>();

function pushVarint(out: number[], v: number): void {
    while (v >= 0x80) {
        out.push((v % 0x80) | 0x80);
        v = Math.floor(v / 0x80);
    }
    out.push(v);
}

function toBase64(bytes: number[]): string {
    let s = '';
    for (let i = 0; i < bytes.length; i += 0x8000) {
        s += String.fromCharCode(...bytes.slice(i, i + 0x8000));
    }
    return btoa(s);
}

/** The varints of a base64 string; throws on a truncated one. */
function readVarints(b64: string): number[] {
    const s = atob(b64);
    const out: number[] = [];
    let v = 0;
    let scale = 1;
    for (let i = 0; i < s.length; i++) {
        const b = s.charCodeAt(i);
        v += (b & 0x7f) * scale;
        if (b & 0x80) {
            scale *= 0x80;
            if (scale > 2 ** 35) throw new Error('varint too long');
        } else {
            out.push(v);
            v = 0;
            scale = 1;
        }
    }
    if (scale !== 1) throw new Error('truncated varint');
    return out;
}

/** A change in its saved form (cached per change). */
export function encodeChange(c: Change): SavedChange {
    const hit = encoded.get(c);
    if (hit) return hit;
    // Fills come out ascending; strokes in painting order, which runs need sorted.
    const order = Array.from(c.indices.keys());
    if (!c.indices.every((v, k) => k === 0 || v > c.indices[k - 1]))
        order.sort((a, b) => c.indices[a] - c.indices[b]);
    const runs: number[] = [];
    const olds: number[] = [];
    let end = 0;
    for (let k = 0; k < order.length;) {
        const start = c.indices[order[k]];
        let n = 1;
        while (k + n < order.length && c.indices[order[k + n]] === start + n) n++;
        pushVarint(runs, start - end);
        pushVarint(runs, n);
        end = start + n;
        k += n;
    }
    for (let k = 0; k < order.length;) {
        const id = c.before[order[k]];
        let n = 1;
        while (k + n < order.length && c.before[order[k + n]] === id) n++;
        pushVarint(olds, id);
        pushVarint(olds, n);
        k += n;
    }
    const saved: SavedChange = {
        label: c.label,
        after: c.after,
        serial: c.serial,
        indices: toBase64(runs),
        before: toBase64(olds),
    };
    encoded.set(c, saved);
    return saved;
}

/** A change from its saved form; throws when it does not fit a mask of `pixels` and `maxId`. */
export function decodeChange(s: SavedChange, pixels: number, maxId: number): Change {
    const runs = readVarints(s.indices);
    const olds = readVarints(s.before);
    if (runs.length % 2 || olds.length % 2) throw new Error('odd run list');
    const indices: number[] = [];
    let end = 0;
    for (let r = 0; r < runs.length; r += 2) {
        const start = end + runs[r];
        end = start + runs[r + 1];
        if (end > pixels) throw new Error('pixel index beyond the mask');
        for (let i = start; i < end; i++) indices.push(i);
    }
    const before: LabelIds =
        maxId > 255 ? new Uint16Array(indices.length) : new Uint8Array(indices.length);
    let k = 0;
    for (let r = 0; r < olds.length; r += 2) {
        if (olds[r] > maxId || k + olds[r + 1] > indices.length) throw new Error('bad old ids');
        before.fill(olds[r], k, k + olds[r + 1]);
        k += olds[r + 1];
    }
    const ok = k === indices.length && s.after <= maxId && Number.isInteger(s.serial);
    if (!ok) throw new Error('the change does not fit the mask');
    return {
        label: String(s.label),
        indices: Uint32Array.from(indices),
        before,
        after: s.after,
        serial: s.serial,
    };
}

/** What a saved change costs in the state, in characters (its fields and some JSON). */
export function savedSize(c: SavedChange): number {
    return c.indices.length + c.before.length + c.label.length + 64;
}

/** The saved form of a mask's history, the oldest changes dropped to stay within `cap`. */
export function saveHistory(
    mask: MaskState,
    fileName: string,
    cap = HISTORY_STATE_CAP,
): SavedHistory {
    const h = mask.history();
    const undo = h.undo.map(encodeChange);
    const redo = h.redo.map(encodeChange);
    const size = savedSize;
    let total = [...undo, ...redo].reduce((n, c) => n + size(c), 0);
    // Undo's oldest first; then redo's furthest (the bottom of its stack).
    while (total > cap && undo.length > 0) total -= size(undo.shift() as SavedChange);
    while (total > cap && redo.length > 0) total -= size(redo.shift() as SavedChange);
    return {
        fileName,
        width: mask.width,
        height: mask.height,
        idsHash: mask.contentHash,
        undo,
        redo,
        savedSerial: h.savedSerial,
    };
}

/**
 * Puts a saved history back onto `mask` when it belongs to these ids (name, size, content
 * hash); returns whether it did. A history that does not fit is ignored, never half applied.
 */
export function restoreHistory(mask: MaskState, saved: SavedHistory, fileName: string): boolean {
    const fits =
        saved.fileName === fileName &&
        saved.width === mask.width &&
        saved.height === mask.height &&
        saved.idsHash === mask.contentHash;
    if (!fits) return false;
    try {
        const pixels = mask.width * mask.height;
        const undo = saved.undo.map((c) => decodeChange(c, pixels, mask.maxId));
        const redo = saved.redo.map((c) => decodeChange(c, pixels, mask.maxId));
        mask.restoreHistory(undo, redo, saved.savedSerial);
        return true;
    } catch {
        return false;
    }
}
