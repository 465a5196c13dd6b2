/**
 * The SPADE generator's latent grid. It starts at sw x sh with sw = crop / 2^n and
 * sh = round_half_even(sw / aspect) (Python's round, as the reference), then doubles n times;
 * the image it must match is crop wide and round_half_even(crop / aspect) high.
 */
import type { Upsampling } from '../engine/options';

export const UPSAMPLING_DOUBLINGS: Record<Upsampling, number> = { normal: 5, more: 6, most: 7 };

/** Rounds halves to even, as Python 3's round(). */
export function roundHalfEven(x: number): number {
    const f = Math.floor(x);
    const diff = x - f;
    if (Math.abs(diff - 0.5) < 1e-9) return f % 2 === 0 ? f : f + 1;
    return Math.round(x);
}

/** The grid and the two heights for one crop, aspect and number of doublings. */
export interface LatentGrid {
    /** crop / 2^n, possibly fractional. */
    sw: number;
    whole: boolean;
    sh: number;
    /** Height of the generated image: sh * 2^n. */
    generatedHeight: number;
    /** Height of the training image: round_half_even(crop / aspect). */
    imageHeight: number;
    agree: boolean;
}

/** The latent grid and both heights for a crop, aspect and number of doublings. */
export function latentGrid(crop: number, aspect: number, n: number): LatentGrid {
    const scale = 2 ** n;
    const sw = crop / scale;
    const whole = Number.isInteger(sw) && sw >= 1;
    const sh = roundHalfEven(Math.floor(sw) / aspect);
    const generatedHeight = sh * scale;
    const imageHeight = roundHalfEven(crop / aspect);
    return {
        sw,
        whole,
        sh,
        generatedHeight,
        imageHeight,
        agree: whole && sh >= 1 && generatedHeight === imageHeight,
    };
}

/** The nearest crops below and above `crop` whose grid is whole and whose heights agree. */
export function nearestValidCrops(crop: number, aspect: number, n: number): number[] {
    const scale = 2 ** n;
    const out: number[] = [];
    for (let c = Math.floor(crop / scale) * scale; c >= scale; c -= scale) {
        if (c !== crop && latentGrid(c, aspect, n).agree) {
            out.push(c);
            break;
        }
    }
    for (let c = Math.ceil(crop / scale) * scale, i = 0; i < 4096; c += scale, i++) {
        if (c !== crop && c > crop && latentGrid(c, aspect, n).agree) {
            out.push(c);
            break;
        }
    }
    return out;
}
