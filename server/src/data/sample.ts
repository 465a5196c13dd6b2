/**
 * One training sample: read the photo, label and instance map, check them, run the
 * preprocessing chain, map ids as the dataset mode says, and build the generator's inputs.
 */
import * as fs from 'node:fs';
import sharp from 'sharp';
import type { DatasetOptions } from '../engine/options';
import { semanticChannels } from '../engine/options';
import type { DatasetEntry } from './dataset';
import { asDataError, fail } from './issues';
import type { DataIssue } from './issues';
import { readLabelMap } from './label-file';
import type { Palette } from './palettes';
import {
    drawParams,
    normaliseImage,
    outputSize,
    resizedSize,
    transformIds,
    transformImage,
} from './preprocess';
import type { Random, SampleParams } from './preprocess';
import type { IdMap, RasterU8 } from './resample';
import { instanceEdges, writeSemantics } from './semantics';

/** A preprocessed sample, ready for the networks. */
export interface Sample {
    key: string;
    paths: { label: string; image: string; instance?: string };
    width: number;
    height: number;
    /** Class ids after the transforms and the mode's mapping (255 -> labelNc with dontcare). */
    label: Int32Array;
    /** Instance ids after the transforms (when the dataset uses instances). */
    instance?: Int32Array;
    /** The instance edge map, 0/1 (when the dataset uses instances). */
    edges?: Uint8Array;
    /** The photo, float32 CHW [3, H, W] in [-1, 1]. */
    image: Float32Array;
    /** One-hot + edge channel, float32 CHW [semanticChannels, H, W] (unless not asked for). */
    semantics?: Float32Array;
    params: SampleParams;
    /** Warnings and notes about the files. */
    issues: DataIssue[];
}

/** Inputs a sample load needs beyond the dataset options. */
export interface SampleContext {
    /** Palette for RGB colour masks. */
    palette?: Palette;
    /** Draws the crop position and flip. */
    random: Random;
    /** Whether flipping may happen (training); the reference never flips at test time. */
    train: boolean;
    /** Build the one-hot semantics (the batch loader writes it into the batch instead). */
    semantics?: boolean;
    /** Use these crop/flip choices instead of drawing them (previews, parity tests). */
    params?: SampleParams;
}

/** Reads a photo upright as 8-bit RGB, with its stored pixel values (no colour management). */
export async function readImage(file: string): Promise<RasterU8> {
    let buf: Buffer;
    try {
        buf = await fs.promises.readFile(file);
    } catch (e) {
        const code = (e as NodeJS.ErrnoException).code;
        const what = code === 'ENOENT' ? 'the file does not exist.' : `cannot be read (${code}).`;
        return fail('unreadable', file, what, 'Check the path and its permissions.');
    }
    try {
        const r = await sharp(buf, { failOn: 'truncated' })
            .autoOrient()
            .keepIccProfile()
            .removeAlpha()
            .toColourspace('srgb')
            .raw()
            .toBuffer({ resolveWithObject: true });
        const data = new Uint8Array(r.data.buffer, r.data.byteOffset, r.data.length);
        return { width: r.info.width, height: r.info.height, channels: r.info.channels, data };
    } catch (e) {
        throw asDataError(e, file);
    }
}

/** Checks raw label ids against the class count; throws DataError naming the worst values. */
export function checkLabelIds(file: string, ids: IdMap, o: DatasetOptions): void {
    const ade = o.mode === 'ade20k';
    const limit = ade ? o.labelNc + 1 : o.labelNc;
    const bad = new Map<number, { count: number; first: number }>();
    const d = ids.data;
    for (let i = 0; i < d.length; i++) {
        const v = d[i];
        if (v >= 0 && v < limit) continue;
        if (v === 255 && o.containDontcare && !ade) continue;
        const b = bad.get(v);
        if (b) b.count++;
        else bad.set(v, { count: 1, first: i });
    }
    if (ade && !o.containDontcare) {
        const zero = d.indexOf(0);
        if (zero >= 0) {
            const at = `(${zero % ids.width}, ${Math.floor(zero / ids.width)})`;
            fail(
                'dontcare-not-enabled',
                file,
                `holds 0 (ADE20K "unknown") first at ${at}, but dontcare is off, so it has no channel.`,
                'Turn dontcare on for ADE20K, as the reference does.',
            );
        }
    }
    if (bad.size === 0) return;
    const list = [...bad.entries()].sort((a, b) => a[0] - b[0]);
    const [v0, b0] = list[0];
    const pos = (i: number) => `(${i % ids.width}, ${Math.floor(i / ids.width)})`;
    const more = list
        .slice(1, 5)
        .map(([v, b]) => `${v} (${b.count} px)`)
        .join(', ');
    const range = ade ? `0..${o.labelNc}` : `0..${o.labelNc - 1}`;
    const detail = {
        values: list.map(([v, b]) => ({ value: v, pixels: b.count, first: b.first })),
    };
    const tail = more ? `; also ${more}${list.length > 5 ? ', ...' : ''}` : '';
    if (v0 === 255 && !o.containDontcare) {
        fail(
            'dontcare-not-enabled',
            file,
            `holds 255 (don't care) in ${b0.count} pixel(s), first at ${pos(b0.first)}, but dontcare is ` +
                `off${tail}.`,
            'Turn dontcare on (it maps 255 to its own channel) or repaint those pixels.',
            detail,
        );
    }
    fail(
        'id-out-of-range',
        file,
        `holds id ${v0} in ${b0.count} pixel(s), first at ${pos(b0.first)}, but the dataset has ` +
            `${o.labelNc} classes (${range})${tail}.`,
        `Raise the class count to at least ${list[list.length - 1][0] + 1} or fix the label map.`,
        detail,
    );
}

/** The mode's id mapping after the transforms (in place). */
export function mapLabelIds(ids: Int32Array, o: DatasetOptions): void {
    const nc = o.labelNc;
    for (let i = 0; i < ids.length; i++) {
        let v = ids[i];
        if (v === 255 && o.containDontcare) v = nc;
        if (o.mode === 'ade20k') v = v - 1 === -1 ? nc : v - 1;
        ids[i] = v;
    }
}

function sameSize(a: { width: number; height: number }, b: { width: number; height: number }) {
    return a.width === b.width && a.height === b.height;
}

function sizeError(
    entry: DatasetEntry,
    what: string,
    other: string,
    a: IdMap,
    b: RasterU8 | IdMap,
) {
    fail(
        'size-mismatch',
        entry.label,
        `is ${a.width}x${a.height} (upright) but its ${what} ${other} is ${b.width}x${b.height}.`,
        'Label, image and instance map must show the same scene at the same size; check EXIF rotation ' +
            'and resizing.',
        { label: [a.width, a.height], [what]: [b.width, b.height] },
    );
}

/** Loads and preprocesses one sample. Throws DataError for bad input. */
export async function loadSample(
    entry: DatasetEntry,
    o: DatasetOptions,
    ctx: SampleContext,
): Promise<Sample> {
    const [labelMap, photo, instMap] = await Promise.all([
        readLabelMap(entry.label, { palette: ctx.palette }),
        readImage(entry.image),
        entry.instance && o.useInstance
            ? readLabelMap(entry.instance, { instance: true })
            : Promise.resolve(undefined),
    ]);
    const issues = [...labelMap.issues, ...(instMap?.issues ?? [])];
    const raw = labelMap.ids;
    if (!sameSize(raw, photo)) sizeError(entry, 'image', entry.image, raw, photo);
    if (instMap && !sameSize(raw, instMap.ids)) {
        sizeError(entry, 'instance map', entry.instance ?? '', raw, instMap.ids);
    }
    checkLabelIds(entry.label, raw, o);
    const [ow, oh] = outputSize(o, raw.width, raw.height);
    const [rw, rh] = resizedSize(o, raw.width, raw.height);
    if (Math.min(ow, oh, rw, rh) < 1) {
        fail(
            'too-small',
            entry.label,
            `is ${raw.width}x${raw.height}, which preprocess mode ${o.preprocess} turns into ` +
                `${Math.min(ow, rw)}x${Math.min(oh, rh)}.`,
            'Use larger images or another preprocess mode.',
        );
    }
    const params = ctx.params ?? drawParams(o, raw.width, raw.height, ctx.random, ctx.train);
    const label = transformIds(raw, o, params);
    mapLabelIds(label.data, o);
    const img = transformImage(photo, o, params);
    const inst = instMap ? transformIds(instMap.ids, o, params) : undefined;
    const edges = inst ? instanceEdges(inst) : undefined;
    const sample: Sample = {
        key: entry.key,
        paths: { label: entry.label, image: entry.image, instance: entry.instance },
        width: label.width,
        height: label.height,
        label: label.data,
        instance: inst?.data,
        edges,
        image: normaliseImage(img),
        params,
        issues,
    };
    if (ctx.semantics !== false) {
        const classes = o.labelNc + (o.containDontcare ? 1 : 0);
        const sem = new Float32Array(semanticChannels(o) * label.width * label.height);
        const e = o.useInstance ? (edges ?? new Uint8Array(label.data.length)) : undefined;
        writeSemantics(label, classes, e, sem);
        sample.semantics = sem;
    }
    return sample;
}
