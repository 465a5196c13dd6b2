/**
 * Seeded randomness for the scene generator. Only integer arithmetic and IEEE-exact float
 * operations are used, so a seed gives the same numbers on every platform and Node version.
 */

/** Mixes a 32-bit integer into a well-distributed 32-bit integer (unsigned). */
export function mix32(x: number): number {
    let h = x | 0;
    h = Math.imul(h ^ (h >>> 16), 0x7feb352d);
    h = Math.imul(h ^ (h >>> 15), 0x846ca68b);
    return (h ^ (h >>> 16)) >>> 0;
}

/** A seed for item `index` of a set seeded with `seed`, independent of the set's size. */
export function childSeed(seed: number, index: number): number {
    return mix32(mix32(seed ^ 0x5bd1e995) + Math.imul(index + 1, 0x9e3779b9));
}

/** A small, fast generator (a 32-bit counter passed through `mix32`). */
export class Rng {
    private state: number;

    constructor(seed: number) {
        this.state = mix32(seed) | 0;
    }

    /** Uniform in [0, 1). */
    next(): number {
        this.state = (this.state + 0x6d2b79f5) | 0;
        return mix32(this.state) / 4294967296;
    }

    /** Uniform in [lo, hi). */
    range(lo: number, hi: number): number {
        return lo + (hi - lo) * this.next();
    }

    /** Integer uniform in [lo, hi] (both included). */
    int(lo: number, hi: number): number {
        return lo + Math.floor(this.next() * (hi - lo + 1));
    }

    /** True with probability p. */
    chance(p: number): boolean {
        return this.next() < p;
    }

    /** One element of a non-empty list. */
    pick<T>(items: readonly T[]): T {
        return items[Math.floor(this.next() * items.length)];
    }

    /** A fresh 32-bit seed for a noise field or a sub-generator. */
    seed(): number {
        return mix32(Math.floor(this.next() * 4294967296));
    }
}
