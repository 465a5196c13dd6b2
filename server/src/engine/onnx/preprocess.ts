/**
 * Turns a label-id map into the generator's input and its output into RGB bytes, the way the
 * reference's test path does: labels resized with PIL's nearest rule, 255 mapped to the
 * dontcare class, one-hot channels, then the instance edge channel (`get_edges`), and
 * `tensor2im` for the result.
 */
import { pilNearestIndex } from './nearest';

/** A single-channel map of integer ids, row-major. */
export interface LabelMap {
    ids: Uint8Array | Uint16Array | Int32Array;
    width: number;
    height: number;
}

/** The label layout a model expects (the dataset's label options). */
export interface LabelSpec {
    labelNc: number;
    containDontcare: boolean;
    useInstance: boolean;
}

/** An RGB image, 3 bytes per pixel, row-major. */
export interface RgbImage {
    rgb: Uint8Array;
    width: number;
    height: number;
}

function checkMap(m: LabelMap, what: string): void {
    if (m.ids.length !== m.width * m.height) {
        throw new Error(
            `${what} has ${m.ids.length} values for ${m.width}x${m.height}; ` +
                'pass one id per pixel, row by row',
        );
    }
}

/** Resizes an id map with PIL's NEAREST rule (pixel centres), as the data pipeline does. */
export function resizeLabelMap(m: LabelMap, width: number, height: number): LabelMap {
    checkMap(m, 'label map');
    if (m.width === width && m.height === height) return m;
    const rows = pilNearestIndex(m.height, height);
    const cols = pilNearestIndex(m.width, width);
    const ids = new Int32Array(width * height);
    for (let y = 0; y < height; y++) {
        const src = rows[y] * m.width;
        for (let x = 0; x < width; x++) ids[y * width + x] = m.ids[src + cols[x]];
    }
    return { ids, width, height };
}

/**
 * The reference's `get_edges`: a pixel is an edge when any 4-neighbour has another id, so both
 * sides of a boundary are marked. Returns 0/1 per pixel.
 */
export function instanceEdges(m: LabelMap): Uint8Array {
    checkMap(m, 'instance map');
    const { ids, width: w, height: h } = m;
    const e = new Uint8Array(w * h);
    for (let y = 0; y < h; y++) {
        for (let x = 0; x < w; x++) {
            const i = y * w + x;
            if (x + 1 < w && ids[i] !== ids[i + 1]) e[i] = e[i + 1] = 1;
            if (y + 1 < h && ids[i] !== ids[i + w]) e[i] = e[i + w] = 1;
        }
    }
    return e;
}

/**
 * Class channel of each pixel: ids 0..labelNc-1 as they are, 255 (as stored in mask files)
 * or labelNc (as the dataset maps it) to the dontcare channel when the model has one. Any
 * other id is an error naming the pixel.
 */
export function labelChannelsOf(m: LabelMap, spec: LabelSpec, where = 'label map'): Int32Array {
    checkMap(m, where);
    const out = new Int32Array(m.ids.length);
    for (let i = 0; i < out.length; i++) {
        const v = m.ids[i];
        if (v < spec.labelNc) out[i] = v;
        else if ((v === 255 || v === spec.labelNc) && spec.containDontcare) out[i] = spec.labelNc;
        else {
            const allowed = spec.containDontcare ? ` or 255 (dontcare)` : '';
            throw new Error(
                `${where}: pixel (${i % m.width}, ${Math.floor(i / m.width)}) has id ${v}; ` +
                    `the model knows ids 0..${spec.labelNc - 1}${allowed}. ` +
                    'Use a mask made for this model, or a model trained with these classes',
            );
        }
    }
    return out;
}

/**
 * The generator input for a batch of label maps, float32 `[N, semantic_nc, H, W]`: one-hot
 * label channels, then the edge channel when `spec.useInstance`. Maps are resized to
 * width x height first. Without an instance map, edges come from the label map itself (class
 * boundaries), the closest stand-in when a mask has no instance file.
 */
export function buildSemantics(
    labels: LabelMap[],
    spec: LabelSpec,
    width: number,
    height: number,
    instances: (LabelMap | undefined)[] = [],
): Float32Array {
    const lc = spec.labelNc + (spec.containDontcare ? 1 : 0);
    const ch = lc + (spec.useInstance ? 1 : 0);
    const plane = width * height;
    const out = new Float32Array(labels.length * ch * plane);
    labels.forEach((m, n) => {
        const resized = resizeLabelMap(m, width, height);
        const cls = labelChannelsOf(resized, spec);
        const base = n * ch * plane;
        for (let i = 0; i < plane; i++) out[base + cls[i] * plane + i] = 1;
        if (spec.useInstance) {
            const inst = instances[n];
            const edges = instanceEdges(
                inst === undefined ? resized : resizeLabelMap(inst, width, height),
            );
            const eb = base + lc * plane;
            for (let i = 0; i < plane; i++) out[eb + i] = edges[i];
        }
    });
    return out;
}

/**
 * Image `n` of a `[N, 3, H, W]` output in [-1, 1] as RGB bytes, like the reference's
 * `tensor2im`: `(x + 1) / 2 * 255`, clipped, then truncated to uint8.
 */
export function toRgb(image: Float32Array, n: number, width: number, height: number): RgbImage {
    const plane = width * height;
    const rgb = new Uint8Array(plane * 3);
    const base = n * 3 * plane;
    for (let c = 0; c < 3; c++) {
        for (let i = 0; i < plane; i++) {
            // float32 steps, as numpy computes tensor2im on a float32 array
            const v = Math.fround((Math.fround(image[base + c * plane + i] + 1) / 2) * 255);
            rgb[i * 3 + c] = v <= 0 ? 0 : v >= 255 ? 255 : Math.floor(v);
        }
    }
    return { rgb, width, height };
}
