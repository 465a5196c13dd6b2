/**
 * The first SPADE conv (`mlp_shared`) reads a one-hot label map, so each output pixel is the sum,
 * over the k*k taps, of one weight column picked by the label under that tap: a table lookup,
 * not a dense conv over ~184 channels (68% of the generator's FLOPs at crop 64, ngf 16, perf-
 * baseline §2). Its weight gradient is a scatter-add of dY into the picked rows. Extra dense
 * channels (the instance edge map) still go through a small conv. The result equals the dense
 * conv up to float summation order.
 */
import * as tf from '@tensorflow/tfjs';
import { fastSlice } from './ops';
import { ortKernelEngine } from './ort-kernels';

/** Per-tap row indices into the lookup table for one label-map size. */
export interface TapIndices {
    /** One [N*OH*OW] array of table rows per tap, row-major over (ky, kx). */
    taps: Int32Array[];
    /** The conv's output [N, OH, OW]. */
    shape: [number, number, number];
}

/** Where a lookup runs: onnxruntime's Gather/ScatterND, a JS loop, or tf.gather/scatterND. */
export type LookupWay = 'ort' | 'js' | 'tf';

/**
 * On wasm, tfjs's Gather moves ~10M floats/s (a 9-tap lookup took longer than the dense conv
 * it replaces); a JS loop over the table rows is ~5 ns a value; onnxruntime's Gather + sum and
 * ScatterND (when its kernels are on, ort-kernels.ts) are ~6x faster than the loop at the
 * benchmark's sizes. Native and GPU backends keep tf.gather / tf.scatterND.
 */
export function lookupWay(): LookupWay {
    if (lookupPath.force) return lookupPath.force;
    const b = tf.getBackend();
    if (b === 'wasm' && ortKernelEngine() !== null) return 'ort';
    return b === 'wasm' || b === 'cpu' ? 'js' : 'tf';
}

/** Tests force a path here to cover what other backends and settings run. */
export const lookupPath: { force?: LookupWay } = {};

/** The taps' indices as one [taps * P] array, made once per TapIndices. */
const flatCache = new WeakMap<TapIndices, Int32Array>();

function flatTaps(idx: TapIndices): Int32Array {
    let flat = flatCache.get(idx);
    if (!flat) {
        const p = idx.taps[0].length;
        flat = new Int32Array(idx.taps.length * p);
        idx.taps.forEach((t, i) => flat!.set(t, i * p));
        flatCache.set(idx, flat);
    }
    return flat;
}

/**
 * Label ids [N, H, W] from the one-hot part (the first `classes` channels) of an NHWC map;
 * pixels with no class set get `classes`, the all-zero row.
 */
export function labelsFromOneHot(seg: tf.Tensor4D, classes: number): tf.Tensor3D {
    return tf.tidy(() => {
        const [n, h, w] = seg.shape;
        const oh = classes === seg.shape[3] ? seg : tf.slice(seg, [0, 0, 0, 0], [n, h, w, classes]);
        const id = tf.cast(tf.argMax(oh, 3), 'int32');
        const any = tf.greater(tf.max(oh, 3), 0.5);
        return tf.where(any, id, tf.fill([n, h, w], classes, 'int32')) as tf.Tensor3D;
    });
}

/**
 * Table rows each tap reads: tap * (classes + 1) + label of the input pixel under that tap, or
 * `classes` (the zero row) where the tap falls in the zero padding. Output pixels follow the
 * conv's stride and padding (default: stride 1, "same" padding of an odd kernel).
 */
export function tapIndices(
    labels: Int32Array,
    shape: [number, number, number],
    classes: number,
    k: number,
    stride = 1,
    pad = Math.floor(k / 2),
): TapIndices {
    const [n, h, w] = shape;
    const oh = Math.floor((h + 2 * pad - k) / stride) + 1;
    const ow = Math.floor((w + 2 * pad - k) / stride) + 1;
    const taps: Int32Array[] = [];
    for (let i = 0; i < k; i++) {
        for (let j = 0; j < k; j++) {
            const base = (i * k + j) * (classes + 1);
            const out = new Int32Array(n * oh * ow);
            for (let b = 0; b < n; b++) {
                for (let y = 0; y < oh; y++) {
                    const sy = y * stride + i - pad;
                    for (let x = 0; x < ow; x++) {
                        const sx = x * stride + j - pad;
                        // Padding reads "no class": the zero row, as the dense conv's zero padding does.
                        const inside = sy >= 0 && sy < h && sx >= 0 && sx < w;
                        out[(b * oh + y) * ow + x] =
                            base + (inside ? labels[(b * h + sy) * w + sx] : classes);
                    }
                }
            }
            taps.push(out);
        }
    }
    return { taps, shape: [n, oh, ow] };
}

/** HWIO weight of the one-hot channels -> [k*k*(classes+1), out] table (row tap*(C+1)+c). */
export function lookupTable(w: tf.Tensor4D, classes: number): tf.Tensor2D {
    const [kh, kw, cin, cout] = w.shape;
    const oh = classes === cin ? w : fastSlice(w, [0, 0, 0, 0], [kh, kw, classes, cout]);
    // The zero row for "no class" after each tap's C rows.
    const t = tf.pad(oh, [
        [0, 0],
        [0, 0],
        [0, 1],
        [0, 0],
    ]);
    return tf.reshape(t, [kh * kw * (classes + 1), cout]);
}

/** sum over taps of table[idx_t] in JS: [rows, cout] table, out [P, cout]. */
function gatherSumJs(table: Float32Array, cout: number, idx: TapIndices): Float32Array {
    const p = idx.taps[0].length;
    const out = new Float32Array(p * cout);
    for (const rows of idx.taps) {
        for (let q = 0; q < p; q++) {
            const src = rows[q] * cout;
            const dst = q * cout;
            for (let c = 0; c < cout; c++) out[dst + c] += table[src + c];
        }
    }
    return out;
}

/** The table gradient: dY scatter-added into the rows each tap read. */
function scatterAddJs(
    dy: Float32Array,
    rowsTotal: number,
    cout: number,
    idx: TapIndices,
): Float32Array {
    const g = new Float32Array(rowsTotal * cout);
    const p = idx.taps[0].length;
    for (const rows of idx.taps) {
        for (let q = 0; q < p; q++) {
            const dst = rows[q] * cout;
            const src = q * cout;
            for (let c = 0; c < cout; c++) g[dst + c] += dy[src + c];
        }
    }
    return g;
}

/** sum over taps of table[idx_t], [N*H*W, out]; its table gradient is a scatter-add per tap. */
export function gatherSum(table: tf.Tensor2D, idx: TapIndices, way = lookupWay()): tf.Tensor2D {
    const [rowsTotal, cout] = table.shape;
    const p = idx.taps[0].length;
    const ort = way === 'ort' ? ortKernelEngine() : null;
    if (ort) {
        const taps = idx.taps.length;
        const f = tf.customGrad((ti) => {
            const out = new Float32Array(p * cout);
            const data = (ti as tf.Tensor).dataSync() as Float32Array;
            ort.gatherSum({ data, rows: rowsTotal, cols: cout }, flatTaps(idx), taps, out);
            return {
                value: tf.tensor2d(out, [p, cout]),
                gradFunc: (dy) => {
                    const g = {
                        data: new Float32Array(rowsTotal * cout),
                        rows: rowsTotal,
                        cols: cout,
                    };
                    const d = { data: dy.dataSync() as Float32Array, rows: p, cols: cout };
                    ort.scatterAdd(d, flatTaps(idx), taps, g);
                    return tf.tensor2d(g.data, [rowsTotal, cout]);
                },
            };
        });
        return f(table) as tf.Tensor2D;
    }
    if (way === 'js' || way === 'ort') {
        const f = tf.customGrad((ti) => {
            const value = tf.tensor2d(
                gatherSumJs((ti as tf.Tensor).dataSync() as Float32Array, cout, idx),
                [p, cout],
            );
            return {
                value,
                gradFunc: (dy) =>
                    tf.tensor2d(scatterAddJs(dy.dataSync() as Float32Array, rowsTotal, cout, idx), [
                        rowsTotal,
                        cout,
                    ]),
            };
        });
        return f(table) as tf.Tensor2D;
    }
    const f = tf.customGrad((ti, save) => {
        const t = ti as tf.Tensor2D;
        const ix = idx.taps.map((a) => tf.tensor1d(a, 'int32'));
        // The forward runs in a tidy that disposes whatever is not saved: keep the indices.
        (save as tf.GradSaveFunc)(ix);
        const value = tf.addN(ix.map((i) => tf.gather(t, i)));
        return {
            value,
            gradFunc: (dy, saved) => {
                const d = dy as tf.Tensor2D;
                return [
                    tf.addN(saved.map((i) => tf.scatterND(tf.reshape(i, [-1, 1]), d, t.shape))),
                ];
            },
        };
    });
    return f(table) as tf.Tensor2D;
}
