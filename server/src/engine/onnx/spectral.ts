/**
 * Spectral norm folded into plain weights, the way the reference's eval-mode pre-hook does it:
 * `W_eff = weight_orig / sigma`, `sigma = u . (W v)` with `W = weight_orig` reshaped to
 * `[out, -1]`, using the stored u and v as they are (no power iteration, not the exact
 * largest singular value).
 */
import type { StateDict, StateTensor } from './types';

/** Effective weight of one spectral-normalised layer from its checkpoint form. */
export function foldSpectral(orig: StateTensor, u: StateTensor, v: StateTensor): StateTensor {
    const rows = orig.shape[0];
    const cols = orig.data.length / rows;
    if (u.data.length !== rows || v.data.length !== cols) {
        throw new Error(
            `spectral norm: weight_orig [${orig.shape}] needs u of ${rows} and v of ${cols} ` +
                `values, got ${u.data.length} and ${v.data.length}`,
        );
    }
    // Accumulate in double: sigma is one scalar, and the reference's float32 sum differs by
    // far less than the tolerance, so extra precision costs nothing here.
    let sigma = 0;
    for (let r = 0; r < rows; r++) {
        let wv = 0;
        for (let c = 0; c < cols; c++) wv += orig.data[r * cols + c] * v.data[c];
        sigma += u.data[r] * wv;
    }
    const data = new Float32Array(orig.data.length);
    for (let i = 0; i < data.length; i++) data[i] = orig.data[i] / sigma;
    return { shape: [...orig.shape], data };
}

/**
 * A copy of `state` where every `<layer>.weight_orig` (with `weight_u`, `weight_v`) is
 * replaced by `<layer>.weight`, the effective weight. Other entries are shared, not copied.
 */
export function foldSpectralState(state: StateDict): StateDict {
    const out: StateDict = new Map();
    for (const [name, t] of state) {
        if (name.endsWith('.weight_u') || name.endsWith('.weight_v')) continue;
        if (name === 'weight_orig' || name.endsWith('.weight_orig')) {
            const base = name.slice(0, -'weight_orig'.length);
            const u = state.get(`${base}weight_u`);
            const v = state.get(`${base}weight_v`);
            if (u === undefined || v === undefined) {
                throw new Error(
                    `spectral norm: ${name} has no ${base}weight_u / ${base}weight_v beside it; ` +
                        'the checkpoint is incomplete',
                );
            }
            out.set(`${base}weight`, foldSpectral(t, u, v));
        } else {
            out.set(name, t);
        }
    }
    return out;
}
