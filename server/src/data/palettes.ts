/**
 * Colour palettes that map RGB colour masks to class ids, and class files.
 *
 * Built-in palettes hold public facts: the Cityscapes label colours (35 ids, as in its
 * labels table), the 150-colour ADE20K palette of the scene-parsing benchmark, and, for
 * COCO-Stuff, the colours the reference uses to colourise labels: a bit-interleaved colormap
 * (bits 0/1/2 of the id go to R/G/B, most significant first) with five named classes given
 * fixed colours (sea, sky-other, tree, clouds, grass).
 */
import * as fs from 'node:fs';
import type { DatasetMode } from '../engine/options';

/** Colours keyed by the id a label file stores for them. */
export interface Palette {
    /** Where the palette came from, for messages. */
    source: string;
    /** Entries as [fileId, r, g, b]; the first entry wins when two share a colour. */
    entries: Array<[number, number, number, number]>;
}

/** A parsed class file. */
export interface ClassFile {
    names: string[];
    palette?: Palette;
}

const CITYSCAPES =
    '0000000000000000000000000000006f4a00' +
    '510051804080f423e8faaaa0e6968c464646' +
    '66669cbe9999b4a5b496646496785a999999' +
    '999999faaa1edcdc006b8e2398fb984682b4' +
    'dc143cff000000008e000046003c6400005a' +
    '00006e0050640000e6770b2000008e';

const ADE20K =
    '787878b4787806e6e650323204c803787850' +
    '8c8c8ccc05ffe6e6e604fa07e005ffebff07' +
    '96053d78784608ff33ff06528fff8cccff04' +
    'ff3307cc46030066c83de6faff06330b66ff' +
    'ff0747ff09e00907e6dcdcdcff095c7009ff' +
    '08ffd607ffe0ffb8060aff47ff290a07ffff' +
    'e0ff086608ffff3d06ffc207ff7a0800ff14' +
    'ff0829ff05990633ffeb0cffa0961400a3ff' +
    '8c8c8cfa0a0f14ff001fff00ff1f00ffe000' +
    '99ff000000ffff470000ebff00adff1f00ff' +
    '0bc8c8ff520000fff5003dff00ff7000ff85' +
    'ff0000ffa300ff6600c2ff00008fff33ff00' +
    '0052ff00ff2900ffad0a00ffadff0000ff99' +
    'ff5c00ff00ffff00f5ff0066ffad00ff0014' +
    'ffb8b8001fff00ff3d0047ffff00cc00ffc2' +
    '00ff52000aff0070ff3300ff00c2ff007aff' +
    '00ffa3ff990000ff0aff70008fff005200ff' +
    'a3ff00ffeb0008b8aa8500ff00ff5cb800ff' +
    'ff001f00b8ff00d6ffff00705cff0000e0ff' +
    '70e0ff46b8a0a300ff9900ff47ff00ff00a3' +
    'ffcc00ff008f00ffeb85ff00ff00ebf500ff' +
    'ff007afff5000abed4d6ff0000ccff1400ff' +
    'ffff000099ff0029ff00ffcc2900ff29ff00' +
    'ad00ff00f5ff4700ff7a00ff00ffb8005cff' +
    'b8ff000085ffffd60019c2c266ff005c00ff';

function hexColours(hex: string): Array<[number, number, number]> {
    const out: Array<[number, number, number]> = [];
    for (let i = 0; i + 6 <= hex.length; i += 6) {
        out.push([
            parseInt(hex.slice(i, i + 2), 16),
            parseInt(hex.slice(i + 2, i + 4), 16),
            parseInt(hex.slice(i + 4, i + 6), 16),
        ]);
    }
    return out;
}

/** The reference's bit-interleaved colour for id `i`. */
export function interleavedColour(i: number): [number, number, number] {
    let r = 0;
    let g = 0;
    let b = 0;
    let id = i;
    for (let j = 0; j < 7; j++) {
        r |= (id & 1) << (7 - j);
        g |= ((id >> 1) & 1) << (7 - j);
        b |= ((id >> 2) & 1) << (7 - j);
        id >>= 3;
    }
    return [r, g, b];
}

const COCO_FIXED: Record<number, [number, number, number]> = {
    154: [54, 62, 167],
    156: [95, 219, 255],
    168: [140, 104, 47],
    105: [170, 170, 170],
    123: [29, 195, 49],
};

/** The COCO-Stuff palette: ids 0..181, and 255 (unlabeled) with the colour shown for 182. */
export function cocoPalette(): Palette {
    const entries: Palette['entries'] = [];
    for (let i = 0; i < 182; i++) entries.push([i, ...(COCO_FIXED[i] ?? interleavedColour(i))]);
    entries.push([255, ...interleavedColour(182)]);
    return { source: 'built-in COCO-Stuff palette', entries };
}

/** The Cityscapes palette over label ids 0..34 (34 = licence plate, shown like car). */
export function cityscapesPalette(): Palette {
    const entries = hexColours(CITYSCAPES).map(
        (c, i) => [i, ...c] as [number, number, number, number],
    );
    return { source: 'built-in Cityscapes palette', entries };
}

/** The ADE20K palette in file ids: 0 (unknown) is black, class k (1..150) is colour k-1. */
export function ade20kPalette(): Palette {
    const entries: Palette['entries'] = [[0, 0, 0, 0]];
    hexColours(ADE20K).forEach((c, i) => entries.push([i + 1, ...c]));
    return { source: 'built-in ADE20K palette', entries };
}

/** The built-in palette for a dataset mode, if it has one. */
export function builtinPalette(mode: DatasetMode): Palette | undefined {
    if (mode === 'coco') return cocoPalette();
    if (mode === 'cityscapes') return cityscapesPalette();
    if (mode === 'ade20k') return ade20kPalette();
    return undefined;
}

/** A colour -> id lookup; colours are packed as r<<16|g<<8|b. */
export function colourLookup(p: Palette): Map<number, number> {
    const m = new Map<number, number>();
    for (const [id, r, g, b] of p.entries) {
        const key = (r << 16) | (g << 8) | b;
        if (!m.has(key)) m.set(key, id);
    }
    return m;
}

function parseColour(v: unknown): [number, number, number] | undefined {
    if (typeof v === 'string' && /^#[0-9a-fA-F]{6}$/.test(v)) return hexColours(v.slice(1))[0];
    if (Array.isArray(v) && v.length >= 3 && v.slice(0, 3).every((x) => Number.isInteger(x))) {
        return [v[0] as number, v[1] as number, v[2] as number];
    }
    return undefined;
}

/**
 * Reads a class file: JSON with `names` (index = id) and optional `colors` / `colours`
 * (same order, `[r, g, b]` or `"#rrggbb"`). Throws with the file and the place on error.
 */
export function readClassFile(file: string): ClassFile {
    let json: unknown;
    try {
        json = JSON.parse(fs.readFileSync(file, 'utf8'));
    } catch (e) {
        throw new Error(`${file}: cannot read the class file (${(e as Error).message}).`, {
            cause: e,
        });
    }
    const o = json as { names?: unknown; colors?: unknown; colours?: unknown };
    if (!Array.isArray(o.names) || !o.names.every((n) => typeof n === 'string')) {
        throw new Error(`${file}: "names" must be a list of strings, one per class id.`);
    }
    const names = o.names;
    const cols = o.colors ?? o.colours;
    if (cols === undefined) return { names };
    if (!Array.isArray(cols)) throw new Error(`${file}: "colors" must be a list.`);
    const entries: Palette['entries'] = [];
    cols.forEach((c, i) => {
        const rgb = parseColour(c);
        if (!rgb) {
            throw new Error(
                `${file}: colors[${i}] is ${JSON.stringify(c)}; use [r, g, b] or "#rrggbb".`,
            );
        }
        entries.push([i, ...rgb]);
    });
    return { names, palette: { source: file, entries } };
}
