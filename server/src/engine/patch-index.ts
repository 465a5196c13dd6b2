/**
 * Patch indices of an NHWC convolution: for output pixel m and tap (i, j), the input pixel
 * the tap reads (n * H * W + y * W + x), or `pixels` (a zero row) where it falls in the
 * padding. Gathering input rows by it gives the im2col matrix in HWIO order (row m, columns
 * (i, j, c)); ort-conv.ts runs convolutions and their gradients over it. The indices depend
 * only on the geometry and are made once per geometry.
 */

/** Geometry of one 2-D convolution (dilation 1), NHWC input, HWIO filter. */
export interface ConvGeometry {
    batch: number;
    inH: number;
    inW: number;
    inC: number;
    kh: number;
    kw: number;
    outC: number;
    outH: number;
    outW: number;
    strideH: number;
    strideW: number;
    /** Zero rows above / columns left of the input. */
    padTop: number;
    padLeft: number;
}

/** Columns of the patch matrix: kh * kw * inC. */
export function patchCols(g: ConvGeometry): number {
    return g.kh * g.kw * g.inC;
}

/** Rows of the patch matrix: one per output pixel. */
export function patchRows(g: ConvGeometry): number {
    return g.batch * g.outH * g.outW;
}

const cache = new Map<string, Int32Array>();
let cachedInts = 0;
/** Indices kept at most (64 MB): a network has a few dozen geometries, most of them small. */
const CACHE_INTS = 1 << 24;

/** [patchRows, kh * kw] input pixel per output pixel and tap (see the file comment). */
export function patchIndex(g: ConvGeometry): Int32Array {
    const { batch, inH, inW, kh, kw, outH, outW, strideH, strideW, padTop, padLeft } = g;
    const key = [batch, inH, inW, kh, kw, outH, outW, strideH, strideW, padTop, padLeft].join(',');
    const hit = cache.get(key);
    if (hit) return hit;
    const pixels = batch * inH * inW;
    const idx = new Int32Array(batch * outH * outW * kh * kw);
    let at = 0;
    for (let n = 0; n < batch; n++)
        for (let oy = 0; oy < outH; oy++)
            for (let ox = 0; ox < outW; ox++)
                for (let i = 0; i < kh; i++) {
                    const y = oy * strideH - padTop + i;
                    for (let j = 0; j < kw; j++) {
                        const x = ox * strideW - padLeft + j;
                        const inside = y >= 0 && y < inH && x >= 0 && x < inW;
                        idx[at++] = inside ? (n * inH + y) * inW + x : pixels;
                    }
                }
    // Geometries repeat every step; when a run's exceed the bound, start over.
    if (cachedInts + idx.length > CACHE_INTS) {
        cache.clear();
        cachedInts = 0;
    }
    cache.set(key, idx);
    cachedInts += idx.length;
    return idx;
}
