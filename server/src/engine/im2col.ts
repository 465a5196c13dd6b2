/**
 * Patch matrices of an NHWC convolution (im2col) and their adjoint (col2im), so that a conv,
 * its input gradient and its filter gradient are each one GEMM (ort-kernels.ts). Row m of the
 * patch matrix is output pixel m = (n, oy, ox) in NHWC order; column (i, j, c) is tap (i, j) of
 * input channel c, the order of an HWIO filter flattened to [kh * kw * cin, cout]. Written by
 * hand: it is a strided copy, and no library here does it on plain Float32Arrays.
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

/**
 * For output pixel m: the input offset of tap (i, 0)'s first channel and the range [j0, j1)
 * of taps in bounds along the row (taps of one row are adjacent pixels: one contiguous run).
 */
function forEachTapRow(
    g: ConvGeometry,
    m0: number,
    m1: number,
    visit: (row: number, i: number, src: number, j0: number, j1: number) => void,
): void {
    const { inH, inW, inC, kh, kw, outH, outW, strideH, strideW, padTop, padLeft } = g;
    for (let m = m0; m < m1; m++) {
        const ox = m % outW;
        const oy = Math.floor(m / outW) % outH;
        const n = Math.floor(m / (outW * outH));
        const x0 = ox * strideW - padLeft;
        const j0 = Math.max(0, -x0);
        const j1 = Math.min(kw, inW - x0);
        for (let i = 0; i < kh; i++) {
            const y = oy * strideH - padTop + i;
            if (y < 0 || y >= inH || j1 <= j0) continue;
            visit(m - m0, i, ((n * inH + y) * inW + x0) * inC, j0, j1);
        }
    }
}

/**
 * Writes rows [m0, m1) of the patch matrix of `x` (NHWC, the geometry's input) into `dst`
 * (at least (m1 - m0) x patchCols values; taps outside the input are zeros).
 */
export function im2col(x: Float32Array, g: ConvGeometry, m0: number, m1: number, dst: Float32Array): void {
    const cols = patchCols(g);
    const c = g.inC;
    dst.fill(0, 0, (m1 - m0) * cols);
    forEachTapRow(g, m0, m1, (row, i, src, j0, j1) => {
        const from = src + j0 * c;
        const to = row * cols + (i * g.kw + j0) * c;
        const len = (j1 - j0) * c;
        if (len >= 32) dst.set(x.subarray(from, from + len), to);
        else for (let t = 0; t < len; t++) dst[to + t] = x[from + t];
    });
}

/**
 * The adjoint of im2col: adds rows [m0, m1) of `cols` (patch-matrix layout) into `dx`
 * (NHWC, the geometry's input shape), each tap onto the input pixel it was read from.
 */
export function col2imAdd(cols: Float32Array, g: ConvGeometry, m0: number, m1: number, dx: Float32Array): void {
    const width = patchCols(g);
    const c = g.inC;
    forEachTapRow(g, m0, m1, (row, i, src, j0, j1) => {
        const to = src + j0 * c;
        const from = row * width + (i * g.kw + j0) * c;
        const len = (j1 - j0) * c;
        for (let t = 0; t < len; t++) dx[to + t] += cols[from + t];
    });
}
