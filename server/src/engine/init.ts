/**
 * Weight initialisation as the reference's `BaseNetwork.init_weights(init_type, gain)`:
 * conv and linear weights by `initType` with gain `initVariance`, biases 0, BatchNorm weights
 * N(1, gain) and biases 0. Random numbers come from a seeded generator so runs repeat.
 */
import type { InitType } from './options';

/** A small seeded PRNG (mulberry32) with a Box-Muller normal. */
export class Rng {
    private s: number;
    private spare: number | undefined;

    constructor(seed: number) {
        this.s = seed >>> 0 || 0x9e3779b9;
    }

    /** Uniform in [0, 1). */
    uniform(): number {
        this.s = (this.s + 0x6d2b79f5) >>> 0;
        let t = this.s;
        t = Math.imul(t ^ (t >>> 15), t | 1);
        t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
        return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    }

    /** Standard normal. */
    normal(): number {
        if (this.spare !== undefined) {
            const v = this.spare;
            this.spare = undefined;
            return v;
        }
        const u = 1 - this.uniform();
        const r = Math.sqrt(-2 * Math.log(u));
        const a = 2 * Math.PI * this.uniform();
        this.spare = r * Math.sin(a);
        return r * Math.cos(a);
    }

    /** `n` normal values with standard deviation `std`. */
    normals(n: number, std: number): Float32Array {
        return this.fillNormal(n, 0, std);
    }

    fillNormal(n: number, mean: number, std: number): Float32Array {
        const out = new Float32Array(n);
        for (let i = 0; i < n; i++) out[i] = mean + std * this.normal();
        return out;
    }

    fillUniform(n: number, lo: number, hi: number): Float32Array {
        const out = new Float32Array(n);
        for (let i = 0; i < n; i++) out[i] = lo + (hi - lo) * this.uniform();
        return out;
    }
}

/** fan_in and fan_out as PyTorch computes them for [out, in, ...kernel]. */
export function fans(shape: readonly number[]): [number, number] {
    const rf = shape.slice(2).reduce((a, b) => a * b, 1);
    return [shape[1] * rf, shape[0] * rf];
}

/** Orthogonal rows/columns (QR of a normal matrix via Gram-Schmidt), scaled by gain. */
function orthogonal(shape: readonly number[], gain: number, rng: Rng): Float32Array {
    const rows = shape[0];
    const cols = shape.slice(1).reduce((a, b) => a * b, 1);
    const tall = rows < cols ? cols : rows;
    const short = rows < cols ? rows : cols;
    // `short` orthonormal vectors of length `tall`.
    const q: Float64Array[] = [];
    for (let i = 0; i < short; i++) {
        const v = Float64Array.from({ length: tall }, () => rng.normal());
        for (const p of q) {
            let d = 0;
            for (let k = 0; k < tall; k++) d += v[k] * p[k];
            for (let k = 0; k < tall; k++) v[k] -= d * p[k];
        }
        const nrm = Math.hypot(...v) || 1;
        for (let k = 0; k < tall; k++) v[k] /= nrm;
        q.push(v);
    }
    const out = new Float32Array(rows * cols);
    for (let r = 0; r < rows; r++) {
        for (let c = 0; c < cols; c++) out[r * cols + c] = gain * (rows < cols ? q[r][c] : q[c][r]);
    }
    return out;
}

/** Initial values of a conv/linear weight of `shape` (PyTorch layout). */
export function initWeight(
    shape: readonly number[],
    type: InitType,
    gain: number,
    rng: Rng,
): Float32Array {
    const n = shape.reduce((a, b) => a * b, 1);
    const [fanIn, fanOut] = fans(shape);
    switch (type) {
        case 'normal':
            return rng.fillNormal(n, 0, gain);
        case 'xavier':
            return rng.fillNormal(n, 0, gain * Math.sqrt(2 / (fanIn + fanOut)));
        case 'xavier_uniform': {
            // The reference passes gain 1.0 here, whatever init_variance is.
            const a = Math.sqrt(6 / (fanIn + fanOut));
            return rng.fillUniform(n, -a, a);
        }
        case 'kaiming':
            return rng.fillNormal(n, 0, Math.sqrt(2 / fanIn));
        case 'orthogonal':
            return orthogonal(shape, gain, rng);
        case 'none': {
            // PyTorch's reset_parameters: kaiming_uniform(a=sqrt(5)) = U(-1/sqrt(fan_in), 1/sqrt(fan_in)).
            const b = 1 / Math.sqrt(fanIn);
            return rng.fillUniform(n, -b, b);
        }
    }
}

/** Initial bias: 0, except init `none` (PyTorch default U(-1/sqrt(fan_in), 1/sqrt(fan_in))). */
export function initBias(n: number, fanIn: number, type: InitType, rng: Rng): Float32Array {
    if (type !== 'none') return new Float32Array(n);
    const b = 1 / Math.sqrt(fanIn);
    return rng.fillUniform(n, -b, b);
}
