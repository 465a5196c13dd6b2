/**
 * A small PNG reader and writer for label maps.
 *
 * Hand-written because sharp expands palette PNGs to RGB and re-quantises when it writes one:
 * a palette label map's pixel values are its indices (they are the class ids), so they must be
 * read and written verbatim, with the palette kept as it was.
 */
import * as zlib from 'node:zlib';

/** A decoded PNG with its samples as stored (palette indices are not expanded). */
export interface PngImage {
    width: number;
    height: number;
    /** PNG colour type: 0 grey, 2 RGB, 3 palette, 4 grey+alpha, 6 RGBA. */
    colorType: number;
    bitDepth: number;
    /** Samples per pixel (1 for palette: the index). */
    channels: number;
    /** Row-major samples; 16-bit images use Uint16Array, anything else Uint8Array. */
    samples: Uint8Array | Uint16Array;
    /** PLTE entries as RGB triples. */
    palette?: Uint8Array;
    /** tRNS chunk, kept so a rewritten palette PNG keeps its transparency. */
    transparency?: Uint8Array;
    interlaced: boolean;
}

const SIGNATURE = Buffer.from([137, 80, 78, 71, 13, 10, 26, 10]);
const CHANNELS: Record<number, number> = { 0: 1, 2: 3, 3: 1, 4: 2, 6: 4 };

/** True when the bytes start with the PNG signature. */
export function isPng(buf: Uint8Array): boolean {
    return buf.length >= 8 && Buffer.from(buf.subarray(0, 8)).equals(SIGNATURE);
}

/** Decodes a PNG; throws an Error whose message says what is wrong (truncated, bad CRC, ...). */
export function decodePng(input: Uint8Array): PngImage {
    const buf = Buffer.from(input.buffer, input.byteOffset, input.byteLength);
    if (!isPng(buf)) throw new Error('not a PNG file (the signature is missing)');
    let pos = 8;
    let ihdr: Buffer | undefined;
    let palette: Uint8Array | undefined;
    let transparency: Uint8Array | undefined;
    const idat: Buffer[] = [];
    let ended = false;
    while (pos < buf.length) {
        if (pos + 12 > buf.length) throw new Error(`truncated: chunk header cut at byte ${pos}`);
        const len = buf.readUInt32BE(pos);
        const type = buf.toString('latin1', pos + 4, pos + 8);
        if (pos + 12 + len > buf.length) throw new Error(`truncated: chunk ${type} is cut short`);
        const body = buf.subarray(pos + 8, pos + 8 + len);
        const crc = buf.readUInt32BE(pos + 8 + len);
        if (zlib.crc32(buf.subarray(pos + 4, pos + 8 + len)) !== crc) {
            throw new Error(`corrupt: chunk ${type} at byte ${pos} fails its CRC check`);
        }
        if (type === 'IHDR') ihdr = body;
        else if (type === 'PLTE') palette = new Uint8Array(body);
        else if (type === 'tRNS') transparency = new Uint8Array(body);
        else if (type === 'IDAT') idat.push(body);
        else if (type === 'IEND') {
            ended = true;
            break;
        }
        pos += 12 + len;
    }
    if (!ihdr) throw new Error('corrupt: no IHDR chunk');
    if (!ended) throw new Error('truncated: the file ends before its IEND chunk');
    const width = ihdr.readUInt32BE(0);
    const height = ihdr.readUInt32BE(4);
    const bitDepth = ihdr[8];
    const colorType = ihdr[9];
    const interlaced = ihdr[12] === 1;
    const channels = CHANNELS[colorType];
    if (channels === undefined) throw new Error(`unsupported PNG colour type ${colorType}`);
    if (colorType === 3 && !palette) throw new Error('corrupt: palette image without PLTE');
    let raw: Buffer;
    try {
        raw = zlib.inflateSync(Buffer.concat(idat));
    } catch (e) {
        throw new Error(`corrupt or truncated image data (${(e as Error).message})`, { cause: e });
    }
    const total = width * height * channels;
    const samples = bitDepth === 16 ? new Uint16Array(total) : new Uint8Array(total);
    const bpp = Math.max(1, (channels * bitDepth) >> 3);
    let off = 0;
    const passes = interlaced ? ADAM7 : [[0, 0, 1, 1]];
    for (const [x0, y0, dx, dy] of passes) {
        const pw = Math.ceil((width - x0) / dx);
        const ph = Math.ceil((height - y0) / dy);
        if (pw <= 0 || ph <= 0) continue;
        const stride = Math.ceil((pw * channels * bitDepth) / 8);
        const need = (stride + 1) * ph;
        if (off + need > raw.length) throw new Error('truncated: image data ends early');
        const rows = unfilter(raw.subarray(off, off + need), stride, ph, bpp);
        off += need;
        for (let y = 0; y < ph; y++) {
            const row = rows.subarray(y * stride, (y + 1) * stride);
            for (let x = 0; x < pw; x++) {
                const dst = ((y0 + y * dy) * width + x0 + x * dx) * channels;
                for (let c = 0; c < channels; c++) {
                    samples[dst + c] = readSample(row, x * channels + c, bitDepth);
                }
            }
        }
    }
    return {
        width,
        height,
        colorType,
        bitDepth,
        channels,
        samples,
        palette,
        transparency,
        interlaced,
    };
}

const ADAM7 = [
    [0, 0, 8, 8],
    [4, 0, 8, 8],
    [0, 4, 4, 8],
    [2, 0, 4, 4],
    [0, 2, 2, 4],
    [1, 0, 2, 2],
    [0, 1, 1, 2],
];

function readSample(row: Uint8Array, i: number, depth: number): number {
    if (depth === 8) return row[i];
    if (depth === 16) return (row[i * 2] << 8) | row[i * 2 + 1];
    const perByte = 8 / depth;
    const byte = row[Math.floor(i / perByte)];
    const shift = 8 - depth * ((i % perByte) + 1);
    return (byte >> shift) & ((1 << depth) - 1);
}

function unfilter(data: Uint8Array, stride: number, rows: number, bpp: number): Uint8Array {
    const out = new Uint8Array(stride * rows);
    for (let y = 0; y < rows; y++) {
        const ft = data[y * (stride + 1)];
        const src = y * (stride + 1) + 1;
        const cur = y * stride;
        const prev = cur - stride;
        for (let x = 0; x < stride; x++) {
            const a = x >= bpp ? out[cur + x - bpp] : 0;
            const b = y > 0 ? out[prev + x] : 0;
            const c = x >= bpp && y > 0 ? out[prev + x - bpp] : 0;
            const v = data[src + x];
            let p: number;
            if (ft === 0) p = v;
            else if (ft === 1) p = v + a;
            else if (ft === 2) p = v + b;
            else if (ft === 3) p = v + ((a + b) >> 1);
            else if (ft === 4) p = v + paeth(a, b, c);
            else throw new Error(`corrupt: unknown row filter ${ft} in row ${y}`);
            out[cur + x] = p & 255;
        }
    }
    return out;
}

function paeth(a: number, b: number, c: number): number {
    const p = a + b - c;
    const pa = Math.abs(p - a);
    const pb = Math.abs(p - b);
    const pc = Math.abs(p - c);
    if (pa <= pb && pa <= pc) return a;
    return pb <= pc ? b : c;
}

function chunk(type: string, body: Uint8Array): Buffer {
    const head = Buffer.alloc(8);
    head.writeUInt32BE(body.length, 0);
    head.write(type, 4, 'latin1');
    const tail = Buffer.alloc(4);
    tail.writeUInt32BE(zlib.crc32(Buffer.concat([head.subarray(4), body])), 0);
    return Buffer.concat([head, body, tail]);
}

/** What `encodePng` writes: one sample per pixel. */
export interface PngWrite {
    width: number;
    height: number;
    /** 8-bit palette indices, 8-bit grey or 16-bit grey. */
    kind: 'palette' | 'grey8' | 'grey16';
    samples: ArrayLike<number>;
    palette?: Uint8Array;
    transparency?: Uint8Array;
}

/** Encodes a single-channel PNG (no interlace, filter 0 on every row). */
export function encodePng(img: PngWrite): Buffer {
    const { width, height, kind } = img;
    const bytesPer = kind === 'grey16' ? 2 : 1;
    const stride = width * bytesPer;
    const raw = Buffer.alloc((stride + 1) * height);
    for (let y = 0; y < height; y++) {
        const base = y * (stride + 1) + 1;
        for (let x = 0; x < width; x++) {
            const v = img.samples[y * width + x];
            if (bytesPer === 2) raw.writeUInt16BE(v, base + x * 2);
            else raw[base + x] = v;
        }
    }
    const ihdr = Buffer.alloc(13);
    ihdr.writeUInt32BE(width, 0);
    ihdr.writeUInt32BE(height, 4);
    ihdr[8] = kind === 'grey16' ? 16 : 8;
    ihdr[9] = kind === 'palette' ? 3 : 0;
    const parts = [SIGNATURE, chunk('IHDR', ihdr)];
    if (kind === 'palette') {
        if (!img.palette) throw new Error('a palette PNG needs its palette');
        parts.push(chunk('PLTE', img.palette));
        if (img.transparency) parts.push(chunk('tRNS', img.transparency));
    }
    parts.push(chunk('IDAT', zlib.deflateSync(raw)));
    parts.push(chunk('IEND', new Uint8Array(0)));
    return Buffer.concat(parts);
}
