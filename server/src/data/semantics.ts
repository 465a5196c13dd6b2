/**
 * From ids to the generator's input: the instance edge map (a pixel is an edge when it differs
 * from any 4-neighbour, so both sides of a boundary are marked), and the one-hot semantics
 * with the edge map appended as the last channel.
 */
import type { IdMap } from './resample';

/** 1 where an instance id differs from its left, right, upper or lower neighbour. */
export function instanceEdges(inst: IdMap): Uint8Array {
    const { width: w, height: h, data } = inst;
    const e = new Uint8Array(w * h);
    for (let y = 0; y < h; y++) {
        const row = y * w;
        for (let x = 0; x + 1 < w; x++) {
            if (data[row + x] !== data[row + x + 1]) {
                e[row + x] = 1;
                e[row + x + 1] = 1;
            }
        }
        if (y + 1 < h) {
            for (let x = 0; x < w; x++) {
                if (data[row + x] !== data[row + w + x]) {
                    e[row + x] = 1;
                    e[row + w + x] = 1;
                }
            }
        }
    }
    return e;
}

/**
 * Writes the one-hot of `labels` (ids already in 0..classes-1) into `out` at `offset` as CHW
 * with `classes` channels, then the edge map as one more channel when given. `out` must be
 * zero there (a fresh Float32Array is).
 */
export function writeSemantics(
    labels: IdMap,
    classes: number,
    edges: Uint8Array | undefined,
    out: Float32Array,
    offset = 0,
): void {
    const plane = labels.width * labels.height;
    const d = labels.data;
    for (let i = 0; i < plane; i++) out[offset + d[i] * plane + i] = 1;
    if (edges) {
        const base = offset + classes * plane;
        for (let i = 0; i < plane; i++) out[base + i] = edges[i];
    }
}
