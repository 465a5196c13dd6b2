/** sRGB to CIE L*a*b* (D65), the space the evaluation measures colour in. */

const LINEAR = new Float64Array(256);
for (let i = 0; i < 256; i++) {
    const c = i / 255;
    LINEAR[i] = c <= 0.04045 ? c / 12.92 : Math.pow((c + 0.055) / 1.055, 2.4);
}

const XN = 0.95047;
const ZN = 1.08883;
const EPS = 216 / 24389;
const KAPPA = 24389 / 27;

function f(t: number): number {
    return t > EPS ? Math.cbrt(t) : (KAPPA * t + 16) / 116;
}

/**
 * Converts interleaved 8-bit sRGB (3 bytes per pixel) to L*a*b*, three floats per pixel.
 * L* runs 0..100; one unit is about one just-noticeable difference.
 */
export function rgbToLab(rgb: Uint8Array): Float32Array {
    const n = Math.floor(rgb.length / 3);
    const out = new Float32Array(n * 3);
    for (let i = 0; i < n; i++) {
        const r = LINEAR[rgb[i * 3]];
        const g = LINEAR[rgb[i * 3 + 1]];
        const b = LINEAR[rgb[i * 3 + 2]];
        const fx = f((0.4124564 * r + 0.3575761 * g + 0.1804375 * b) / XN);
        const fy = f(0.2126729 * r + 0.7151522 * g + 0.072175 * b);
        const fz = f((0.0193339 * r + 0.119192 * g + 0.9503041 * b) / ZN);
        out[i * 3] = 116 * fy - 16;
        out[i * 3 + 1] = 500 * (fx - fy);
        out[i * 3 + 2] = 200 * (fy - fz);
    }
    return out;
}
