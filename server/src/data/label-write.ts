/**
 * Writing a label map back in the format it was read in (8-bit stays 8-bit, a palette PNG keeps
 * its palette, 16-bit stays 16-bit, an RGB mask keeps its colours), atomically, so a failed save
 * never leaves a half-written mask.
 */
import * as path from 'node:path';
import sharp from 'sharp';
import type { Sharp } from 'sharp';
import { writeFileAtomic } from '../util/atomic';
import { fail } from './issues';
import type { LabelFormat } from './label-file';
import { encodePng } from './png';
import type { IdMap } from './resample';

function checkRange(file: string, ids: IdMap, max: number, what: string): void {
    for (let i = 0; i < ids.data.length; i++) {
        const v = ids.data[i];
        if (v < 0 || v > max) {
            const x = i % ids.width;
            const y = Math.floor(i / ids.width);
            fail(
                'id-out-of-range',
                file,
                `id ${v} at (${x}, ${y}) does not fit a ${what} (0..${max}).`,
                'Use a class that the format can hold, or save as 16-bit PNG.',
            );
        }
    }
}

async function encode(file: string, ids: IdMap, format: LabelFormat): Promise<Buffer> {
    const { width, height } = ids;
    const container = format.container;
    if (format.lossy) {
        return fail(
            'lossy-label',
            file,
            'is a JPEG label map; saving ids as JPEG would change them.',
            'Save the mask as a PNG file instead.',
        );
    }
    if (format.encoding === 'palette') {
        if (container !== 'png' || !format.palette) {
            return fail('unsupported-format', file, 'palette maps can only be written as PNG.');
        }
        const entries = format.palette.length / 3;
        checkRange(file, ids, Math.min(255, entries - 1), `palette of ${entries} colours`);
        return encodePng({
            width,
            height,
            kind: 'palette',
            samples: ids.data,
            palette: format.palette,
            transparency: format.transparency,
        });
    }
    if (format.encoding === 'grey8' || format.encoding === 'grey16') {
        const sixteen = format.encoding === 'grey16';
        checkRange(file, ids, sixteen ? 65535 : 255, sixteen ? '16-bit map' : '8-bit map');
        if (container === 'png') {
            return encodePng({
                width,
                height,
                kind: sixteen ? 'grey16' : 'grey8',
                samples: ids.data,
            });
        }
        const px = sixteen ? Uint16Array.from(ids.data) : Uint8Array.from(ids.data);
        const img = sharp(px, { raw: { width, height, channels: 1 } }).toColourspace(
            sixteen ? 'grey16' : 'b-w',
        );
        return toContainer(file, img, container);
    }
    const pal = format.colourPalette;
    if (!pal) return fail('rgb-without-palette', file, 'has no palette to colour its ids with.');
    const colours = new Map<number, [number, number, number]>();
    for (const [id, r, g, b] of pal.entries) if (!colours.has(id)) colours.set(id, [r, g, b]);
    const rgb = new Uint8Array(width * height * 3);
    for (let i = 0; i < ids.data.length; i++) {
        const c = colours.get(ids.data[i]);
        if (!c) {
            return fail(
                'id-out-of-range',
                file,
                `id ${ids.data[i]} has no colour in the ${pal.source}.`,
                'Add a colour for it to the class file.',
            );
        }
        rgb.set(c, i * 3);
    }
    return toContainer(file, sharp(rgb, { raw: { width, height, channels: 3 } }), container);
}

async function toContainer(file: string, img: Sharp, container: string): Promise<Buffer> {
    if (container === 'png') return img.png({ compressionLevel: 9 }).toBuffer();
    if (container === 'tiff') return img.tiff({ compression: 'lzw' }).toBuffer();
    if (container === 'webp') return img.webp({ lossless: true }).toBuffer();
    return fail(
        'unsupported-format',
        file,
        `label maps cannot be written as ${container} without changing ids.`,
        'Save the mask as a PNG file instead.',
    );
}

/**
 * Writes `ids` (upright) to `file` in `format` (from `readLabelMap`), atomically. The EXIF
 * orientation is not written back: the pixels are stored upright, so viewers show the same.
 * Throws DataError when an id does not fit the format.
 */
export async function writeLabelMap(file: string, ids: IdMap, format: LabelFormat): Promise<void> {
    const bytes = await encode(path.resolve(file), ids, format);
    writeFileAtomic(file, bytes);
}
