/**
 * The mask side of the preview: label-map files to and from the preview protocol's forms
 * (`EncodedIds`, `MaskFormat`), and the class names found beside a mask's dataset; the
 * preview's two error kinds. No connection access: the preview handler turns the errors into
 * responses.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { readLabelMap } from '../data/label-file';
import type { LabelFormat } from '../data/label-file';
import { writeLabelMap } from '../data/label-write';
import { readClassFile } from '../data/palettes';
import type { IdMap } from '../data/resample';
import type { ClassTable, EncodedIds, MaskFormat, Rgb } from '../protocol/preview';
import { idsFromLeBytes, leBytesOf } from '../protocol/preview';

/** A failure whose message is written for the user (file, problem, what to do). */
export class PreviewError extends Error {
    constructor(message: string) {
        super(message);
        this.name = 'PreviewError';
    }
}

/** Thrown when a request was cancelled before or while it ran; the handler answers "cancelled". */
export class PreviewCancelled extends Error {
    constructor() {
        super('the request was cancelled');
        this.name = 'PreviewCancelled';
    }
}

/** A path from a file URI (or a plain path), with an error that says what was given. */
export function pathOfUri(uri: string, what: string): string {
    if (uri.startsWith('file:')) {
        try {
            return fileURLToPath(uri);
        } catch {
            // Falls through to the error below.
        }
    } else if (path.isAbsolute(uri)) {
        return uri;
    }
    throw new PreviewError(
        `${uri}: the ${what} is not a local file (only file: URIs can be read); ` +
            'copy it into the workspace and open it from there.',
    );
}

/** The largest mask the preview accepts, in pixels (a 16k x 16k map is already 512 MiB of ids). */
export const MAX_MASK_PIXELS = 64 * 1024 * 1024;

/** The ids of an `EncodedIds`, checked against its size; errors name `where`. */
export function decodeEncodedIds(e: EncodedIds, where: string): Uint8Array | Uint16Array {
    const ok =
        Number.isInteger(e.width) &&
        Number.isInteger(e.height) &&
        e.width > 0 &&
        e.height > 0 &&
        e.width * e.height <= MAX_MASK_PIXELS &&
        (e.dtype === 'uint8' || e.dtype === 'uint16') &&
        typeof e.data === 'string';
    if (!ok) {
        throw new PreviewError(
            `${where}: the request's label ids are malformed (${String(e.dtype)} ` +
                `${String(e.width)}x${String(e.height)}); reopen the mask and try again.`,
        );
    }
    const buf = Buffer.from(e.data, 'base64');
    try {
        return idsFromLeBytes(
            new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength),
            e.dtype,
            e.width,
            e.height,
        );
    } catch (err) {
        throw new PreviewError(
            `${where}: ${(err as Error).message}; reopen the mask and try again.`,
        );
    }
}

/** Ids as `EncodedIds`. */
export function encodeIdMap(ids: Uint8Array | Uint16Array, width: number, height: number) {
    const bytes = leBytesOf(ids);
    const data = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64');
    return {
        dtype: ids instanceof Uint16Array ? ('uint16' as const) : ('uint8' as const),
        width,
        height,
        data,
    };
}

function rgbTriples(bytes: Uint8Array): Rgb[] {
    const out: Rgb[] = [];
    for (let i = 0; i + 2 < bytes.length; i += 3) out.push([bytes[i], bytes[i + 1], bytes[i + 2]]);
    return out;
}

/** How the preview describes a file's storage; RGB colour masks have no such form. */
function maskFormatOf(file: string, f: LabelFormat): MaskFormat {
    if (f.lossy) {
        throw new PreviewError(
            `${file}: is a JPEG label map; its ids near edges are wrong and it cannot be saved ` +
                'back without changing them. Convert it to an 8-bit greyscale PNG of class ids.',
        );
    }
    if (f.encoding === 'palette' && f.palette) {
        const bitDepth = f.bitDepth as 1 | 2 | 4 | 8;
        const format: MaskFormat = { kind: 'palette', bitDepth, palette: rgbTriples(f.palette) };
        if (f.transparency) format.alpha = [...f.transparency];
        return format;
    }
    if (f.encoding === 'grey16') return { kind: 'gray', bitDepth: 16 };
    if (f.encoding === 'grey8') return { kind: 'gray', bitDepth: 8 };
    throw new PreviewError(
        `${file}: is an RGB colour mask; the preview edits id masks (8-bit or 16-bit greyscale, ` +
            'or palette PNGs). Convert it to a greyscale PNG of class ids.',
    );
}

/** What `readMaskFile` returns. */
export interface ReadMask {
    ids: EncodedIds;
    format: MaskFormat;
    classes?: ClassTable;
}

/** Reads a label-map file for the preview. Throws PreviewError or the pipeline's DataError. */
export async function readMaskFile(file: string): Promise<ReadMask> {
    const map = await readLabelMap(file);
    const format = maskFormatOf(file, map.format);
    const { width, height, data } = map.ids;
    const sixteen = format.kind === 'gray' && format.bitDepth === 16;
    const ids = sixteen ? Uint16Array.from(data) : Uint8Array.from(data);
    const classes = classesBeside(file);
    return { ids: encodeIdMap(ids, width, height), format, ...(classes ? { classes } : {}) };
}

/** The container a file name asks for; the preview writes PNG unless told otherwise. */
function containerOf(file: string): string {
    const ext = path.extname(file).toLowerCase();
    if (ext === '.tif' || ext === '.tiff') return 'tiff';
    if (ext === '.webp') return 'webp';
    return 'png';
}

function checkPalette(file: string, f: MaskFormat & { kind: 'palette' }): Uint8Array {
    const good = (v: unknown) => Number.isInteger(v) && (v as number) >= 0 && (v as number) <= 255;
    const ok =
        Array.isArray(f.palette) &&
        f.palette.length >= 1 &&
        f.palette.length <= 256 &&
        f.palette.every((c) => Array.isArray(c) && c.length === 3 && c.every(good)) &&
        (f.alpha === undefined ||
            (Array.isArray(f.alpha) && f.alpha.length <= f.palette.length && f.alpha.every(good)));
    if (!ok) {
        throw new PreviewError(
            `${file}: the palette to save with is malformed (1..256 [r, g, b] entries of 0..255 ` +
                'expected); reopen the mask so its palette is read again, then save.',
        );
    }
    return Uint8Array.from(f.palette.flat());
}

/** The pipeline's storage description for a preview format. */
function labelFormatOf(file: string, f: MaskFormat, width: number, height: number): LabelFormat {
    const base = {
        container: containerOf(file),
        channels: 1,
        hasAlpha: false,
        orientation: 1,
        storedWidth: width,
        storedHeight: height,
        lossy: false,
    };
    if (f.kind === 'palette') {
        return {
            ...base,
            encoding: 'palette',
            bitDepth: 8,
            palette: checkPalette(file, f),
            transparency: f.alpha ? Uint8Array.from(f.alpha) : undefined,
        };
    }
    if (f.kind === 'gray' && (f.bitDepth === 8 || f.bitDepth === 16)) {
        return { ...base, encoding: f.bitDepth === 16 ? 'grey16' : 'grey8', bitDepth: f.bitDepth };
    }
    throw new PreviewError(
        `${file}: cannot save in format ${JSON.stringify(f)}; the preview writes 8-bit or 16-bit ` +
            'greyscale or palette PNGs. Reopen the mask and save again.',
    );
}

/**
 * Writes ids to `file` in `format` (as `readMaskFile` reported it), atomically: 8-bit stays
 * 8-bit, 16-bit stays 16-bit, a palette PNG keeps its palette. Returns the bytes written.
 * A palette file is written with 8-bit indices (same ids, same colours) whatever its depth.
 */
export async function writeMaskFile(
    file: string,
    ids: Uint8Array | Uint16Array,
    width: number,
    height: number,
    format: MaskFormat,
): Promise<number> {
    const map: IdMap = { width, height, data: Int32Array.from(ids) };
    await writeLabelMap(file, map, labelFormatOf(file, format, width, height));
    return fs.statSync(file).size;
}

/**
 * Class names and colours from a `classes.json` beside the mask, in its folder's parent (the
 * dataset root of `<root>/<split>_label/x.png`) or the one above; undefined when there is none
 * or it cannot be read (names are a nicety: the mask still opens).
 */
export function classesBeside(file: string): ClassTable | undefined {
    let dir = path.dirname(file);
    for (let i = 0; i < 3; i++) {
        const candidate = path.join(dir, 'classes.json');
        if (fs.existsSync(candidate)) return classTableFromFile(candidate);
        const up = path.dirname(dir);
        if (up === dir) break;
        dir = up;
    }
    return undefined;
}

function classTableFromFile(file: string): ClassTable | undefined {
    try {
        const c = readClassFile(file);
        const table: ClassTable = { names: c.names };
        if (c.palette) table.colors = colorsFromEntries(c.palette.entries);
        const raw = JSON.parse(fs.readFileSync(file, 'utf8')) as {
            dontcare?: { png_value?: unknown; name?: unknown };
        };
        const dc = raw.dontcare;
        if (dc && Number.isInteger(dc.png_value)) {
            table.dontcare = {
                value: dc.png_value as number,
                name: typeof dc.name === 'string' ? dc.name : 'dontcare',
            };
        }
        return table;
    } catch {
        return undefined;
    }
}

/** Colours indexed by id from palette entries `[id, r, g, b]` (first entry per id wins). */
export function colorsFromEntries(entries: Array<[number, number, number, number]>): Rgb[] {
    const colors: Rgb[] = [];
    for (const [id, r, g, b] of entries) {
        if (id >= 0 && id < 65536 && colors[id] === undefined) colors[id] = [r, g, b];
    }
    // Holes would be `undefined` in JSON's eyes; fill them with grey so indices stay aligned.
    for (let i = 0; i < colors.length; i++) colors[i] ??= [128, 128, 128];
    return colors;
}
