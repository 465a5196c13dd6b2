/**
 * Seeded random numbers for crops, flips and shuffling. Each (seed, epoch, sample) gets its own
 * stream, so results do not depend on the order in which parallel loads finish, and a resumed
 * run draws exactly what an uninterrupted one would.
 */

function mix32(h: number): number {
    h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
    h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
    return (h ^ (h >>> 16)) >>> 0;
}

/** A 32-bit state from several integers (seed, epoch, index...). */
export function hashSeed(...parts: number[]): number {
    let h = 0x9e3779b9;
    for (const p of parts) h = mix32(h ^ mix32((p | 0) + 0x7f4a7c15));
    return h;
}

/** A generator of uniform numbers in [0, 1) (mulberry32). */
export function makeRandom(seed: number): () => number {
    let a = seed >>> 0;
    return () => {
        a = (a + 0x6d2b79f5) >>> 0;
        let t = a;
        t = Math.imul(t ^ (t >>> 15), t | 1);
        t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
        return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    };
}

/** Fisher-Yates shuffle of 0..n-1 with a seeded generator. */
export function permutation(n: number, seed: number): Int32Array {
    const out = new Int32Array(n);
    for (let i = 0; i < n; i++) out[i] = i;
    const rnd = makeRandom(seed);
    for (let i = n - 1; i > 0; i--) {
        const j = Math.floor(rnd() * (i + 1));
        const t = out[i];
        out[i] = out[j];
        out[j] = t;
    }
    return out;
}
