/**
 * Resizing exactly as the reference's data pipeline does it (PIL `Image.resize`).
 *
 * Written by hand because sharp/libvips uses other kernels and rounding, so its output differs
 * from PIL by a grey level here and there and the golden vectors could never match bit for bit.
 * The algorithm follows PIL's published design: a separable two-pass convolution (horizontal
 * pass first, over only the rows the vertical pass reads, then vertical), coefficients computed
 * once per output column/row in double precision, then turned into 22-bit fixed point for 8-bit
 * images, a rounding bias of half a unit, and clipping to 0..255 after each pass.
 */

/** An interleaved 8-bit raster (HWC), e.g. an RGB photo. */
export interface RasterU8 {
    width: number;
    height: number;
    channels: number;
    data: Uint8Array;
}

/** A single-channel integer map (label ids or instance ids), row-major. */
export interface IdMap {
    width: number;
    height: number;
    data: Int32Array;
}

const PRECISION_BITS = 32 - 8 - 2;
const BICUBIC_A = -0.5;
const BICUBIC_SUPPORT = 2.0;

function bicubic(x: number): number {
    if (x < 0.0) x = -x;
    if (x < 1.0) return ((BICUBIC_A + 2.0) * x - (BICUBIC_A + 3.0)) * x * x + 1;
    if (x < 2.0) return (((x - 5) * x + 8) * x - 4) * BICUBIC_A;
    return 0.0;
}

interface Coeffs {
    ksize: number;
    /** Per output index: first source index, then number of taps. */
    bounds: Int32Array;
    /** Fixed-point weights, ksize per output index. */
    kk: Int32Array;
}

/** Weights of one axis; `in0..in1` is the source span (the whole axis for a plain resize). */
function precomputeCoeffs(inSize: number, in0: number, in1: number, outSize: number): Coeffs {
    const scale = (in1 - in0) / outSize;
    const filterscale = scale < 1.0 ? 1.0 : scale;
    const support = BICUBIC_SUPPORT * filterscale;
    const ksize = Math.ceil(support) * 2 + 1;
    const bounds = new Int32Array(outSize * 2);
    const kk = new Int32Array(outSize * ksize);
    const w = new Float64Array(ksize);
    const ss = 1.0 / filterscale;
    for (let xx = 0; xx < outSize; xx++) {
        const center = in0 + (xx + 0.5) * scale;
        let xmin = Math.trunc(center - support + 0.5);
        if (xmin < 0) xmin = 0;
        let xmax = Math.trunc(center + support + 0.5);
        if (xmax > inSize) xmax = inSize;
        xmax -= xmin;
        let ww = 0.0;
        for (let x = 0; x < xmax; x++) {
            const v = bicubic((x + xmin - center + 0.5) * ss);
            w[x] = v;
            ww += v;
        }
        for (let x = 0; x < xmax; x++) {
            const v = ww !== 0.0 ? w[x] / ww : w[x];
            const f = v * (1 << PRECISION_BITS);
            kk[xx * ksize + x] = Math.trunc(v < 0 ? -0.5 + f : 0.5 + f);
        }
        bounds[xx * 2] = xmin;
        bounds[xx * 2 + 1] = xmax;
    }
    return { ksize, bounds, kk };
}

function clip8(v: number): number {
    if (v >= (1 << PRECISION_BITS) << 8) return 255;
    if (v <= 0) return 0;
    return v >> PRECISION_BITS;
}

function horizontalPass(src: RasterU8, rowOffset: number, rows: number, outW: number, c: Coeffs) {
    const ch = src.channels;
    const out = new Uint8Array(outW * rows * ch);
    const { ksize, bounds, kk } = c;
    const half = 1 << (PRECISION_BITS - 1);
    const inRow = src.width * ch;
    const d = src.data;
    for (let y = 0; y < rows; y++) {
        const rowBase = (y + rowOffset) * inRow;
        let o = y * outW * ch;
        for (let xx = 0; xx < outW; xx++) {
            const xmin = bounds[xx * 2];
            const n = bounds[xx * 2 + 1];
            const kBase = xx * ksize;
            if (ch === 3) {
                // Three sums per tap read each weight once; this pass dominates the pipeline.
                let s0 = half;
                let s1 = half;
                let s2 = half;
                let p = rowBase + xmin * 3;
                for (let x = 0; x < n; x++, p += 3) {
                    const k = kk[kBase + x];
                    s0 += d[p] * k;
                    s1 += d[p + 1] * k;
                    s2 += d[p + 2] * k;
                }
                out[o++] = clip8(s0);
                out[o++] = clip8(s1);
                out[o++] = clip8(s2);
                continue;
            }
            for (let k = 0; k < ch; k++) {
                let ss = half;
                let p = rowBase + xmin * ch + k;
                for (let x = 0; x < n; x++, p += ch) ss += d[p] * kk[kBase + x];
                out[o++] = clip8(ss);
            }
        }
    }
    return { width: outW, height: rows, channels: ch, data: out };
}

function verticalPass(src: RasterU8, outH: number, c: Coeffs, boundShift: number): RasterU8 {
    const ch = src.channels;
    const rowLen = src.width * ch;
    const out = new Uint8Array(rowLen * outH);
    const { ksize, bounds, kk } = c;
    const half = 1 << (PRECISION_BITS - 1);
    const d = src.data;
    // Whole-row accumulation: each tap adds one contiguous source row (cache friendly).
    const acc = new Float64Array(rowLen);
    for (let yy = 0; yy < outH; yy++) {
        const ymin = bounds[yy * 2] - boundShift;
        const n = bounds[yy * 2 + 1];
        const kBase = yy * ksize;
        acc.fill(half);
        for (let y = 0; y < n; y++) {
            const k = kk[kBase + y];
            const p = (ymin + y) * rowLen;
            for (let i = 0; i < rowLen; i++) acc[i] += d[p + i] * k;
        }
        const o = yy * rowLen;
        for (let i = 0; i < rowLen; i++) out[o + i] = clip8(acc[i]);
    }
    return { width: src.width, height: outH, channels: ch, data: out };
}

/** Part of the output a caller wants: a crop of the resized image, zero outside it. */
export interface Window {
    x: number;
    y: number;
    w: number;
    h: number;
}

function sliceCoeffs(c: Coeffs, from: number, to: number): Coeffs {
    return {
        ksize: c.ksize,
        bounds: c.bounds.subarray(from * 2, to * 2),
        kk: c.kk.subarray(from * c.ksize, to * c.ksize),
    };
}

/**
 * PIL `img.resize((w, h), Image.BICUBIC)` on an 8-bit image, bit for bit; with `win`, only that
 * crop of the result is computed (each output pixel depends on the source alone, so computing
 * fewer of them changes none), and parts of the window outside the image are zero, as PIL pads.
 */
export function resizeBicubic(src: RasterU8, outW: number, outH: number, win?: Window): RasterU8 {
    const w = win ?? { x: 0, y: 0, w: outW, h: outH };
    if (outW === src.width && outH === src.height) return cropRaster(src, w.x, w.y, w.w, w.h);
    const xa = Math.max(0, w.x);
    const xb = Math.min(outW, w.x + w.w);
    const ya = Math.max(0, w.y);
    const yb = Math.min(outH, w.y + w.h);
    if (xb <= xa || yb <= ya) {
        return {
            width: w.w,
            height: w.h,
            channels: src.channels,
            data: new Uint8Array(w.w * w.h * src.channels),
        };
    }
    const cx = sliceCoeffs(precomputeCoeffs(src.width, 0, src.width, outW), xa, xb);
    const cy = sliceCoeffs(precomputeCoeffs(src.height, 0, src.height, outH), ya, yb);
    const rows = yb - ya;
    let cur: RasterU8;
    if (outW === src.width) {
        cur = verticalPass(cropRaster(src, xa, 0, xb - xa, src.height), rows, cy, 0);
    } else if (outH === src.height) {
        cur = horizontalPass(src, ya, rows, xb - xa, cx);
    } else {
        const first = cy.bounds[0];
        const last = cy.bounds[rows * 2 - 2] + cy.bounds[rows * 2 - 1];
        cur = horizontalPass(src, first, last - first, xb - xa, cx);
        cur = verticalPass(cur, rows, cy, first);
    }
    if (xa === w.x && ya === w.y && xb - xa === w.w && rows === w.h) return cur;
    return cropRaster(cur, w.x - xa, w.y - ya, w.w, w.h);
}

/**
 * Source indices PIL's NEAREST resize picks along one axis. PIL walks the axis by repeated
 * addition of in/out from half a step, so an accumulated double decides ties; the closed
 * form floor((dst + 0.5) * in / out) can land one pixel off where that product is an integer.
 */
export function nearestIndices(inSize: number, outSize: number): Int32Array {
    const idx = new Int32Array(outSize);
    const step = inSize / outSize;
    let pos = step * 0.5;
    for (let i = 0; i < outSize; i++) {
        const v = pos < 0 ? -1 : Math.trunc(pos);
        idx[i] = v < inSize ? v : -1;
        pos += step;
    }
    return idx;
}

/** PIL `img.resize((w, h), Image.NEAREST)` on an id map (out-of-range picks become 0). */
export function resizeNearest(src: IdMap, outW: number, outH: number): IdMap {
    if (outW === src.width && outH === src.height) {
        return { ...src, data: src.data.slice() };
    }
    const xi = nearestIndices(src.width, outW);
    const yi = nearestIndices(src.height, outH);
    const out = new Int32Array(outW * outH);
    for (let y = 0; y < outH; y++) {
        if (yi[y] < 0) continue;
        const row = yi[y] * src.width;
        for (let x = 0; x < outW; x++) {
            if (xi[x] >= 0) out[y * outW + x] = src.data[row + xi[x]];
        }
    }
    return { width: outW, height: outH, data: out };
}

/** PIL `img.crop((x, y, x + w, y + h))`: parts outside the source are zero, like PIL pads. */
export function cropRaster(src: RasterU8, x0: number, y0: number, w: number, h: number): RasterU8 {
    const ch = src.channels;
    const out = new Uint8Array(w * h * ch);
    const xs = Math.max(0, x0);
    const xe = Math.min(src.width, x0 + w);
    if (xe > xs) {
        for (let y = 0; y < h; y++) {
            const sy = y + y0;
            if (sy < 0 || sy >= src.height) continue;
            const from = (sy * src.width + xs) * ch;
            out.set(src.data.subarray(from, from + (xe - xs) * ch), (y * w + xs - x0) * ch);
        }
    }
    return { width: w, height: h, channels: ch, data: out };
}

/** The same crop for an id map; the padding is id 0, as PIL pads an 'L' image. */
export function cropIds(src: IdMap, x0: number, y0: number, w: number, h: number): IdMap {
    const r = cropRaster(
        { width: src.width, height: src.height, channels: 4, data: bytesOf(src.data) },
        x0,
        y0,
        w,
        h,
    );
    return { width: w, height: h, data: new Int32Array(r.data.buffer, 0, w * h) };
}

function bytesOf(a: Int32Array): Uint8Array {
    return new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
}

/** Mirror left-right (PIL FLIP_LEFT_RIGHT). */
export function flipRaster(src: RasterU8): RasterU8 {
    const { width: w, height: h, channels: ch } = src;
    const out = new Uint8Array(src.data.length);
    for (let y = 0; y < h; y++) {
        for (let x = 0; x < w; x++) {
            const a = (y * w + x) * ch;
            const b = (y * w + (w - 1 - x)) * ch;
            for (let k = 0; k < ch; k++) out[b + k] = src.data[a + k];
        }
    }
    return { ...src, data: out };
}

/** Mirror an id map left-right. */
export function flipIds(src: IdMap): IdMap {
    const { width: w, height: h } = src;
    const out = new Int32Array(src.data.length);
    for (let y = 0; y < h; y++) {
        const base = y * w;
        for (let x = 0; x < w; x++) out[base + w - 1 - x] = src.data[base + x];
    }
    return { ...src, data: out };
}
