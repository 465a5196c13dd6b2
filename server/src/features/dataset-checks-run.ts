/**
 * One dataset check: index the files (pairing), then open label maps, photos and instance
 * maps sample by sample, spread evenly over the dataset, until every sample is seen or the
 * time or file budget runs out (then the result says it is partial). Per-file results are
 * cached by path + mtime + size, so a re-check after an edit opens only changed files.
 */
import * as path from 'node:path';
import { builtinPalette } from '../data/palettes';
import type { DataIssue, DatasetIndex, LabelInspection, Palette } from '../data';
import type { DiagnosticKind } from '../language/catalog';
import type { Anchor, CheckTarget } from './dataset-checks-options';
import type { DatasetFiles, FileStamp, ImageHeader } from './dataset-checks-files';
import { Accumulator, type ClassCount, type Finding } from './dataset-checks-findings';

export type { ClassCount, Finding } from './dataset-checks-findings';

/** The outcome of checking one dataset. */
export interface DatasetCheckResult {
    key: string;
    samples: number;
    /** Label maps opened (fewer than `samples` when partial). */
    inspected: number;
    partial: boolean;
    /** Why the check stopped early, for the message ('time budget 4 s'). */
    stoppedBy?: string;
    elapsedMs: number;
    findings: Finding[];
    histogram: ClassCount[];
    classNames?: string[];
    firstLabel?: string;
}

/** How much one check may do: wall time (listing included) and files opened. */
export interface CheckBudget {
    timeMs: number;
    maxSamples: number;
}

/** Per-file results kept per cache (label inspections, image headers). */
const MAX_CACHED = 200_000;

export const DEFAULT_BUDGET: CheckBudget = { timeMs: 4000, maxSamples: 2000 };

/** Anything that says "stop" (an LSP cancellation token fits). */
export interface StopToken {
    readonly isCancellationRequested: boolean;
}

interface Cached<T> {
    stamp: FileStamp;
    extra: string;
    value: T;
}

/** Sample indices in an order whose every prefix is spread over 0..n-1 (bit reversal). */
export function spreadOrder(n: number): number[] {
    if (n <= 1) return n === 1 ? [0] : [];
    const bits = Math.ceil(Math.log2(n));
    const out: number[] = [];
    for (let i = 0; i < 1 << bits; i++) {
        let r = 0;
        for (let b = 0; b < bits; b++) if (i & (1 << b)) r |= 1 << (bits - 1 - b);
        if (r < n) out.push(r);
    }
    return out;
}

const PAIRING: Partial<Record<DataIssue['code'], DiagnosticKind>> = {
    'folder-missing': 'dataFolderMissing',
    'missing-image': 'dataUnpaired',
    'missing-instance': 'dataUnpaired',
    'extra-image': 'dataExtra',
    'extra-instance': 'dataExtra',
    'empty-dataset': 'dataEmpty',
};

/**
 * The property a folder issue is about: each issue names the folder it concerns (labels without
 * images name the image folder, unused images too), so it points at that folder's property.
 */
function folderAnchor(dir: string, folders: DatasetIndex['folders']): Anchor {
    if (dir === folders.image) return 'imageFolder';
    if (dir === folders.instance) return 'instanceFolder';
    if (dir === folders.label) return 'labelFolder';
    return 'folders';
}

/** Runs dataset checks with per-file caches that live as long as this object. */
export class DatasetChecker {
    private readonly labels = new Map<string, Cached<LabelInspection>>();
    private readonly headers = new Map<string, Cached<ImageHeader>>();

    constructor(private readonly files: DatasetFiles) {}

    /** Checks one dataset; undefined when cancelled. Never throws for bad files. */
    async run(
        target: CheckTarget,
        token: StopToken,
        budget: CheckBudget = DEFAULT_BUDGET,
    ): Promise<DatasetCheckResult | undefined> {
        const started = Date.now();
        const o = target.options;
        const acc = new Accumulator(o);
        let palette: Palette | undefined = builtinPalette(o.mode);
        let classNames: string[] | undefined;
        if (o.classFile) {
            try {
                const cf = this.files.classFile(o.classFile);
                classNames = cf.names;
                palette = cf.palette ?? palette;
            } catch (e) {
                acc.add('dataClassFile', 'classFile', (e as Error).message, [o.classFile]);
            }
        }
        const index = await this.files.index(o, token);
        if (!index) return undefined;
        for (const i of index.issues) {
            const kind = PAIRING[i.code];
            if (!kind) continue;
            const listed = (i.detail?.files as string[] | undefined) ?? [i.file];
            acc.add(kind, folderAnchor(i.file, index.folders), i.message, listed);
        }
        const entries = index.entries;
        const order = spreadOrder(entries.length);
        const deadline = started + budget.timeMs;
        const paletteKey = palette?.source ?? '';
        let inspected = 0;
        let stoppedBy: string | undefined;
        for (const k of order) {
            if (token.isCancellationRequested) return undefined;
            if (inspected >= budget.maxSamples) {
                stoppedBy = `limit of ${budget.maxSamples} samples per check`;
                break;
            }
            if (Date.now() >= deadline) {
                stoppedBy = `time budget ${fmtSeconds(budget.timeMs)}`;
                break;
            }
            const e = entries[k];
            const label = await this.cached(this.labels, e.label, paletteKey, () =>
                this.files.inspectLabel(e.label, { palette }),
            );
            const image = await this.cached(this.headers, e.image, '', () =>
                this.files.imageHeader(e.image),
            );
            const instance = e.instance
                ? await this.cached(this.headers, e.instance, '', () =>
                      this.files.imageHeader(e.instance!),
                  )
                : undefined;
            acc.sample(label, e.image, image, e.instance, instance);
            inspected++;
        }
        if (token.isCancellationRequested) return undefined;
        const findings = acc.findings();
        const rgb = findings.find((f) => f.kind === 'dataRgbMask');
        if (rgb && !o.classFile) {
            const dirs = [o.root, path.dirname(o.labelDir ?? index.folders.label)];
            rgb.palette = this.files.palettesIn(dirs)[0];
        }
        const partial = inspected < entries.length;
        if (partial) {
            acc.add(
                'dataPartial',
                'name',
                `Checked ${inspected} of ${entries.length} samples, ` +
                    'spread evenly over the dataset ' +
                    `(stopped by the ${stoppedBy ?? 'budget'}); the others were not opened, ` +
                    'so their values, formats and sizes are unchecked. ' +
                    "Use the 'Check data' lens for a longer check.",
                [],
            );
        }
        return {
            key: target.key,
            samples: entries.length,
            inspected,
            partial,
            stoppedBy,
            elapsedMs: Date.now() - started,
            findings,
            histogram: acc.histogram(),
            classNames,
            firstLabel: entries[0]?.label,
        };
    }

    /** Drops cached results of these files (a watcher saw them change). */
    forget(files: Iterable<string>): void {
        for (const f of files) {
            this.labels.delete(f);
            this.headers.delete(f);
        }
    }

    private async cached<T>(
        map: Map<string, Cached<T>>,
        file: string,
        extra: string,
        compute: () => Promise<T>,
    ): Promise<T> {
        const stamp = this.files.stat(file);
        const hit = map.get(file);
        if (
            stamp &&
            hit &&
            hit.extra === extra &&
            hit.stamp.mtimeMs === stamp.mtimeMs &&
            hit.stamp.size === stamp.size
        )
            return hit.value;
        const value = await compute();
        // A bound on memory: a few huge datasets start over rather than grow without end.
        if (map.size >= MAX_CACHED) map.clear();
        if (stamp) map.set(file, { stamp, extra, value });
        return value;
    }
}

function fmtSeconds(ms: number): string {
    return ms % 1000 === 0 ? `${ms / 1000} s` : `${(ms / 1000).toFixed(1)} s`;
}
