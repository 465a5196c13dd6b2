/**
 * SPADE's modulation computed once per distinct label pattern, for training (the ONNX export's
 * 'patterns' lookup, onnx/onehot-graph.ts, does the same for inference).
 *
 * `mlp_shared` reads one-hot labels (and the binary instance-edge map), so its activation at a
 * pixel depends only on the k x k pattern of codes around it (code = label, plus C + 1 when the
 * edge bit is set). gamma and beta are k x k convs of that activation, so at a pixel they depend
 * only on the k x k pattern of level-1 pattern ids around it. Real masks are mostly uniform
 * regions: both levels have far fewer distinct patterns than pixels, and the convs become
 *
 *     actv = relu(table rows summed per level-1 pattern + bias)     [M1, hidden]
 *     T    = actv x W (all taps of gamma and beta side by side)     [M1, k*k*2C]
 *     G2   = per level-2 pattern, the sum of its taps' rows of T    [M2, 2C]
 *     out  = G2 gathered per pixel + bias                           [P, 2C]
 *
 * with gradients made of the same lookups (scatter-adds) and flag-free matMuls. The result is
 * the convs' up to float32 summation order. Where patterns are not much fewer than pixels
 * (small maps, noisy masks) the caller keeps the convs.
 */
import * as tf from '@tensorflow/tfjs';
import { gatherSum, type TapIndices } from './onehot';

/** Distinct rows of a [P, width] int matrix and, for each row, the index of its distinct row. */
export function uniqueRows(
    rows: Int32Array,
    width: number,
): { unique: Int32Array; count: number; inverse: Int32Array } {
    const p = rows.length / width;
    // Open addressing on a power-of-two table; entries hold distinct-row index + 1.
    let size = 1;
    while (size < 2 * p) size <<= 1;
    const slots = new Int32Array(size);
    const unique = new Int32Array(rows.length);
    const inverse = new Int32Array(p);
    let count = 0;
    for (let r = 0; r < p; r++) {
        const o = r * width;
        let h = 0x811c9dc5;
        for (let c = 0; c < width; c++) h = Math.imul(h ^ rows[o + c], 0x01000193);
        let s = h & (size - 1);
        for (;;) {
            const e = slots[s];
            if (e === 0) {
                unique.set(rows.subarray(o, o + width), count * width);
                slots[s] = ++count;
                inverse[r] = count - 1;
                break;
            }
            const u = (e - 1) * width;
            let same = true;
            for (let c = 0; c < width && same; c++) same = unique[u + c] === rows[o + c];
            if (same) {
                inverse[r] = e - 1;
                break;
            }
            s = (s + 1) & (size - 1);
        }
    }
    return { unique: unique.subarray(0, count * width), count, inverse };
}

/** For each pixel of [N, h, w] and tap (row-major k x k, "same" padding), the value under it. */
function shifted(values: Int32Array, shape: [number, number, number], k: number, pad: number) {
    const [n, h, w] = shape;
    const k2 = k * k;
    const p = (k - 1) / 2;
    const out = new Int32Array(n * h * w * k2);
    let o = 0;
    for (let b = 0; b < n; b++) {
        for (let y = 0; y < h; y++) {
            for (let x = 0; x < w; x++) {
                for (let i = 0; i < k; i++) {
                    const sy = y + i - p;
                    for (let j = 0; j < k; j++) {
                        const sx = x + j - p;
                        out[o++] =
                            sy >= 0 && sy < h && sx >= 0 && sx < w
                                ? values[(b * h + sy) * w + sx]
                                : pad;
                    }
                }
            }
        }
    }
    return out;
}

/** Column t of a [M, k2] matrix as an Int32Array, mapped through f. */
function tapColumns(m: Int32Array, count: number, k2: number, f: (v: number, t: number) => number) {
    const taps: Int32Array[] = [];
    for (let t = 0; t < k2; t++) {
        const col = new Int32Array(count);
        for (let r = 0; r < count; r++) col[r] = f(m[r * k2 + t], t);
        taps.push(col);
    }
    return taps;
}

/** Both pattern levels of one label map at one size, for one kernel size. */
export interface PatternLevels {
    /** Level 1: per distinct code pattern, the stacked-table row of each tap. */
    codes: TapIndices;
    /** Level 2: per distinct pattern of level-1 ids, the row of T each tap reads. */
    second: TapIndices;
    /** Pixel -> level-2 pattern, [N*h*w]. */
    pixels: TapIndices;
    m1: number;
    m2: number;
    /** Rows per tap of the stacked table: (classes + 1), twice with the edge map. */
    tableRows: number;
}

/**
 * Pattern levels of `ids` (label per pixel, `classes` = none) with an optional binary edge map.
 * Returns undefined when patterns would not save work: level-1 patterns (which set the matMul's
 * size) more than `maxShare` of the pixels.
 */
export function patternLevels(
    ids: Int32Array,
    edges: Uint8Array | null,
    shape: [number, number, number],
    classes: number,
    k: number,
    maxShare = 0.5,
): PatternLevels | undefined {
    const [n, h, w] = shape;
    const pixels = n * h * w;
    const k2 = k * k;
    const rows = classes + 1;
    const tableRows = edges ? 2 * rows : rows;
    const codes = new Int32Array(pixels);
    for (let q = 0; q < pixels; q++) codes[q] = ids[q] + (edges && edges[q] ? rows : 0);
    // Zero padding reads "no label, no edge".
    const one = uniqueRows(shifted(codes, shape, k, classes), k2);
    if (one.count > maxShare * pixels) return undefined;
    // The convs' work scales with level 1 (T = actv x W); level 2 only adds cheap row sums.
    const two = uniqueRows(shifted(one.inverse, shape, k, -1), k2);
    const zeroRow = one.count * k2;
    return {
        codes: {
            taps: tapColumns(one.unique, one.count, k2, (c, t) => t * tableRows + c),
            shape: [one.count, 1, 1],
        },
        second: {
            // Row q*k2 + t of T is tap t's contribution of pattern q; padding reads the zero row.
            taps: tapColumns(two.unique, two.count, k2, (q, t) => (q < 0 ? zeroRow : q * k2 + t)),
            shape: [two.count, 1, 1],
        },
        pixels: { taps: [two.inverse], shape },
        m1: one.count,
        m2: two.count,
        tableRows,
    };
}

/** a x b whose gradients are flag-free matMuls of explicit transposes (wasm's flags are slow). */
export function mm(a: tf.Tensor2D, b: tf.Tensor2D): tf.Tensor2D {
    const f = tf.customGrad((ai, bi, save) => {
        const x = ai as tf.Tensor2D;
        const y = bi as tf.Tensor2D;
        (save as tf.GradSaveFunc)([x, y]);
        return {
            value: tf.matMul(x, y),
            gradFunc: (dy, saved) => {
                const [sa, sb] = saved as tf.Tensor2D[];
                const d = dy as tf.Tensor2D;
                return [tf.matMul(d, tf.transpose(sb)), tf.matMul(tf.transpose(sa), d)];
            },
        };
    });
    return f(a, b) as tf.Tensor2D;
}

/** The weights a SPADE layer's pattern path needs (HWIO, as the layers keep them). */
export interface PatternWeights {
    /** mlp_shared HWIO [k, k, classes (+ edge), hidden] and its bias. */
    shared: tf.Tensor4D;
    sharedBias: tf.Tensor1D;
    /** mlp_gamma and mlp_beta HWIO [k, k, hidden, C] and biases. */
    gamma: tf.Tensor4D;
    gammaBias: tf.Tensor1D;
    beta: tf.Tensor4D;
    betaBias: tf.Tensor1D;
}

/** Per level-1 codes, their rows in the shared weight (made once per pattern levels). */
const weightRows = new WeakMap<TapIndices, TapIndices>();

/**
 * The level-1 codes as rows of mlp_shared's weight itself, [k*k*cin + 1, hidden] with a zero
 * row last: per tap, the row of the code's label (the zero row for "no label"), and with the
 * edge map a second tap per tap reading the edge channel's row where the code has the edge.
 * Summing them is the stacked table's row for that code, without building the table.
 */
function codeRows(codes: TapIndices, classes: number, cin: number, tableRows: number): TapIndices {
    const hit = weightRows.get(codes);
    if (hit) return hit;
    const zero = codes.taps.length * cin;
    const withEdge = tableRows === 2 * (classes + 1);
    const labels: Int32Array[] = [];
    const edges: Int32Array[] = [];
    codes.taps.forEach((rows, t) => {
        const l = new Int32Array(rows.length);
        const e = new Int32Array(rows.length);
        for (let q = 0; q < rows.length; q++) {
            const code = rows[q] - t * tableRows;
            const label = code % (classes + 1);
            l[q] = label < classes ? t * cin + label : zero;
            e[q] = code > classes ? t * cin + classes : zero;
        }
        labels.push(l);
        if (withEdge) edges.push(e);
    });
    const out: TapIndices = { taps: [...labels, ...edges], shape: codes.shape };
    weightRows.set(codes, out);
    return out;
}

/** gamma and beta, each [N, h, w, C], computed per pattern (see the file comment). */
export function patternModulation(
    lv: PatternLevels,
    wt: PatternWeights,
    classes: number,
): { gamma: tf.Tensor4D; beta: tf.Tensor4D } {
    const [k, , hidden, c] = wt.gamma.shape;
    const k2 = k * k;
    const [, , cin] = wt.shared.shape;
    const rows = tf.concat([tf.reshape(wt.shared, [k2 * cin, hidden]), tf.zeros([1, hidden])], 0);
    const idx = codeRows(lv.codes, classes, cin, lv.tableRows);
    const actv = tf.relu(tf.add(gatherSum(rows as tf.Tensor2D, idx), wt.sharedBias)) as tf.Tensor2D;
    // W [hidden, k2 * 2C]: column block t holds tap t's gamma then beta weights.
    const both = tf.concat([wt.gamma, wt.beta], 3); // [k, k, hidden, 2C]
    const w = tf.reshape<tf.Rank.R2>(tf.transpose(both, [2, 0, 1, 3]), [hidden, k2 * 2 * c]);
    const t = tf.reshape(mm(actv, w), [lv.m1 * k2, 2 * c]);
    const tExt = tf.concat([t, tf.zeros([1, 2 * c])], 0) as tf.Tensor2D;
    const g2 = gatherSum(tExt, lv.second);
    const [g2g, g2b] = tf.split<tf.Tensor2D>(g2, 2, 1);
    const [n, h, w2] = lv.pixels.shape;
    const shape: [number, number, number, number] = [n, h, w2, c];
    return {
        gamma: tf.reshape(tf.add(gatherSum(g2g, lv.pixels), wt.gammaBias), shape),
        beta: tf.reshape(tf.add(gatherSum(g2b, lv.pixels), wt.betaBias), shape),
    };
}
