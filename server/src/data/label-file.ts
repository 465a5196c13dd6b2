/**
 * Reading label and instance maps in the formats users actually have: 8-bit ids, 16-bit ids,
 * palette PNGs (the indices are the ids), RGB colour masks mapped through a palette, alpha
 * ignored, JPEG warned as lossy, and every map turned upright by its EXIF orientation.
 */
import * as fs from 'node:fs';
import sharp from 'sharp';
import type { Metadata } from 'sharp';
import { DataError, asDataError, fail, issue } from './issues';
import type { DataIssue } from './issues';
import { colourLookup } from './palettes';
import type { Palette } from './palettes';
import { decodePng, isPng } from './png';
import type { IdMap } from './resample';

/** How ids are stored in a label file. */
export type LabelEncoding = 'grey8' | 'grey16' | 'palette' | 'rgb';

/** Everything about a label file's storage that a writer needs to write it back the same way. */
export interface LabelFormat {
    /** Container as sharp names it: png, jpeg, tiff, webp, ... */
    container: string;
    encoding: LabelEncoding;
    /** Bits per sample as stored (1, 2, 4, 8 or 16). */
    bitDepth: number;
    /** Channels as stored, alpha included. */
    channels: number;
    hasAlpha: boolean;
    /** PNG palette (RGB triples) of a palette file. */
    palette?: Uint8Array;
    transparency?: Uint8Array;
    /** The palette an RGB mask was mapped through (needed to write it back). */
    colourPalette?: Palette;
    /** EXIF orientation 1..8 (1 = as stored). */
    orientation: number;
    /** Size as stored, before orientation. */
    storedWidth: number;
    storedHeight: number;
    lossy: boolean;
}

/** A label map read into ids (upright), with how it was stored and what was noticed. */
export interface LabelMap {
    file: string;
    ids: IdMap;
    format: LabelFormat;
    /** Warnings and notes (errors are thrown as DataError). */
    issues: DataIssue[];
}

/** Options for reading a map. */
export interface ReadLabelOptions {
    /** Palette for RGB colour masks (class file or the dataset's built-in one). */
    palette?: Palette;
    /** Instance maps: RGB colours become distinct ids instead of going through a palette. */
    instance?: boolean;
}

/** Turns stored pixels upright by EXIF orientation (1..8), as viewers display them. */
export function orientIds(src: IdMap, orientation: number): IdMap {
    if (orientation <= 1 || orientation > 8) return src;
    const { width: w, height: h } = src;
    const swap = orientation >= 5;
    const ow = swap ? h : w;
    const oh = swap ? w : h;
    const out = new Int32Array(ow * oh);
    for (let y = 0; y < oh; y++) {
        for (let x = 0; x < ow; x++) {
            let sx: number;
            let sy: number;
            switch (orientation) {
                case 2: [sx, sy] = [w - 1 - x, y]; break; // prettier-ignore
                case 3: [sx, sy] = [w - 1 - x, h - 1 - y]; break; // prettier-ignore
                case 4: [sx, sy] = [x, h - 1 - y]; break; // prettier-ignore
                case 5: [sx, sy] = [y, x]; break; // prettier-ignore
                case 6: [sx, sy] = [y, h - 1 - x]; break; // prettier-ignore
                case 7: [sx, sy] = [w - 1 - y, h - 1 - x]; break; // prettier-ignore
                default: [sx, sy] = [w - 1 - y, x]; // prettier-ignore
            }
            out[y * ow + x] = src.data[sy * w + sx];
        }
    }
    return { width: ow, height: oh, data: out };
}

async function readBytes(file: string): Promise<Buffer> {
    try {
        return await fs.promises.readFile(file);
    } catch (e) {
        const code = (e as NodeJS.ErrnoException).code;
        const what = code === 'ENOENT' ? 'the file does not exist.' : `cannot be read (${code}).`;
        return fail('unreadable', file, what, 'Check the path and its permissions.');
    }
}

/** Reads a label (or instance) map into upright ids. Throws DataError on bad input. */
export async function readLabelMap(file: string, opts: ReadLabelOptions = {}): Promise<LabelMap> {
    const buf = await readBytes(file);
    try {
        return await decodeLabel(file, buf, opts);
    } catch (e) {
        if (!(e instanceof DataError) && isPng(buf)) {
            // Our own chunk walk says precisely what is wrong (e.g. which chunk is cut short).
            try {
                decodePng(buf);
            } catch (pe) {
                throw asDataError(pe, file);
            }
        }
        throw asDataError(e, file);
    }
}

/** sharp's default input limit (limitInputPixels): 0x3FFF squared. */
const PIXEL_LIMIT = 0x3fff * 0x3fff;

async function decodeLabel(file: string, buf: Buffer, opts: ReadLabelOptions): Promise<LabelMap> {
    let meta: Metadata;
    try {
        meta = await sharp(buf).metadata();
    } catch (e) {
        const msg = (e as Error).message;
        if (/exceeds pixel limit/i.test(msg)) {
            // sharp refuses images over 0x3FFF x 0x3FFF pixels before reading their size.
            const size = isPng(buf) ? ` (${buf.readUInt32BE(16)}x${buf.readUInt32BE(20)})` : '';
            return fail(
                'unsupported-format',
                file,
                `is too large${size}: over the ${PIXEL_LIMIT} pixels (16383x16383) an image may have.`,
                'Scale it down (nearest neighbour, so ids stay whole) or split it into tiles.',
            );
        }
        return fail(
            'not-an-image',
            file,
            `is not an image sharp can read (${msg}).`,
            'Label maps should be PNG files.',
        );
    }
    const issues: DataIssue[] = [];
    const orientation = meta.orientation ?? 1;
    const container: string = meta.format ?? 'unknown';
    const lossy = container === 'jpeg';
    const base = {
        container,
        orientation,
        storedWidth: meta.width ?? 0,
        storedHeight: meta.height ?? 0,
        lossy,
        hasAlpha: meta.hasAlpha === true,
        channels: meta.channels ?? 1,
    };
    if (lossy) {
        issues.push(
            issue(
                'warning',
                'lossy-label',
                file,
                'is a JPEG label map; JPEG compression changes pixel values near edges, ' +
                    'so some ids are wrong.',
                'Save label maps as PNG.',
            ),
        );
    }
    if (orientation > 1) {
        issues.push(
            issue(
                'info',
                'exif-oriented',
                file,
                `has EXIF orientation ${orientation}; it was turned upright ` +
                    `(${base.storedWidth}x${base.storedHeight} as stored).`,
            ),
        );
    }
    let ids: IdMap;
    let format: LabelFormat;
    if (meta.isPalette && isPng(buf)) {
        const png = decodePng(buf);
        const data = Int32Array.from(png.samples);
        ids = orientIds({ width: png.width, height: png.height, data }, orientation);
        format = {
            ...base,
            encoding: 'palette',
            bitDepth: png.bitDepth,
            channels: 1,
            hasAlpha: false,
            palette: png.palette,
            transparency: png.transparency,
        };
    } else if (meta.depth === 'ushort' && (meta.channels ?? 1) <= 2) {
        const r = await sharp(buf, { failOn: 'truncated' })
            .autoOrient()
            .toColourspace('grey16')
            .raw({ depth: 'ushort' })
            .toBuffer({ resolveWithObject: true });
        const s = new Uint16Array(r.data.buffer, r.data.byteOffset, r.data.length >> 1);
        ids = pickBand(s, r.info.width, r.info.height, r.info.channels);
        format = { ...base, encoding: 'grey16', bitDepth: 16 };
    } else if (meta.depth !== 'uchar') {
        return fail(
            'unsupported-format',
            file,
            `stores ${meta.channels} channel(s) of ${meta.depth} samples; ` +
                'label maps must be 8-bit or 16-bit grey, palette, or 8-bit RGB.',
            'Convert it to an 8-bit or 16-bit greyscale PNG of class ids.',
        );
    } else if ((meta.channels ?? 1) <= 2) {
        const r = await sharp(buf, { failOn: 'truncated' })
            .autoOrient()
            .extractChannel(0)
            .raw()
            .toBuffer({ resolveWithObject: true });
        ids = pickBand(r.data, r.info.width, r.info.height, r.info.channels);
        format = { ...base, encoding: 'grey8', bitDepth: 8 };
    } else {
        const r = await sharp(buf, { failOn: 'truncated' })
            .autoOrient()
            .keepIccProfile()
            .raw()
            .toBuffer({ resolveWithObject: true });
        const px = {
            data: r.data,
            width: r.info.width,
            height: r.info.height,
            ch: r.info.channels,
        };
        const mapped = mapColours(file, px, lossy, opts);
        ids = mapped.ids;
        if (mapped.note) issues.push(mapped.note);
        format = {
            ...base,
            encoding: mapped.grey ? 'grey8' : 'rgb',
            bitDepth: 8,
            colourPalette: mapped.grey ? undefined : opts.palette,
        };
    }
    if (format.hasAlpha && format.encoding !== 'palette') {
        issues.push(issue('info', 'alpha-ignored', file, 'has an alpha channel; it is ignored.'));
    }
    return { file, ids, format, issues };
}

function pickBand(s: ArrayLike<number>, w: number, h: number, channels: number): IdMap {
    const data = new Int32Array(w * h);
    for (let i = 0; i < data.length; i++) data[i] = s[i * channels];
    return { width: w, height: h, data };
}

interface Mapped {
    ids: IdMap;
    grey: boolean;
    note?: DataIssue;
}

function hex(key: number): string {
    return '#' + key.toString(16).padStart(6, '0');
}

function mapColours(
    file: string,
    img: { data: Uint8Array; width: number; height: number; ch: number },
    lossy: boolean,
    opts: ReadLabelOptions,
): Mapped {
    const { data: px, width: w, height: h, ch } = img;
    const n = w * h;
    const data = new Int32Array(n);
    let grey = true;
    for (let i = 0; i < n && grey; i++) {
        const p = i * ch;
        if (px[p] !== px[p + 1] || px[p] !== px[p + 2]) grey = false;
    }
    if (grey || opts.instance) {
        for (let i = 0; i < n; i++) {
            const p = i * ch;
            data[i] = grey ? px[p] : (px[p] << 16) | (px[p + 1] << 8) | px[p + 2];
        }
        const note = grey
            ? issue(
                  'info',
                  'rgb-grey',
                  file,
                  'is stored as RGB with equal channels; the grey value is read as the id.',
              )
            : undefined;
        return { ids: { width: w, height: h, data }, grey, note };
    }
    if (!opts.palette) {
        return fail(
            'rgb-without-palette',
            file,
            'is an RGB colour mask, but no palette maps its colours to class ids.',
            'Give a class file with "colors" (the dataset\'s class_file, or --classes FILE on the ' +
                'command line), use a mode with a built-in palette (coco, ade20k, cityscapes), ' +
                'or convert it to greyscale ids.',
        );
    }
    const lut = colourLookup(opts.palette);
    const unknown = new Map<number, number>();
    let lastKey = -1;
    let lastId = 0;
    for (let i = 0; i < n; i++) {
        const p = i * ch;
        const key = (px[p] << 16) | (px[p + 1] << 8) | px[p + 2];
        if (key !== lastKey) {
            lastKey = key;
            let id = lut.get(key);
            if (id === undefined && lossy) {
                // JPEG shifts colours a little; take the palette colour it came from.
                id = nearestColour(key, opts.palette);
                if (id !== undefined) lut.set(key, id);
            }
            lastId = id ?? -1;
        }
        if (lastId < 0) unknown.set(key, (unknown.get(key) ?? 0) + 1);
        data[i] = lastId;
    }
    if (unknown.size > 0) {
        const list = [...unknown.entries()].sort((a, b) => b[1] - a[1]);
        const shown = list
            .slice(0, 5)
            .map(([k, c]) => `${hex(k)} (${c} px)`)
            .join(', ');
        const more = list.length > 5 ? ` and ${list.length - 5} more` : '';
        return fail(
            'unknown-colour',
            file,
            `has ${list.length} colour(s) not in the ${opts.palette.source}: ${shown}${more}.`,
            'Add them to the class file\'s "colors", or repaint those pixels with class colours.',
            { colours: list.map(([k, c]) => ({ colour: hex(k), pixels: c })) },
        );
    }
    return { ids: { width: w, height: h, data }, grey: false };
}

/** The id of the palette colour within JPEG noise (each channel off by at most 24), if any. */
function nearestColour(key: number, p: Palette): number | undefined {
    const r = key >> 16;
    const g = (key >> 8) & 255;
    const b = key & 255;
    let best: number | undefined;
    let bestD = Infinity;
    for (const [id, pr, pg, pb] of p.entries) {
        const dr = Math.abs(r - pr);
        const dg = Math.abs(g - pg);
        const db = Math.abs(b - pb);
        if (Math.max(dr, dg, db) > 24) continue;
        const d = dr * dr + dg * dg + db * db;
        if (d < bestD) {
            bestD = d;
            best = id;
        }
    }
    return best;
}
