/**
 * Tensor operations the networks are built from, written so that training works on every
 * backend: the wasm backend has no `Conv2DBackpropFilter` (and its `conv2dTranspose` and
 * transposed `matMul` run ~10x slower than a plain conv, perf-baseline §5.2), so convolutions
 * carry their own gradient made of forward convs, slices and flag-free matMuls. Layout is NHWC.
 */
import * as tf from '@tensorflow/tfjs';
import { ortKernelEngine } from './ort-kernels';

/** NCHW -> NHWC. */
export function toNHWC(x: tf.Tensor4D): tf.Tensor4D {
    return tf.transpose(x, [0, 2, 3, 1]);
}

/** NHWC -> NCHW. */
export function toNCHW(x: tf.Tensor4D): tf.Tensor4D {
    return tf.transpose(x, [0, 3, 1, 2]);
}

/** PyTorch OIHW conv weight -> tfjs HWIO. */
export function oihwToHwio(w: tf.Tensor4D): tf.Tensor4D {
    return tf.transpose(w, [2, 3, 1, 0]);
}

/**
 * `tf.slice` with the trailing axes it keeps whole merged into the last one it cuts. wasm's
 * Slice copies one innermost run at a time in JavaScript: a tap of a [1, 66, 66, 128] map is
 * 4,096 copies of 128 floats as it stands, 64 copies of 8,192 floats merged (~10x faster).
 */
export function fastSlice<T extends tf.Tensor>(x: T, begin: number[], size: number[]): T {
    const shape = x.shape;
    let k = shape.length - 1;
    let inner = 1;
    while (k > 0 && begin[k] === 0 && (size[k] === shape[k] || size[k] === -1)) {
        inner *= shape[k];
        k--;
    }
    if (inner === 1) return tf.slice(x, begin, size);
    const mShape = [...shape.slice(0, k), shape[k] * inner];
    const mBegin = [...begin.slice(0, k), begin[k] * inner];
    const mSize = [...size.slice(0, k), (size[k] === -1 ? shape[k] - begin[k] : size[k]) * inner];
    const out = tf.slice(tf.reshape(x, mShape), mBegin, mSize);
    const outShape = size.map((v, i) => (v === -1 ? shape[i] - begin[i] : v));
    return tf.reshape(out, outShape) as T;
}

/** Output size of a conv or pool along one axis. */
export function convOut(size: number, k: number, stride: number, pad: number): number {
    return Math.floor((size + 2 * pad - k) / stride) + 1;
}

function explicitPad(
    p: number,
): [[number, number], [number, number], [number, number], [number, number]] {
    return [
        [0, 0],
        [p, p],
        [p, p],
        [0, 0],
    ];
}

/**
 * dY scattered onto the stride grid: zeros between rows and columns, so that the input
 * gradient of a strided conv becomes a stride-1 conv.
 */
function dilate(dy: tf.Tensor4D, s: number): tf.Tensor4D {
    if (s === 1) return dy;
    const [n, oh, ow, c] = dy.shape;
    const spread = tf.pad(tf.reshape(dy, [n, oh, 1, ow, 1, c]), [
        [0, 0],
        [0, 0],
        [0, s - 1],
        [0, 0],
        [0, s - 1],
        [0, 0],
    ]);
    const full = tf.reshape(spread, [n, oh * s, ow * s, c]);
    return tf.slice(full, [0, 0, 0, 0], [n, (oh - 1) * s + 1, (ow - 1) * s + 1, c]) as tf.Tensor4D;
}

/**
 * HWIO [kh, kw, cin, cout] -> flipped 180 degrees with in/out swapped, [kh, kw, cout, cin].
 * On wasm and cpu in JS: wasm's Reverse takes ~200 ms on a 4x4x256x512 filter.
 */
function flipSwap(w: tf.Tensor4D): tf.Tensor4D {
    const b = tf.getBackend();
    if (b !== 'wasm' && b !== 'cpu')
        return tf.transpose<tf.Tensor4D>(tf.reverse(w, [0, 1]), [0, 1, 3, 2]);
    const [kh, kw, cin, cout] = w.shape;
    const src = w.dataSync() as Float32Array;
    const out = new Float32Array(src.length);
    for (let i = 0; i < kh; i++) {
        for (let j = 0; j < kw; j++) {
            const s0 = (i * kw + j) * cin * cout;
            const d0 = ((kh - 1 - i) * kw + (kw - 1 - j)) * cout * cin;
            for (let c = 0; c < cin; c++) {
                for (let o = 0; o < cout; o++) out[d0 + o * cin + c] = src[s0 + c * cout + o];
            }
        }
    }
    return tf.tensor4d(out, [kh, kw, cout, cin]);
}

/** dL/dx of a conv: a forward conv of the dilated dY with the filter flipped and in/out swapped. */
export function convInputGrad(
    dy: tf.Tensor4D,
    w: tf.Tensor4D,
    inShape: number[],
    stride: number,
    pad: number,
): tf.Tensor4D {
    const [kh, kw] = w.shape;
    const wf = flipSwap(w);
    const dd = dilate(dy, stride);
    const top = kh - 1 - pad;
    const left = kw - 1 - pad;
    const bottom = inShape[1] + kh - 1 - top - dd.shape[1];
    const right = inShape[2] + kw - 1 - left - dd.shape[2];
    if (top < 0 || left < 0) throw new Error(`conv gradient: padding ${pad} > kernel ${kh} - 1`);
    // Rows the forward conv never read (floor in the output size) get no gradient: crop them.
    let src = dd;
    let b = bottom;
    let r = right;
    if (b < 0 || r < 0) {
        src = tf.slice(
            dd,
            [0, 0, 0, 0],
            [-1, dd.shape[1] + Math.min(b, 0), dd.shape[2] + Math.min(r, 0), -1],
        );
        b = Math.max(b, 0);
        r = Math.max(r, 0);
    }
    return tf.conv2d(src, wf, 1, [
        [0, 0],
        [top, b],
        [left, r],
        [0, 0],
    ]);
}

/** Largest im2col matrix (floats) the filter gradient builds in one piece. */
const IM2COL_MAX = 1 << 21;

/**
 * dL/dW of a conv, HWIO: per tap, the shifted input in channel-major form times dY
 * ([Cin, NHW] x [NHW, Cout], no transpose flags).
 */
export function convFilterGrad(
    x: tf.Tensor4D,
    dy: tf.Tensor4D,
    wShape: number[],
    stride: number,
    pad: number,
): tf.Tensor4D {
    const [kh, kw, cin, cout] = wShape;
    const [n, oh, ow] = dy.shape;
    const xp = pad > 0 ? tf.pad(x, explicitPad(pad)) : x;
    // dW^T per tap = dY^T [cout, NHW] x X_tap [NHW, cin]: one transpose of dY, and taps that
    // are slices of the NHWC input with whole pixels contiguous (channel-major slices and
    // StridedSlice are many times slower on wasm).
    const dyT = tf.transpose(tf.reshape(dy, [n * oh * ow, cout]));
    const s = stride;
    const taps: tf.Tensor2D[] = [];
    if (s === 1) {
        // Each tap is whole rows of the padded input: [N, oh, ow*cin] runs (see fastSlice).
        const rows = tf.reshape(xp, [n, xp.shape[1], xp.shape[2] * cin]);
        for (let i = 0; i < kh; i++) {
            for (let j = 0; j < kw; j++) {
                const tap = tf.slice(rows, [0, i, j * cin], [n, oh, ow * cin]);
                taps.push(tf.reshape(tap, [n * oh * ow, cin]));
            }
        }
    } else {
        // Stride phases: [b, a, N, H/s, W/s, C] for row phase a and column phase b, made by a
        // rank-4 then a rank-3 transpose (one rank-5 transpose runs ~10x slower on wasm), so
        // that each tap is again whole rows of one phase.
        const hs = Math.ceil(xp.shape[1] / s);
        const ws = Math.ceil(xp.shape[2] / s);
        const xe = tf.pad(xp, [
            [0, 0],
            [0, hs * s - xp.shape[1]],
            [0, ws * s - xp.shape[2]],
            [0, 0],
        ]);
        const rowPhase = tf.transpose(tf.reshape(xe, [n * hs, s, ws, s * cin]), [1, 0, 2, 3]);
        const colPhase = tf.transpose(tf.reshape(rowPhase, [s * n * hs * ws, s, cin]), [1, 0, 2]);
        const src = tf.reshape(colPhase, [s * s * n, hs, ws * cin]);
        for (let i = 0; i < kh; i++) {
            for (let j = 0; j < kw; j++) {
                const first = ((j % s) * s + (i % s)) * n;
                const begin = [first, Math.floor(i / s), Math.floor(j / s) * cin];
                const tap = tf.slice(src, begin, [n, oh, ow * cin]);
                taps.push(tf.reshape(tap, [n * oh * ow, cin]));
            }
        }
    }
    // Small layers: one matMul over all taps (im2col; fewer kernels, which dominate there).
    // Large ones: a matMul per tap, so no 9x copy of the input is made.
    const dwT =
        kh * kw * cin * n * oh * ow <= IM2COL_MAX
            ? tf.matMul(dyT, tf.concat(taps, 1))
            : tf.concat(
                  taps.map((t) => tf.matMul(dyT, t)),
                  1,
              );
    return tf.transpose(tf.reshape(dwT, [cout, kh, kw, cin]), [1, 2, 3, 0]);
}

/** With onnxruntime's kernels on wasm (ort-kernels.ts), the stock gradient kernels are fastest. */
function stockGradKernels(): boolean {
    return tf.getBackend() === 'wasm' && ortKernelEngine() !== null;
}

/** dL/dx of a conv: the backend's Conv2DBackpropInput kernel, or convInputGrad. */
function inputGradOf(
    dy: tf.Tensor4D,
    w: tf.Tensor4D,
    inShape: number[],
    stride: number,
    pad: number,
): tf.Tensor4D {
    if (!stockGradKernels()) return convInputGrad(dy, w, inShape, stride, pad);
    // convInputGrad reads only the spatial size; the kernel wants the filter's input channels.
    const inputShape = [inShape[0], inShape[1], inShape[2], w.shape[2]];
    const attrs = { strides: stride, pad: explicitPad(pad), dataFormat: 'NHWC', inputShape };
    return tf.engine().runKernel<tf.Tensor4D>('Conv2DBackpropInput', { dy, filter: w }, attrs);
}

/** dL/dW of a conv: the backend's Conv2DBackpropFilter kernel, or convFilterGrad. */
function filterGradOf(
    x: tf.Tensor4D,
    dy: tf.Tensor4D,
    wShape: number[],
    stride: number,
    pad: number,
): tf.Tensor4D {
    if (!stockGradKernels()) return convFilterGrad(x, dy, wShape, stride, pad);
    const attrs = {
        strides: stride,
        pad: explicitPad(pad),
        dataFormat: 'NHWC',
        filterShape: wShape,
    };
    return tf.engine().runKernel<tf.Tensor4D>('Conv2DBackpropFilter', { x, dy }, attrs);
}

/** Options of one convolution. */
export interface ConvSpec {
    stride: number;
    pad: number;
    /**
     * False when x is a constant (e.g. the label map): its gradient is then not computed.
     * A number c: only channels c.. need it (D's input is labels, then the image), the
     * leading ones get zeros.
     */
    inputGrad?: boolean | number;
    /** False when w is a constant (e.g. frozen VGG19 weights): its gradient is not computed. */
    filterGrad?: boolean;
    /**
     * Only the first `gradRows` samples of the batch need an input gradient (the others are
     * constants whose gradient is thrown away); the rest get zeros. Unset: all of them.
     */
    gradRows?: number;
}

/** 2-D convolution (NHWC x HWIO) with an optional bias, differentiable on every backend. */
export function conv2d(
    x: tf.Tensor4D,
    w: tf.Tensor4D,
    b: tf.Tensor1D | null,
    spec: ConvSpec,
): tf.Tensor4D {
    const { stride, pad } = spec;
    const padArg = explicitPad(pad);
    const needDx = spec.inputGrad !== false;
    const from = typeof spec.inputGrad === 'number' ? spec.inputGrad : 0;
    const dxOf = (dy: tf.Tensor4D, sw: tf.Tensor4D, sx: tf.Tensor4D): tf.Tensor4D => {
        if (!needDx) return tf.zerosLike(sx);
        const [n, h, w, c] = sx.shape;
        const rows = Math.min(spec.gradRows ?? n, n);
        const d = rows < n ? fastSlice(dy, [0, 0, 0, 0], [rows, -1, -1, -1]) : dy;
        const inShape = [rows, h, w, c];
        let dx: tf.Tensor4D;
        if (from === 0) dx = inputGradOf(d, sw, inShape, stride, pad);
        else {
            const [kh, kw, cin, cout] = sw.shape;
            const part = fastSlice(sw, [0, 0, from, 0], [kh, kw, cin - from, cout]);
            const dxp = inputGradOf(d, part, inShape, stride, pad);
            dx = tf.concat([tf.zeros([rows, h, w, from]), dxp], 3);
        }
        return rows < n ? tf.concat([dx, tf.zeros([n - rows, h, w, c])], 0) : dx;
    };
    const needDw = spec.filterGrad !== false;
    const dw = (sx: tf.Tensor4D, d: tf.Tensor4D, sw: tf.Tensor4D) =>
        needDw ? filterGradOf(sx, d, sw.shape, stride, pad) : tf.zerosLike(sw);
    if (b !== null) {
        const f = tf.customGrad((xi, wi, bi, save) => {
            const xx = xi as tf.Tensor4D;
            const ww = wi as tf.Tensor4D;
            (save as tf.GradSaveFunc)([xx, ww]);
            const value = tf.fused.conv2d({
                x: xx,
                filter: ww,
                strides: stride,
                pad: padArg,
                bias: bi as tf.Tensor,
            });
            return {
                value,
                gradFunc: (dy, saved) => {
                    const [sx, sw] = saved as tf.Tensor4D[];
                    const d = dy as tf.Tensor4D;
                    const dx = dxOf(d, sw, sx);
                    return [dx, dw(sx, d, sw), tf.sum(d, [0, 1, 2])];
                },
            };
        });
        return f(x, w, b) as tf.Tensor4D;
    }
    const g = tf.customGrad((xi, wi, save) => {
        const xx = xi as tf.Tensor4D;
        const ww = wi as tf.Tensor4D;
        (save as tf.GradSaveFunc)([xx, ww]);
        return {
            value: tf.conv2d(xx, ww, stride, padArg),
            gradFunc: (dy, saved) => {
                const [sx, sw] = saved as tf.Tensor4D[];
                const d = dy as tf.Tensor4D;
                const dx = dxOf(d, sw, sx);
                return [dx, dw(sx, d, sw)];
            },
        };
    });
    return g(x, w) as tf.Tensor4D;
}

/**
 * The source index PyTorch's `F.interpolate(mode='nearest')` reads for each output index:
 * `min(floor(float32(dst * float32(in/out))), in - 1)` (not half-pixel, not exact arithmetic).
 */
export function nearestIndex(inSize: number, outSize: number): Int32Array {
    const scale = Math.fround(inSize / outSize);
    const idx = new Int32Array(outSize);
    for (let d = 0; d < outSize; d++)
        idx[d] = Math.min(Math.floor(Math.fround(d * scale)), inSize - 1);
    return idx;
}

/** Nearest resize of a constant NHWC map (e.g. the segmap) with PyTorch's indices. */
export function resizeNearest(x: tf.Tensor4D, h: number, w: number): tf.Tensor4D {
    const [, ih, iw] = x.shape;
    if (ih === h && iw === w) return x;
    return tf.tidy(() => {
        const rows = ih === h ? x : tf.gather(x, tf.tensor1d(nearestIndex(ih, h), 'int32'), 1);
        return iw === w ? rows : tf.gather(rows, tf.tensor1d(nearestIndex(iw, w), 'int32'), 2);
    });
}

/**
 * 2x nearest upsampling (`nn.Upsample(scale_factor=2)`): at exactly 2x, tfjs's nearest resize
 * (no corner alignment, no half-pixel centres) reads floor(dst / 2) as PyTorch does, and its
 * gradient kernel exists on every backend (on wasm 2.4x faster than broadcasting, measured).
 */
export function upsample2x(x: tf.Tensor4D): tf.Tensor4D {
    return tf.image.resizeNearestNeighbor(x, [2 * x.shape[1], 2 * x.shape[2]]);
}

/** Per-output-pixel 1/count of in-bounds taps of a 3x3, stride 2, pad 1 window. */
function poolInvCount(h: number, w: number, oh: number, ow: number): tf.Tensor4D {
    const rows = (o: number, size: number) =>
        Math.min(2 * o + 1, size - 1) - Math.max(2 * o - 1, 0) + 1;
    const v = new Float32Array(oh * ow);
    for (let i = 0; i < oh; i++)
        for (let j = 0; j < ow; j++) v[i * ow + j] = 1 / (rows(i, h) * rows(j, w));
    return tf.tensor4d(v, [1, oh, ow, 1]);
}

/**
 * `F.avg_pool2d(x, 3, 2, 1, count_include_pad=False)`, the discriminator's scale link, as a
 * sum of nine strided taps over the zero-padded map divided by the in-bounds count.
 */
export function avgPool3s2(x: tf.Tensor4D): tf.Tensor4D {
    const f = tf.customGrad((xi) => {
        const xx = xi as tf.Tensor4D;
        const [n, h, w, c] = xx.shape;
        const oh = convOut(h, 3, 2, 1);
        const ow = convOut(w, 3, 2, 1);
        // The backends' AvgPool already averages over in-bounds taps only (count_include_pad=False);
        // their AvgPoolGrad does not (it divides by 9 everywhere), hence the own gradient below.
        const value = tf.avgPool(xx, 3, 2, 1);
        return {
            value,
            gradFunc: (dy) => {
                const d = tf.mul<tf.Tensor4D>(dy, poolInvCount(h, w, oh, ow));
                const dd = dilate(d, 2);
                const hp = h + 2;
                const wp = w + 2;
                const parts: tf.Tensor4D[] = [];
                for (let i = 0; i < 3; i++) {
                    for (let j = 0; j < 3; j++) {
                        parts.push(
                            tf.pad(dd, [
                                [0, 0],
                                [i, hp - i - dd.shape[1]],
                                [j, wp - j - dd.shape[2]],
                                [0, 0],
                            ]),
                        );
                    }
                }
                return [
                    tf.slice<tf.Rank.R4, tf.Tensor4D>(
                        tf.addN<tf.Tensor4D>(parts),
                        [0, 1, 1, 0],
                        [n, h, w, c],
                    ),
                ];
            },
        };
    });
    return f(x) as tf.Tensor4D;
}

/** Linear layer y = x W^T + b with W in PyTorch's [out, in] layout. */
export function linear(x: tf.Tensor2D, w: tf.Tensor2D, b: tf.Tensor1D | null): tf.Tensor2D {
    const y = tf.matMul<tf.Tensor2D>(x, tf.transpose(w));
    return b === null ? y : tf.add<tf.Tensor2D>(y, b);
}
