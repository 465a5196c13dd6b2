/**
 * Looking at a label file without training on it, for the dataset check (issue 3) and the mask
 * preview (issue 7): format, bit depth, palette, orientation, size and value histogram.
 */
import { DataError, asDataError } from './issues';
import type { DataIssue } from './issues';
import { readLabelMap } from './label-file';
import type { LabelFormat, ReadLabelOptions } from './label-file';
import type { IdMap } from './resample';

/** Class ids found in a map with their pixel counts, ascending by id. */
export function histogram(ids: IdMap): Array<[number, number]> {
    const m = new Map<number, number>();
    for (const v of ids.data) m.set(v, (m.get(v) ?? 0) + 1);
    return [...m.entries()].sort((a, b) => a[0] - b[0]);
}

/** What `inspectLabelFile` reports. */
export interface LabelInspection {
    file: string;
    format: LabelFormat;
    /** Upright size (after EXIF orientation). */
    width: number;
    height: number;
    /** [id, pixel count] ascending by id. */
    histogram: Array<[number, number]>;
    issues: DataIssue[];
    /** Set when the file could not be read; then histogram is empty. */
    error?: DataIssue;
}

/**
 * Looks at a label file without training on it: format, bit depth, palette, orientation,
 * sizes and value histogram. Never throws for bad files; the problem is in `error`.
 */
export async function inspectLabelFile(
    file: string,
    opts: ReadLabelOptions = {},
): Promise<LabelInspection> {
    try {
        const m = await readLabelMap(file, opts);
        return {
            file,
            format: m.format,
            width: m.ids.width,
            height: m.ids.height,
            histogram: histogram(m.ids),
            issues: m.issues,
        };
    } catch (e) {
        const err = e instanceof DataError ? e : asDataError(e, file);
        return {
            file,
            format: {
                container: 'unknown',
                encoding: 'grey8',
                bitDepth: 0,
                channels: 0,
                hasAlpha: false,
                orientation: 1,
                storedWidth: 0,
                storedHeight: 0,
                lossy: false,
            },
            width: 0,
            height: 0,
            histogram: [],
            issues: [],
            error: err.issue,
        };
    }
}
