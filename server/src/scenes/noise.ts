/**
 * Value noise and its fractal sums: the source of every shape and texture in a scene.
 * Lattice values come from an integer hash, so no tables need building per seed.
 */

function lattice(ix: number, iy: number, seed: number): number {
    let h = Math.imul(ix, 0x27d4eb2d) ^ Math.imul(iy, 0x165667b1) ^ seed;
    h = Math.imul(h ^ (h >>> 15), 0x85ebca6b);
    h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
    return ((h ^ (h >>> 16)) >>> 0) / 4294967296;
}

/** Quintic fade: continuous second derivative, so shading from noise gradients has no creases. */
function fade(t: number): number {
    return t * t * t * (t * (t * 6 - 15) + 10);
}

/** Smooth value noise in [0, 1) with unit lattice spacing. */
export function noise2(x: number, y: number, seed: number): number {
    const x0 = Math.floor(x);
    const y0 = Math.floor(y);
    const fx = fade(x - x0);
    const fy = fade(y - y0);
    const a = lattice(x0, y0, seed);
    const b = lattice(x0 + 1, y0, seed);
    const c = lattice(x0, y0 + 1, seed);
    const d = lattice(x0 + 1, y0 + 1, seed);
    const top = a + (b - a) * fx;
    const bottom = c + (d - c) * fx;
    return top + (bottom - top) * fy;
}

/** Fractal sum of `octaves` layers (lacunarity 2, gain 0.5), normalised to [0, 1). */
export function fbm(x: number, y: number, seed: number, octaves: number): number {
    let sum = 0;
    let amp = 0.5;
    let norm = 0;
    let f = 1;
    for (let o = 0; o < octaves; o++) {
        sum += amp * noise2(x * f, y * f, seed + o * 1013);
        norm += amp;
        amp *= 0.5;
        f *= 2.03;
    }
    return sum / norm;
}

/**
 * Ridged fractal sum in [0, 1]: sharp crests where the noise crosses its midpoint, the usual
 * look of mountain ridgelines and rock cracks.
 */
export function ridged(x: number, y: number, seed: number, octaves: number): number {
    let sum = 0;
    let amp = 0.5;
    let norm = 0;
    let f = 1;
    for (let o = 0; o < octaves; o++) {
        const n = 1 - Math.abs(2 * noise2(x * f, y * f, seed + o * 7919) - 1);
        sum += amp * n * n;
        norm += amp;
        amp *= 0.5;
        f *= 2.1;
    }
    return sum / norm;
}

/** Hermite step between edges a and b. */
export function smoothstep(a: number, b: number, x: number): number {
    const t = Math.min(1, Math.max(0, (x - a) / (b - a)));
    return t * t * (3 - 2 * t);
}

export function clamp01(x: number): number {
    return x < 0 ? 0 : x > 1 ? 1 : x;
}
