/**
 * SPADE's modulation computed from the one-hot structure of its input, exactly.
 *
 * `mlp_shared` (the k x k conv on the one-hot label map) reads one weight column per tap, so
 * its output at a pixel depends only on the k x k pattern of codes around it (code = label,
 * plus an offset when the edge bit is set). The taps are stacked lookup tables: row
 * `t * rows + code` holds tap t's column for that code (+ bias on the centre tap).
 *
 * - 'taps' lookup: gather all k*k rows per pixel and add them; gamma and beta stay convs.
 * - 'patterns' lookup: find the distinct code patterns once per resolution (Unique), compute
 *   the hidden activation once per pattern, then gamma and beta too: they are k x k convs of
 *   that activation, so each pixel's gamma/beta depends only on the k x k pattern of pattern
 *   ids around it, a second level of distinct patterns. The convs become one small MatMul per
 *   layer (pattern activations times the per-tap weights) plus row lookups. Real masks are
 *   mostly uniform regions, so the patterns are a small fraction of the pixels. On small
 *   maps (under `patternMinPixels`) nearly every pixel is its own pattern, so there only
 *   mlp_shared goes through patterns and gamma/beta stay convs.
 *
 * Both are the reference's arithmetic up to float32 summation order.
 */
import type { SpadeContext } from './context';
import { need } from './context';
import { torchNearestIndex } from './nearest';
import type { StateTensor } from './types';

/** Rows of one tap's table: a code per label channel and "no label", twice with edges. */
export function tableRows(labelChannels: number, useInstance: boolean): number {
    return (labelChannels + 1) * (useInstance ? 2 : 1);
}

/**
 * `[N, h, w, k*k]` int64: for each pixel and tap t, `ids(p + offset_t) * scale + add(t)`,
 * where positions outside the map read `padValue` (then scaled and offset the same way).
 */
function shiftedTaps(
    ctx: SpadeContext,
    ids: string,
    padValue: number,
    h: number,
    w: number,
    add: (tap: number) => number,
    scale = 1,
): string {
    const g = ctx.g;
    const p = (ctx.kernel - 1) / 2;
    const pads = g.intInit('pads', [6], [0, p, p, 0, p, p]);
    const fill = g.intInit('pad_value', [], [padValue]);
    let padded = g.op('Pad', [ids, pads, fill], { mode: 'constant' }, [], 'padded');
    padded = g.op('Unsqueeze', [padded, g.intInit('axes3', [1], [3])]);
    if (scale !== 1) padded = g.op('Mul', [padded, g.intInit('scale', [], [scale])]);
    const taps: string[] = [];
    const axes = g.intInit('axes12', [2], [1, 2]);
    for (let ky = 0; ky < ctx.kernel; ky++) {
        for (let kx = 0; kx < ctx.kernel; kx++) {
            const starts = g.intInit('starts', [2], [ky, kx]);
            const ends = g.intInit('ends', [2], [ky + h, kx + w]);
            const tap = g.op('Slice', [padded, starts, ends, axes], {}, [], `tap_${h}x${w}`);
            const off = add(taps.length);
            taps.push(off === 0 ? tap : g.op('Add', [tap, g.intInit('tap_offset', [], [off])]));
        }
    }
    return g.op('Concat', taps, { axis: 3 }, [], `taps_${h}x${w}`);
}

/**
 * Row indices into the stacked tap tables at h x w, int64 `[N, h, w, k*k]`: tap t of pixel p
 * reads row `t * rows + code(p + offset_t)`, zero padding being the "no label" code. Built
 * once per resolution.
 */
function tapIndices(ctx: SpadeContext, h: number, w: number): string {
    const key = `taps:${h}x${w}`;
    const hit = ctx.cache.get(key);
    if (hit !== undefined) return hit;
    const g = ctx.g;
    let v = ctx.code as string;
    if (h !== ctx.inHeight || w !== ctx.inWidth) {
        const rows = g.intInit('rows', [h], torchNearestIndex(ctx.inHeight, h));
        const cols = g.intInit('cols', [w], torchNearestIndex(ctx.inWidth, w));
        v = g.op('Gather', [v, rows], { axis: 1 }, [], `code_${h}x${w}`);
        v = g.op('Gather', [v, cols], { axis: 2 }, [], `code_${h}x${w}`);
    }
    const R = tableRows(ctx.labelChannels, ctx.useInstance);
    const idx = shiftedTaps(ctx, v, ctx.labelChannels, h, w, (t) => t * R);
    ctx.cache.set(key, idx);
    return idx;
}

/** Distinct k x k patterns at one resolution, and which one each pixel has. */
interface PatternLevel {
    /** `[P, k*k]` rows of the stacked tap tables (level 1) or of per-tap results (level 2). */
    patterns: string;
    /** `[N*h*w]` pattern index of each pixel. */
    inverse: string;
}

/** Unique rows of `[.., k*k]` indices, and the inverse map. */
function uniqueRows(ctx: SpadeContext, idx: string, name: string): PatternLevel {
    const k2 = ctx.kernel * ctx.kernel;
    const flat = ctx.g.op('Reshape', [idx, ctx.g.intInit('shape', [2], [-1, k2])]);
    const [patterns, , inverse] = ctx.g.opN('Unique', [flat], 4, { axis: 0, sorted: 0 }, [], name);
    return { patterns, inverse };
}

/** Level 1: the distinct code patterns at h x w (rows of the stacked tap tables). */
function codePatterns(ctx: SpadeContext, h: number, w: number): PatternLevel {
    const key = `patterns:${h}x${w}`;
    if (!ctx.cache.has(key)) {
        const one = uniqueRows(ctx, tapIndices(ctx, h, w), `patterns_${h}x${w}`);
        ctx.cache.set(key, one.patterns);
        ctx.cache.set(`${key}/inv`, one.inverse);
    }
    return { patterns: ctx.cache.get(key)!, inverse: ctx.cache.get(`${key}/inv`)! };
}

/**
 * Level 2: the distinct k x k patterns of level-1 ids, as rows of a per-layer
 * `[(P + 1) * k*k, 2C]` table where row `q * k*k + t` is tap t's gamma/beta contribution of
 * pattern q; zero padding is q = -1, whose rows (Gather counts negative indices from the
 * end) are an appended zero block.
 */
function idPatterns(ctx: SpadeContext, h: number, w: number): PatternLevel {
    const key = `patterns2:${h}x${w}`;
    if (!ctx.cache.has(key)) {
        const g = ctx.g;
        const k2 = ctx.kernel * ctx.kernel;
        const one = codePatterns(ctx, h, w);
        const ids = g.op('Reshape', [one.inverse, g.intInit('shape', [3], [-1, h, w])]);
        const idx = shiftedTaps(ctx, ids, -1, h, w, (t) => t, k2);
        const two = uniqueRows(ctx, idx, `patterns2_${h}x${w}`);
        ctx.cache.set(key, two.patterns);
        ctx.cache.set(`${key}/inv`, two.inverse);
    }
    return { patterns: ctx.cache.get(key)!, inverse: ctx.cache.get(`${key}/inv`)! };
}

/**
 * Lookup tables for one `mlp_shared` conv: per tap, rows indexed by code
 * (`label + (labelChannels + 1) * edge`), each row the conv's output for that tap.
 */
export function mlpSharedTables(
    weight: StateTensor,
    bias: StateTensor | undefined,
    labelChannels: number,
    useInstance: boolean,
): Float32Array[] {
    const [hidden, cin, kh, kw] = weight.shape;
    const taps = kh * kw;
    const centre = (taps - 1) / 2;
    const L = labelChannels + 1;
    const rows = tableRows(labelChannels, useInstance);
    const tables: Float32Array[] = [];
    for (let t = 0; t < taps; t++) {
        const tab = new Float32Array(rows * hidden);
        for (let r = 0; r < rows; r++) {
            const label = r % L;
            const edge = r >= L;
            for (let o = 0; o < hidden; o++) {
                let s = 0;
                if (label < labelChannels) s += weight.data[(o * cin + label) * taps + t];
                if (edge) s += weight.data[(o * cin + labelChannels) * taps + t];
                if (t === centre && bias !== undefined) s += bias.data[o];
                tab[r * hidden + o] = s;
            }
        }
        tables.push(tab);
    }
    return tables;
}

/** The stacked `mlp_shared` table of one SPADE layer as an initializer. */
function sharedTable(ctx: SpadeContext, prefix: string): { table: string; hidden: number } {
    const wt = need(ctx.state, `${prefix}.mlp_shared.0.weight`);
    const bias = ctx.state.get(`${prefix}.mlp_shared.0.bias`);
    const semCh = ctx.labelChannels + (ctx.useInstance ? 1 : 0);
    if (wt.shape[1] !== semCh || wt.shape[2] !== ctx.kernel || wt.shape[3] !== ctx.kernel) {
        throw new Error(
            `${prefix}.mlp_shared.0.weight has shape [${wt.shape}]; the options need ` +
                `${semCh} input channels and a ${ctx.kernel}x${ctx.kernel} kernel`,
        );
    }
    const hidden = wt.shape[0];
    const tables = mlpSharedTables(wt, bias, ctx.labelChannels, ctx.useInstance);
    const stacked = new Float32Array(tables.length * tables[0].length);
    tables.forEach((t, i) => stacked.set(t, i * t.length));
    const name = `${prefix}.mlp_shared.table`;
    return { table: ctx.g.floatInit(name, [stacked.length / hidden, hidden], stacked), hidden };
}

/** 'taps' lookup: the hidden activation relu(mlp_shared(seg)), NCHW. */
export function tapActivation(ctx: SpadeContext, prefix: string, h: number, w: number): string {
    const g = ctx.g;
    const { table } = sharedTable(ctx, prefix);
    const taps = g.op('Gather', [table, tapIndices(ctx, h, w)]);
    const sum = g.op('ReduceSum', [taps, g.intInit('axes3', [1], [3])], { keepdims: 0 });
    return g.op('Transpose', [g.op('Relu', [sum])], { perm: [0, 3, 1, 2] }, [], `${prefix}.actv`);
}

/** relu(mlp_shared) once per level-1 pattern, `[P, hidden]`. */
function hiddenPerPattern(ctx: SpadeContext, table: string, one: PatternLevel): string {
    const g = ctx.g;
    const taps = g.op('Gather', [table, one.patterns]);
    const sum = g.op('ReduceSum', [taps, g.intInit('axes1', [1], [1])], { keepdims: 0 });
    return g.op('Relu', [sum]);
}

/** 'patterns' lookup at a small map: the hidden activation per level-1 pattern, NCHW. */
export function patternActivation(ctx: SpadeContext, prefix: string, h: number, w: number): string {
    const g = ctx.g;
    const { table, hidden } = sharedTable(ctx, prefix);
    const one = codePatterns(ctx, h, w);
    const perPixel = g.op('Gather', [hiddenPerPattern(ctx, table, one), one.inverse]);
    const nhwc = g.op('Reshape', [perPixel, g.intInit('shape', [4], [-1, h, w, hidden])]);
    return g.op('Transpose', [nhwc], { perm: [0, 3, 1, 2] }, [], `${prefix}.actv`);
}

/**
 * 'patterns' lookup: `1 + gamma` and `beta` of one SPADE layer, NCHW, from the distinct
 * patterns at this resolution (see the file comment).
 */
export function patternModulation(
    ctx: SpadeContext,
    prefix: string,
    channels: number,
    h: number,
    w: number,
): { gamma1: string; beta: string } {
    const g = ctx.g;
    const { table, hidden } = sharedTable(ctx, prefix);
    const one = codePatterns(ctx, h, w);
    const two = idPatterns(ctx, h, w);
    const k2 = ctx.kernel * ctx.kernel;
    const shape = [channels, hidden, ctx.kernel, ctx.kernel];
    const wg = need(ctx.state, `${prefix}.mlp_gamma.weight`, shape);
    const wb = need(ctx.state, `${prefix}.mlp_beta.weight`, shape);
    const bg = need(ctx.state, `${prefix}.mlp_gamma.bias`, [channels]);
    const bb = need(ctx.state, `${prefix}.mlp_beta.bias`, [channels]);
    const c2 = 2 * channels;
    // [hidden, k*k * 2C]: column t * 2C + o is tap t of gamma (o < C) or beta (o >= C).
    const wmat = new Float32Array(hidden * k2 * c2);
    for (let i = 0; i < hidden; i++) {
        for (let t = 0; t < k2; t++) {
            for (let o = 0; o < channels; o++) {
                const src = (o * hidden + i) * k2 + t;
                wmat[(i * k2 + t) * c2 + o] = wg.data[src];
                wmat[(i * k2 + t) * c2 + channels + o] = wb.data[src];
            }
        }
    }
    const bias = new Float32Array(c2);
    for (let o = 0; o < channels; o++) {
        bias[o] = bg.data[o] + 1; // the 1 of `normalized * (1 + gamma)`
        bias[channels + o] = bb.data[o];
    }
    // A zero activation row last: its k*k rows of per-tap results are the zero block that
    // the padding id -1 reads (Gather counts negative indices from the end).
    const actv = g.op(
        'Concat',
        [
            hiddenPerPattern(ctx, table, one),
            g.floatInit('zero_row', [1, hidden], new Float32Array(hidden)),
        ],
        { axis: 0 },
    );
    const perTap = g.op('MatMul', [
        actv,
        g.floatInit(`${prefix}.mlp_gb.taps`, [hidden, k2 * c2], wmat),
    ]);
    const rows = g.op('Reshape', [perTap, g.intInit('shape', [2], [-1, c2])]);
    const summed = g.op(
        'ReduceSum',
        [g.op('Gather', [rows, two.patterns]), g.intInit('axes1', [1], [1])],
        {
            keepdims: 0,
        },
    );
    const withBias = g.op('Add', [summed, g.floatInit(`${prefix}.mlp_gb.bias`, [c2], bias)]);
    const perPixel = g.op('Gather', [withBias, two.inverse]);
    const nhwc = g.op('Reshape', [perPixel, g.intInit('shape', [4], [-1, h, w, c2])]);
    const nchw = g.op('Transpose', [nhwc], { perm: [0, 3, 1, 2] });
    const [gamma1, beta] = g.opN(
        'Split',
        [nchw, g.intInit('split', [2], [channels, channels])],
        2,
        { axis: 1 },
    );
    return { gamma1, beta };
}
