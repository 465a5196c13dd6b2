/**
 * The undo history of one mask document. The host keeps it, not the page: VS Code calls the
 * `undo`/`redo` of an edit whenever its own stack says so (Edit > Undo, the Ctrl+Z it takes
 * from the webview, after a revert, with several panels on the file or with the page that
 * painted the edit reloaded), so every edit must be able to undo itself from the host alone.
 *
 * An edit is the difference between the ids before and after a stroke or fill: runs of changed
 * pixel indices with run-length old and new ids, so even a fill of a whole large mask takes a
 * few kilobytes. The bookkeeping (edit list, current edit, save point) mirrors VS Code's model
 * of a custom document, so `dirty`, `canUndo` and `canRedo` agree with VS Code's. vscode-free.
 */
import type { LabelIds } from '../../../server/src/protocol/preview';

/** Pixels to set: runs (start, length pairs, ascending) and the id of each pixel in run order. */
export interface PixelChange {
    runs: Uint32Array;
    ids: LabelIds;
}

/** Ids as (value, count) pairs over the pixels of a change's runs, in run order. */
type Rle = Uint32Array;

/** One recorded stroke or fill. */
export class MaskEdit {
    constructor(
        readonly label: string,
        /** Changed pixels: start, length pairs, ascending. */
        readonly runs: Uint32Array,
        readonly before: Rle,
        readonly after: Rle,
    ) {}

    /** Number of pixels the edit changed. */
    get pixels(): number {
        let n = 0;
        for (let r = 1; r < this.runs.length; r += 2) n += this.runs[r];
        return n;
    }

    /** The pixels as the edit leaves them (for other panels on the file). */
    result(wide: boolean): PixelChange {
        return { runs: this.runs, ids: expand(this.after, this.pixels, wide) };
    }
}

/** Run-length values as one id per pixel. */
function expand(values: Rle, total: number, wide: boolean): LabelIds {
    const out = wide ? new Uint16Array(total) : new Uint8Array(total);
    let k = 0;
    for (let v = 0; v < values.length; v += 2) {
        out.fill(values[v], k, k + values[v + 1]);
        k += values[v + 1];
    }
    return out;
}

/**
 * The edit that turns `old` into `next` (same length) at the pixels of `within` (start, length
 * pairs, ascending; default: all), or undefined when they are equal there.
 */
export function diffIds(
    label: string,
    old: LabelIds,
    next: LabelIds,
    within: ArrayLike<number> = [0, old.length],
): MaskEdit | undefined {
    const runs: number[] = [];
    const before: number[] = [];
    const after: number[] = [];
    const push = (rle: number[], v: number): void => {
        if (rle.length > 0 && rle[rle.length - 2] === v) rle[rle.length - 1]++;
        else rle.push(v, 1);
    };
    for (let w = 0; w + 1 < within.length; w += 2) {
        for (let i = within[w]; i < within[w] + within[w + 1]; i++) {
            if (old[i] === next[i]) continue;
            const last = runs.length - 2;
            if (last >= 0 && runs[last] + runs[last + 1] === i) runs[last + 1]++;
            else runs.push(i, 1);
            push(before, old[i]);
            push(after, next[i]);
        }
    }
    if (runs.length === 0) return undefined;
    return new MaskEdit(
        label,
        Uint32Array.from(runs),
        Uint32Array.from(before),
        Uint32Array.from(after),
    );
}

/** Writes run-length `values` over the edit's runs into `ids`; returns what was written. */
function write(ids: LabelIds, edit: MaskEdit, values: Rle): PixelChange {
    const runs = edit.runs;
    const out = expand(values, edit.pixels, ids instanceof Uint16Array);
    let k = 0;
    for (let r = 0; r < runs.length; r += 2) {
        ids.set(out.subarray(k, k + runs[r + 1]), runs[r]);
        k += runs[r + 1];
    }
    return { runs, ids: out };
}

/** The edits of one document and where VS Code stands in them. */
export class EditHistory {
    private edits: MaskEdit[] = [];
    /** Index of the last edit in effect; -1: none (the ids as loaded). */
    private current = -1;
    /** `current` when the file was last written or read. */
    private savePoint = -1;

    /** `fromBackup`: the ids came from a hot-exit backup, so they differ from the file. */
    constructor(private fromBackup = false) {}

    /** Whether the ids differ from the file, as VS Code decides it for a custom document. */
    get dirty(): boolean {
        return this.edits.length > 0 ? this.savePoint !== this.current : this.fromBackup;
    }

    get canUndo(): boolean {
        return this.current >= 0;
    }

    get canRedo(): boolean {
        return this.current < this.edits.length - 1;
    }

    /**
     * Takes the pixels of `within` (start, length pairs; default: all) from `next` into `ids`
     * and records the change as a new edit after the current one; the edits that could have
     * been redone are dropped, as VS Code drops them. Undefined: nothing changed.
     *
     * A page names the pixels it painted, so a stroke it sent before it saw an undo from VS
     * Code does not take back the undo's other pixels.
     */
    record(
        label: string,
        ids: LabelIds,
        next: LabelIds,
        within?: ArrayLike<number>,
    ): MaskEdit | undefined {
        const edit = diffIds(label, ids, next, within);
        if (!edit) return undefined;
        write(ids, edit, edit.after);
        this.edits.splice(this.current + 1, this.edits.length, edit);
        this.current = this.edits.length - 1;
        return edit;
    }

    /** Undoes `edit` in `ids` (VS Code asks for the current one); returns the pixels set. */
    undo(edit: MaskEdit, ids: LabelIds): PixelChange {
        const k = this.edits.indexOf(edit);
        if (k >= 0) this.current = k - 1;
        return write(ids, edit, edit.before);
    }

    /** Redoes `edit` in `ids`; returns the pixels set. */
    redo(edit: MaskEdit, ids: LabelIds): PixelChange {
        const k = this.edits.indexOf(edit);
        if (k >= 0) this.current = k;
        return write(ids, edit, edit.after);
    }

    /**
     * The edit VS Code's Undo (Redo) reaches next, by this mirror of its stack; for a host
     * that stands in for VS Code (the page tests).
     */
    next(action: 'undo' | 'redo'): MaskEdit | undefined {
        return this.edits[action === 'undo' ? this.current : this.current + 1];
    }

    /** The ids were written to the file (Save, Save As). */
    saved(): void {
        this.savePoint = this.current;
        this.fromBackup = false;
    }

    /** The file was read again (Revert): back to the save point, the edits after it gone. */
    reverted(): void {
        this.current = this.savePoint;
        this.edits.length = this.current + 1;
        this.fromBackup = false;
    }
}
