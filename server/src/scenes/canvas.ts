/**
 * The raster a scene is painted into: linear-ish RGB floats in [0, 1], a class id and an
 * instance id per pixel. Painters overwrite in back-to-front order, so whatever is painted last
 * at a pixel owns its label, its instance and its colour together.
 */
import type { SceneClassName } from './classes';
import { SceneClass } from './classes';

/** An RGB colour with channels in [0, 1]. */
export type Color = [number, number, number];

/** Most instances a map holds: instance maps are 8-bit. */
export const MAX_INSTANCES = 255;

export class Canvas {
    readonly rgb: Float32Array;
    readonly label: Uint8Array;
    readonly instance: Uint8Array;
    private instances = 0;

    constructor(
        readonly width: number,
        readonly height: number,
    ) {
        this.rgb = new Float32Array(width * height * 3);
        this.label = new Uint8Array(width * height);
        this.instance = new Uint8Array(width * height);
    }

    /** A fresh instance id (1, 2, ...), or undefined once the 8-bit range is used up. */
    newInstance(): number | undefined {
        if (this.instances >= MAX_INSTANCES) return undefined;
        return ++this.instances;
    }

    /** Paints pixel (x, y), which the caller has kept inside the canvas. */
    put(x: number, y: number, cls: SceneClassName, inst: number, r: number, g: number, b: number) {
        const i = y * this.width + x;
        this.label[i] = SceneClass[cls];
        this.instance[i] = inst;
        this.rgb[i * 3] = r;
        this.rgb[i * 3 + 1] = g;
        this.rgb[i * 3 + 2] = b;
    }

    /** Multiplies the colour of pixel (x, y) by f, leaving its label alone (cast shadows). */
    darken(x: number, y: number, f: number) {
        const i = (y * this.width + x) * 3;
        this.rgb[i] *= f;
        this.rgb[i + 1] *= f;
        this.rgb[i + 2] *= f;
    }

    /** The 8-bit sRGB image, channels interleaved. */
    toRgb8(): Uint8Array {
        const out = new Uint8Array(this.rgb.length);
        for (let i = 0; i < out.length; i++) {
            const v = this.rgb[i];
            out[i] = v <= 0 ? 0 : v >= 1 ? 255 : Math.round(v * 255);
        }
        return out;
    }
}

/** Linear blend of two colours. */
export function mixColor(a: Color, b: Color, t: number): Color {
    return [a[0] + (b[0] - a[0]) * t, a[1] + (b[1] - a[1]) * t, a[2] + (b[2] - a[2]) * t];
}
