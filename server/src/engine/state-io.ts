/**
 * Moving a network's variables to and from a StateDict (PyTorch names and layouts).
 *
 * Spectral-normalised convs have two forms: the checkpoint form (`weight_orig`, `weight_u`,
 * `weight_v`, as PyTorch saves them) and the folded form (`weight` = weight_orig / sigma, as the
 * golden vectors and the ONNX export hold them). Both load; folded weights get u, v chosen so
 * that sigma is exactly 1 (v from power iteration, u = W v / |W v|^2), so the eval forward is
 * unchanged and training resumes power iteration from there.
 */
import * as tf from '@tensorflow/tfjs';
import type { Store } from './layers/core';
import { spectralWeight } from './layers/core';
import { fromTorch, toTorch, torchShape, type TorchLayout } from './layers/layout';
import type { StateDict } from './state';
import { numel } from './state';

/** How `exportState` writes spectral norm. */
export interface ExportOptions {
    /** Write `X.weight` = the effective weight instead of weight_orig/u/v (ONNX, inference). */
    fold?: boolean;
}

function read(v: tf.Tensor): { shape: number[]; data: Float32Array } {
    return { shape: v.shape.slice(), data: Float32Array.from(v.dataSync() as Float32Array) };
}

/** The network's parameters and buffers as a StateDict (PyTorch layouts). */
export function exportState(store: Store, o: ExportOptions = {}): StateDict {
    const out: StateDict = new Map();
    const skip = new Set<string>();
    if (o.fold) {
        for (const [prefix, e] of store.spectral) {
            const w = tf.tidy(() => spectralWeight(e));
            out.set(
                `${prefix}.weight`,
                toTorch(store.layouts.get(`${prefix}.weight_orig`), read(w)),
            );
            w.dispose();
            for (const s of ['weight_orig', 'weight_u', 'weight_v']) skip.add(`${prefix}.${s}`);
        }
    }
    for (const map of [store.params, store.buffers])
        for (const [k, v] of map)
            if (!skip.has(k)) out.set(k, toTorch(store.layouts.get(k), read(v)));
    return out;
}

/** How `loadState` treats names that do not match. */
export interface LoadOptions {
    /** Throw on missing or unexpected names (default true). `num_batches_tracked` is ignored. */
    strict?: boolean;
    /** Power iterations used to place u, v for folded spectral weights (default 30). */
    foldIterations?: number;
}

/** Assigns a PyTorch-layout value to a variable stored in `layout` (none: the same). */
function assign(
    v: tf.Variable,
    name: string,
    t: { shape: number[]; data: Float32Array },
    layout?: TorchLayout,
): void {
    const want = torchShape(layout, v.shape);
    if (
        t.shape.length !== want.length ||
        t.shape.some((d, i) => d !== want[i]) ||
        t.data.length !== numel(want)
    ) {
        throw new Error(
            `state '${name}' has shape [${t.shape}] but the network built from the options expects ` +
                `[${want}]; ` +
                'check that the options (ngf, ndf, label classes, crop size, ...) match the checkpoint',
        );
    }
    v.assign(tf.tensor(fromTorch(layout, t.data), v.shape));
}

/** u, v for a folded weight W such that u . (W v) = 1. */
function unfold(
    w: Float32Array,
    rows: number,
    cols: number,
    iters: number,
): { u: Float32Array; v: Float32Array } {
    let v = new Float64Array(cols).fill(1 / Math.sqrt(cols));
    const wv = new Float64Array(rows);
    const mulV = () => {
        for (let r = 0; r < rows; r++) {
            let s = 0;
            for (let c = 0; c < cols; c++) s += w[r * cols + c] * v[c];
            wv[r] = s;
        }
    };
    for (let it = 0; it < iters; it++) {
        mulV();
        const nv = new Float64Array(cols);
        for (let r = 0; r < rows; r++)
            for (let c = 0; c < cols; c++) nv[c] += w[r * cols + c] * wv[r];
        const n = Math.hypot(...nv) || 1;
        v = nv.map((x) => x / n);
    }
    mulV();
    const n2 = wv.reduce((a, b) => a + b * b, 0) || 1;
    return { u: Float32Array.from(wv, (x) => x / n2), v: Float32Array.from(v) };
}

/** Loads a StateDict into the network's variables; throws naming any mismatch. */
export function loadState(store: Store, state: StateDict, o: LoadOptions = {}): void {
    const strict = o.strict !== false;
    const used = new Set<string>();
    const missing: string[] = [];
    for (const [prefix, e] of store.spectral) {
        const folded = state.get(`${prefix}.weight`);
        const orig = state.get(`${prefix}.weight_orig`);
        const layout = store.layouts.get(`${prefix}.weight_orig`);
        const vLayout = store.layouts.get(`${prefix}.weight_v`);
        if (orig !== undefined) {
            assign(e.orig, `${prefix}.weight_orig`, orig, layout);
            used.add(`${prefix}.weight_orig`);
            for (const [s, v] of [
                ['weight_u', e.u],
                ['weight_v', e.v],
            ] as const) {
                const t = state.get(`${prefix}.${s}`);
                if (t) {
                    assign(v, `${prefix}.${s}`, t, s === 'weight_v' ? vLayout : undefined);
                    used.add(`${prefix}.${s}`);
                } else missing.push(`${prefix}.${s}`);
            }
        } else if (folded !== undefined) {
            assign(e.orig, `${prefix}.weight`, folded, layout);
            used.add(`${prefix}.weight`);
            // PyTorch's W [out, in * k * k], as the folded OIHW data holds it.
            const rows = e.u.shape[0];
            const { u, v } = unfold(
                folded.data,
                rows,
                folded.data.length / rows,
                o.foldIterations ?? 30,
            );
            e.u.assign(tf.tensor1d(u));
            e.v.assign(tf.tensor1d(fromTorch(vLayout, v)));
        } else missing.push(`${prefix}.weight_orig`);
    }
    const handled = new Set<string>();
    for (const e of store.spectral.keys())
        for (const s of ['weight_orig', 'weight_u', 'weight_v']) handled.add(`${e}.${s}`);
    for (const map of [store.params, store.buffers]) {
        for (const [k, v] of map) {
            if (handled.has(k)) continue;
            const t = state.get(k);
            if (t === undefined) missing.push(k);
            else {
                assign(v, k, t, store.layouts.get(k));
                used.add(k);
            }
        }
    }
    if (!strict) return;
    const unexpected = [...state.keys()].filter(
        (k) => !used.has(k) && !k.endsWith('num_batches_tracked'),
    );
    if (missing.length > 0 || unexpected.length > 0) {
        const list = (a: string[]) =>
            a.length > 6 ? `${a.slice(0, 6).join(', ')} and ${a.length - 6} more` : a.join(', ');
        throw new Error(
            `the weights do not fit the network built from the options: ` +
                (missing.length ? `missing ${list(missing)}` : '') +
                (missing.length && unexpected.length ? '; ' : '') +
                (unexpected.length ? `unexpected ${list(unexpected)}` : '') +
                '; check the options (architecture, norm, upsampling, VAE) against the checkpoint',
        );
    }
}
